#include "auth/jwt.h"

#include <boost/json/serialize.hpp>

#include "auth/json_strict.h"

namespace auth {
namespace {

namespace json = boost::json;

JsonType TypeOf(const json::value* value) {
  if (value == nullptr) return JsonType::kAbsent;
  switch (value->kind()) {
    case json::kind::null: return JsonType::kNull;
    case json::kind::bool_: return JsonType::kBool;
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return JsonType::kNumber;
    case json::kind::string: return JsonType::kString;
    case json::kind::array: return JsonType::kArray;
    case json::kind::object: return JsonType::kObject;
  }
  return JsonType::kNull;
}

NumericDateClaim ReadNumericDate(const json::object& claims,
                                 std::string_view name) {
  const json::value* value = claims.if_contains(name);
  NumericDateClaim claim;
  claim.type = TypeOf(value);
  if (claim.type == JsonType::kNumber) claim.seconds = value->to_number<double>();
  return claim;
}

StringClaim ReadString(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  StringClaim claim;
  claim.type = TypeOf(value);
  if (claim.type == JsonType::kString) {
    claim.value = std::string(value->get_string().c_str(),
                              value->get_string().size());
  }
  return claim;
}

AudienceClaim ReadAudience(const json::object& claims) {
  const json::value* value = claims.if_contains("aud");
  AudienceClaim claim;
  claim.type = TypeOf(value);
  if (claim.type == JsonType::kString) {
    claim.values.emplace_back(value->get_string().c_str(),
                              value->get_string().size());
  } else if (claim.type == JsonType::kArray) {
    for (const json::value& element : value->get_array()) {
      if (element.is_string()) {
        claim.values.emplace_back(element.get_string().c_str(),
                                  element.get_string().size());
      } else {
        ++claim.non_string_elements;
      }
    }
  }
  return claim;
}

}  // namespace

ClaimsSet ExtractClaims(const json::object& header,
                        const json::object& claims) {
  ClaimsSet set;
  set.exp = ReadNumericDate(claims, "exp");
  set.nbf = ReadNumericDate(claims, "nbf");
  set.iat = ReadNumericDate(claims, "iat");
  set.iss = ReadString(claims, "iss");
  set.aud = ReadAudience(claims);
  set.typ = ReadString(header, "typ");
  return set;
}

Result<std::string> SignJwt(const Key& key, const json::object& claims,
                            std::string_view typ) {
  json::object header;
  header["alg"] = AlgorithmName(key.algorithm());
  if (!typ.empty()) header["typ"] = typ;
  if (!key.kid().empty()) header["kid"] = key.kid();
  return SignJws(key, json::serialize(header), json::serialize(claims));
}

Result<VerifiedJwt> VerifyJwt(const KeySet& keys, std::string_view token,
                              const ClaimsPolicy& policy,
                              std::int64_t now_seconds,
                              const JwsOptions& options) {
  Result<VerifiedJws> jws = VerifyJws(keys, token, options);
  if (!jws.ok()) return jws.error();

  // The payload of a JWT is a JSON object, the claims set.
  StrictJsonLimits limits;
  limits.max_bytes = options.max_token_bytes;
  Result<json::object> claims = ParseStrictObject(jws.value().payload, limits);
  if (!claims.ok()) {
    if (claims.error().code == ErrorCode::kDuplicateMember) {
      return claims.error();
    }
    return MakeError(ErrorCode::kNotAClaimsSet,
                     "the payload is not a JWT claims set: " +
                         claims.error().message);
  }

  Status valid = ValidateClaims(ExtractClaims(jws.value().header,
                                              claims.value()),
                                policy, now_seconds);
  if (!valid.ok()) return valid.error();

  VerifiedJwt result;
  result.header = std::move(jws.value().header);
  result.claims = std::move(claims).value();
  result.key = jws.value().key;
  return result;
}

}  // namespace auth
