// AuthService: the resource API behind the bearer middleware and the
// policy engine.
#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>

#include "auth/service/auth_service.h"
#include "responses.h"

namespace auth::service {
namespace {

namespace json = boost::json;
using labkit::http::Request;
using labkit::http::Response;

constexpr std::string_view kDocumentsPrefix = "/api/documents/";

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// IsDocumentId is true for 1 to 64 characters of A-Z, a-z, 0-9, '.', '_'
// and '-'. Ids appear in error descriptions, so they never hold a quote.
bool IsDocumentId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                         c == '-';
    if (!allowed) return false;
  }
  return true;
}

// ActionFor returns the policy action of an API method, or "" for a method
// the API does not serve.
std::string_view ActionFor(std::string_view method) {
  if (method == "GET") return "read";
  if (method == "PUT") return "write";
  if (method == "DELETE") return "delete";
  return "";
}

}  // namespace

std::optional<Principal> AuthService::Authenticate(const Request& request,
                                                   Response* rejection) {
  // RFC 6750 section 2: a request carries at most one access token.
  std::optional<std::string_view> authorization;
  int headers = 0;
  for (const auto& [name, value] : request.headers) {
    if (!EqualsIgnoringCase(name, "Authorization")) continue;
    authorization = value;
    ++headers;
  }
  if (headers > 1) {
    *rejection = Challenge(
        request, InvalidRequest("send exactly one Authorization header"));
    return std::nullopt;
  }

  BearerResult bearer = AuthenticateBearer(authorization, parts_.keys,
                                           access_policy_, NowSeconds());
  if (!bearer.ok()) {
    *rejection = Challenge(request, bearer.challenge());
    return std::nullopt;
  }
  return bearer.principal();
}

Response AuthService::Challenge(const Request& request,
                                const BearerChallenge& challenge) {
  counters_.bearer_rejected.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("{} {} from {} rejected with {} {}: {}", request.method,
               request.path, request.remote_address, challenge.status,
               challenge.error == BearerError::kNone
                   ? "without credentials"
                   : BearerErrorName(challenge.error),
               challenge.log_detail);

  json::object body;
  if (challenge.error == BearerError::kNone) {
    body["error"] = "unauthorized";
    body["error_description"] =
        "this resource needs an access token: send Authorization: Bearer "
        "<token>";
  } else {
    body["error"] = BearerErrorName(challenge.error);
    body["error_description"] = challenge.description;
  }
  Response response = JsonResponse(challenge.status, body);
  response.headers.emplace_back("WWW-Authenticate",
                                challenge.WwwAuthenticate(options_.realm));
  return response;
}

Response AuthService::Documents(const Request& request) {
  // Authenticate first, so an anonymous client learns nothing, not even
  // which methods or ids exist.
  Response rejection;
  std::optional<Principal> principal = Authenticate(request, &rejection);
  if (!principal.has_value()) return rejection;

  // Check the method and the id.
  const std::string_view action = ActionFor(request.method);
  if (action.empty()) {
    Response response = OAuthError(405, "method_not_allowed",
                                   "use GET, PUT or DELETE");
    response.headers.emplace_back("Allow", "GET, PUT, DELETE");
    return response;
  }
  const std::string_view id = request.path.substr(kDocumentsPrefix.size());
  if (!IsDocumentId(id)) {
    return OAuthError(404, "not_found",
                      "document ids are 1 to 64 characters of A-Z, a-z, "
                      "0-9, '.', '_' and '-'");
  }

  // Ask the policy engine. The lock makes the check and the change one
  // step, so an owner or tenant cannot change in between.
  Subject subject{principal->subject, principal->tenant, principal->roles, {}};
  std::lock_guard lock(documents_mu_);
  auto found = documents_.find(id);
  if (found == documents_.end() && action != "write") {
    return OAuthError(404, "not_found",
                      "document '" + std::string(id) + "' does not exist");
  }
  // A new document would belong to the caller, in the caller's tenant.
  const Document& target = found != documents_.end()
                               ? found->second
                               : Document{subject.id, subject.tenant, ""};
  Resource resource{"document", std::string(id), target.owner, target.tenant,
                    {}};
  AccessDecision decision =
      parts_.policy->Check(subject, resource, AccessRequest{std::string(action), {}});
  if (!decision.allowed) {
    spdlog::info("user {} may not {} document {}: {}", subject.id, action, id,
                 decision.Explanation());
    return Challenge(request,
                     InsufficientScope("your roles do not allow " +
                                       std::string(action) + " on document " +
                                       std::string(id)));
  }

  // Carry the action out.
  json::object reply;
  reply["id"] = id;
  if (action == "delete") {
    documents_.erase(found);
    spdlog::info("user {} deleted document {}", subject.id, id);
    Response response;
    response.status = 204;
    return response;
  }
  int status = 200;
  if (action == "write") {
    if (found == documents_.end()) {
      found = documents_.emplace(std::string(id), target).first;
      status = 201;
    }
    found->second.body = std::string(request.body);
  }
  reply["owner"] = found->second.owner;
  reply["tenant"] = found->second.tenant;
  reply["body"] = found->second.body;
  return JsonResponse(status, reply);
}

}  // namespace auth::service
