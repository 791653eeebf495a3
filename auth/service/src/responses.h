// Internal to the auth service: JSON request bodies and responses.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "labkit/http/server.h"

namespace auth::service {

// JsonResponse returns `status` with `body` serialized as JSON.
labkit::http::Response JsonResponse(int status, const boost::json::object& body);

// OAuthError returns `status` with the RFC 6749 section 5.2 error body
// {"error": error, "error_description": description}. Token endpoints also
// send Cache-Control: no-store.
labkit::http::Response OAuthError(int status, std::string_view error,
                                  std::string_view description);

// ParseBody parses the request body as one strict JSON object into *body.
// Returns the 400 invalid_request response when it is not one.
std::optional<labkit::http::Response> ParseBody(
    const labkit::http::Request& request, boost::json::object* body);

// ReadStringMember copies the string member `name` of `body` into *out.
// Returns the 400 invalid_request response naming the member when it is
// missing or not a string.
std::optional<labkit::http::Response> ReadStringMember(
    const boost::json::object& body, std::string_view name, std::string* out);

// ShortHash returns 8 hex digits of the FNV-1a hash of `text`: a stable
// id for logs that does not reveal the text.
std::string ShortHash(std::string_view text);

}  // namespace auth::service
