#include "auth/jws.h"

#include <array>
#include <string>

#include "auth/base64url.h"
#include "auth/json_strict.h"
#include "text_internal.h"

namespace auth {
namespace {

namespace json = boost::json;

// CompactParts are the three segments of a compact JWS, as received.
struct CompactParts {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  // signing_input is header '.' payload: the bytes the signature covers.
  std::string_view signing_input;
};

Result<CompactParts> SplitCompact(std::string_view token) {
  const std::size_t first = token.find('.');
  const std::size_t second =
      first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos ||
      token.find('.', second + 1) != std::string_view::npos) {
    return MakeError(ErrorCode::kMalformedToken,
                     "malformed token: a compact JWS has exactly three "
                     "segments separated by two '.'");
  }
  CompactParts parts;
  parts.header = token.substr(0, first);
  parts.payload = token.substr(first + 1, second - first - 1);
  parts.signature = token.substr(second + 1);
  parts.signing_input = token.substr(0, second);
  return parts;
}

Result<std::string> DecodeSegment(std::string_view name,
                                  std::string_view segment) {
  Result<std::string> bytes = Base64UrlDecode(segment);
  if (!bytes.ok()) {
    return MakeError(ErrorCode::kInvalidBase64url,
                     "the token's " + std::string(name) + " segment: " +
                         bytes.error().message);
  }
  return bytes;
}

// IsNone is true for "none" in any letter case.
bool IsNone(std::string_view alg) {
  constexpr std::string_view kNone = "none";
  if (alg.size() != kNone.size()) return false;
  for (std::size_t i = 0; i < alg.size(); ++i) {
    const char lower = (alg[i] >= 'A' && alg[i] <= 'Z')
                           ? static_cast<char>(alg[i] - 'A' + 'a')
                           : alg[i];
    if (lower != kNone[i]) return false;
  }
  return true;
}

bool IsImplemented(std::string_view alg) {
  for (Algorithm algorithm :
       {Algorithm::kHs256, Algorithm::kEs256, Algorithm::kEdDsa}) {
    if (alg == AlgorithmName(algorithm)) return true;
  }
  return false;
}

std::string_view StringOf(const json::value& value) {
  const json::string& s = value.get_string();
  return std::string_view(s.data(), s.size());
}

// JoseHeader is what verification reads from the protected header.
struct JoseHeader {
  std::string_view alg;
  bool has_kid = false;
  std::string_view kid;
};

Result<JoseHeader> ReadHeader(const json::object& header) {
  JoseHeader fields;
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) {
    return MakeError(ErrorCode::kMalformedHeader,
                     "malformed header: 'alg' is missing or not a string");
  }
  fields.alg = StringOf(*alg);

  const json::value* kid = header.if_contains("kid");
  if (kid != nullptr) {
    if (!kid->is_string()) {
      return MakeError(ErrorCode::kMalformedHeader,
                       "malformed header: 'kid' is not a string");
    }
    fields.has_kid = true;
    fields.kid = StringOf(*kid);
  }

  // RFC 7515 section 4.1.11: a recipient that does not understand every
  // extension listed in crit must reject the JWS. This one implements none.
  if (header.contains("crit")) {
    return MakeError(ErrorCode::kUnsupportedCritical,
                     "unsupported header: 'crit' lists extensions this "
                     "verifier does not implement");
  }
  return fields;
}

Result<const Key*> SelectKey(const KeySet& keys, const JoseHeader& header) {
  if (header.has_kid) {
    const Key* key = keys.Find(header.kid);
    if (key == nullptr) {
      return MakeError(ErrorCode::kUnknownKeyId,
                       "unknown kid '" + Printable(header.kid) +
                           "': no key in the key set has it");
    }
    return key;
  }
  if (keys.size() != 1) {
    return MakeError(ErrorCode::kKeyIdRequired,
                     "the header has no 'kid', and the key set has " +
                         std::to_string(keys.size()) +
                         " keys: a kid is required to choose one");
  }
  return &keys.keys().front();
}

Status CheckAlgorithm(const Key& key, std::string_view alg) {
  if (alg == AlgorithmName(key.algorithm())) return Status();
  return MakeError(ErrorCode::kAlgorithmMismatch,
                   "alg '" + Printable(alg) + "' does not match key '" +
                       key.kid() + "', which is an " +
                       std::string(AlgorithmName(key.algorithm())) + " key");
}

}  // namespace

Result<std::string> SignJws(const Key& key, std::string_view header_json,
                            std::string_view payload) {
  // Check the header as a verifier would, so it never signs a token that
  // VerifyJws rejects.
  Result<json::object> header = ParseStrictObject(header_json);
  if (!header.ok()) return header.error();
  Result<JoseHeader> fields = ReadHeader(header.value());
  if (!fields.ok()) return fields.error();
  Status matches = CheckAlgorithm(key, fields.value().alg);
  if (!matches.ok()) return matches.error();
  if (fields.value().has_kid && fields.value().kid != key.kid()) {
    return MakeError(ErrorCode::kMalformedHeader,
                     "header kid '" + Printable(fields.value().kid) +
                         "' is not the signing key's kid '" + key.kid() + "'");
  }

  std::string token = Base64UrlEncode(header_json);
  token += '.';
  token += Base64UrlEncode(payload);
  Result<std::string> signature = key.Sign(token);
  if (!signature.ok()) return signature.error();
  token += '.';
  token += Base64UrlEncode(signature.value());
  return token;
}

Result<VerifiedJws> VerifyJws(const KeySet& keys, std::string_view token,
                              const JwsOptions& options) {
  // Cap the size before reading anything.
  if (token.size() > options.max_token_bytes) {
    return MakeError(ErrorCode::kTokenTooLarge,
                     "token too large: " + std::to_string(token.size()) +
                         " bytes, the limit is " +
                         std::to_string(options.max_token_bytes));
  }

  // Split and decode the three segments.
  Result<CompactParts> parts = SplitCompact(token);
  if (!parts.ok()) return parts.error();
  Result<std::string> header_bytes =
      DecodeSegment("header", parts.value().header);
  if (!header_bytes.ok()) return header_bytes.error();
  Result<std::string> payload =
      DecodeSegment("payload", parts.value().payload);
  if (!payload.ok()) return payload.error();
  Result<std::string> signature =
      DecodeSegment("signature", parts.value().signature);
  if (!signature.ok()) return signature.error();

  // Read the header, and reject "none" before any cryptography.
  StrictJsonLimits limits;
  limits.max_bytes = options.max_token_bytes;
  Result<json::object> header = ParseStrictObject(header_bytes.value(), limits);
  if (!header.ok()) return header.error();
  Result<JoseHeader> fields = ReadHeader(header.value());
  if (!fields.ok()) return fields.error();
  if (IsNone(fields.value().alg)) {
    return MakeError(ErrorCode::kAlgNone,
                     "alg '" + Printable(fields.value().alg) +
                         "' is rejected: unsecured JWS is never accepted");
  }
  if (!IsImplemented(fields.value().alg)) {
    return MakeError(ErrorCode::kUnsupportedAlgorithm,
                     "alg '" + Printable(fields.value().alg) +
                         "' is not supported: use HS256, ES256 or EdDSA");
  }

  // Choose the key, and accept only the key's own algorithm.
  Result<const Key*> key = SelectKey(keys, fields.value());
  if (!key.ok()) return key.error();
  Status matches = CheckAlgorithm(*key.value(), fields.value().alg);
  if (!matches.ok()) return matches.error();

  // Verify over the segments exactly as received.
  Status verified =
      key.value()->Verify(parts.value().signing_input, signature.value());
  if (!verified.ok()) return verified.error();

  VerifiedJws result;
  result.header = std::move(header).value();
  result.payload = std::move(payload).value();
  result.key = key.value();
  return result;
}

}  // namespace auth
