// The bearer middleware: AuthenticateBearer, the RFC 6750 checks of one
// request's Authorization header. The challenges it returns are built in
// bearer_challenge.cc.
#include "auth/service/bearer.h"

#include <boost/json/object.hpp>

#include "auth/jwt.h"

namespace auth::service {
namespace {

namespace json = boost::json;

// IsB64TokenChar is true for the characters of RFC 6750's b64token before
// its optional trailing '=' padding.
bool IsB64TokenChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/';
}

// IsB64Token checks RFC 6750 section 2.1: 1*b64token-char *"=".
bool IsB64Token(std::string_view token) {
  std::size_t i = 0;
  while (i < token.size() && IsB64TokenChar(token[i])) ++i;
  if (i == 0) return false;
  while (i < token.size() && token[i] == '=') ++i;
  return i == token.size();
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

BearerChallenge NoCredentials(std::string log_detail) {
  return BearerChallenge{401, BearerError::kNone, "", std::move(log_detail)};
}

BearerChallenge InvalidToken(std::string description, std::string log_detail) {
  return BearerChallenge{401, BearerError::kInvalidToken,
                         std::move(description), std::move(log_detail)};
}

std::string CodeDetail(const Error& error) {
  return std::string(ErrorCodeName(error.code)) + ": " + error.message;
}

// ReadString reads an optional string claim into `out`. Returns false when
// the claim is present but not a string.
bool ReadString(const json::object& claims, std::string_view name,
                std::string& out) {
  const json::value* value = claims.if_contains(name);
  if (value == nullptr) return true;
  if (!value->is_string()) return false;
  out.assign(value->get_string().data(), value->get_string().size());
  return true;
}

// ReadRoles reads the optional roles claim. Returns false when it is not an
// array of strings.
bool ReadRoles(const json::object& claims, std::vector<std::string>& roles) {
  const json::value* value = claims.if_contains("roles");
  if (value == nullptr) return true;
  if (!value->is_array()) return false;
  for (const json::value& role : value->get_array()) {
    if (!role.is_string()) return false;
    roles.emplace_back(role.get_string().data(), role.get_string().size());
  }
  return true;
}

// ReadPrincipal copies the claims a Principal needs, or returns the
// invalid_token challenge naming the claim that is missing or malformed.
BearerResult ReadPrincipal(const json::object& claims) {
  Principal principal;
  if (!ReadString(claims, "sub", principal.subject) ||
      principal.subject.empty()) {
    return InvalidToken("the access token has no subject",
                        "claim 'sub' is missing, empty or not a string");
  }
  const std::pair<std::string_view, std::string*> optional_strings[] = {
      {"tenant", &principal.tenant},
      {"sid", &principal.session_id},
      {"jti", &principal.token_id}};
  for (const auto& [name, field] : optional_strings) {
    if (!ReadString(claims, name, *field)) {
      return InvalidToken("the access token is invalid",
                          "claim '" + std::string(name) + "' is not a string");
    }
  }
  if (!ReadRoles(claims, principal.roles)) {
    return InvalidToken("the access token is invalid",
                        "claim 'roles' is not an array of strings");
  }

  // VerifyJwt already required exp to be a number, so this only copies it.
  if (const json::value* exp = claims.if_contains("exp")) {
    principal.expires_at = static_cast<std::int64_t>(exp->to_number<double>());
  }
  return principal;
}

}  // namespace

BearerResult AuthenticateBearer(std::optional<std::string_view> authorization,
                                const KeySet& keys, const ClaimsPolicy& policy,
                                std::int64_t now_seconds) {
  // No credentials, or credentials of another scheme: a bare challenge.
  if (!authorization.has_value()) {
    return NoCredentials("no Authorization header");
  }
  const std::string_view header = *authorization;
  const std::size_t space = header.find(' ');
  const std::string_view scheme = header.substr(0, space);
  if (!EqualsIgnoringCase(scheme, "Bearer")) {
    return NoCredentials("Authorization scheme is not Bearer");
  }

  // "Bearer" 1*SP b64token, and nothing else.
  std::string_view token;
  if (space != std::string_view::npos) {
    token = header.substr(space);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  }
  if (token.empty()) {
    return InvalidRequest("the Authorization header has no bearer token");
  }
  if (!IsB64Token(token)) {
    return InvalidRequest(
        "the bearer token contains characters outside the b64token syntax");
  }

  // Verify the signature and the claims, then read the principal.
  Result<VerifiedJwt> jwt = VerifyJwt(keys, token, policy, now_seconds);
  if (!jwt.ok()) {
    return InvalidToken(std::string(TokenErrorDescription(jwt.error().code)),
                        CodeDetail(jwt.error()));
  }
  return ReadPrincipal(jwt.value().claims);
}

}  // namespace auth::service
