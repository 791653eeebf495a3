// Strict JSON for JOSE headers and JWT claims sets.
//
// RFC 7515 section 4 and RFC 7519 section 4 require a JWS or JWT with
// duplicate member names to be rejected (or only the last one used, which is
// how a header {"alg":"HS256","alg":"none"} means different things to two
// parsers). Boost.JSON 1.81 keeps the last duplicate silently, so
// ParseStrictObject runs Boost's basic_parser with its own handler that
// rejects the second occurrence of a name in any object, at any depth. Names
// are compared after unescaping, so "alg" and "\u0061lg" are duplicates.
//
// It also rejects: input over the size cap (before parsing), a top level
// that is not an object, nesting deeper than max_depth, comments, trailing
// commas, invalid UTF-8, and anything after the value except whitespace.
//
// Thread-safety: ParseStrictObject is pure and safe from any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include <boost/json/object.hpp>

#include "auth/errors.h"

namespace auth {

// StrictJsonLimits bounds what ParseStrictObject accepts.
struct StrictJsonLimits {
  std::size_t max_bytes = 8 * 1024;
  std::size_t max_depth = 16;  // an object inside an array is depth 2
};

// ParseStrictObject parses `text` as one JSON object. Errors:
//   kInvalidJson     over max_bytes, not valid JSON, not an object at the
//                    top level, or deeper than max_depth
//   kDuplicateMember a name repeated in one object; the message names it
Result<boost::json::object> ParseStrictObject(std::string_view text,
                                              const StrictJsonLimits& limits = {});

}  // namespace auth
