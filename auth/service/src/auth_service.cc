// AuthService: construction, routing, and the account and token endpoints.
// The resource API is in documents.cc.
#include "auth/service/auth_service.h"

#include <array>
#include <atomic>
#include <chrono>
#include <future>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <spdlog/spdlog.h>

#include "auth/jwt.h"
#include "random_id.h"
#include "rate_limiter/rejection.h"
#include "responses.h"

namespace auth::service {
namespace {

namespace json = boost::json;
using labkit::http::Request;
using labkit::http::Response;

// kMinPasswordBytes is the shortest password accepted at registration,
// NIST SP 800-63B's minimum of 8 characters.
constexpr std::size_t kMinPasswordBytes = 8;

// kInvalidLogin is the error_description of every failed login, whether
// the username exists or not.
constexpr std::string_view kInvalidLogin = "invalid username or password";

// AwaitHasher waits up to `timeout` for a PasswordHasher future. A timeout
// is reported as kHasherOverloaded; the job still runs to completion.
template <typename T>
Result<T> AwaitHasher(std::future<Result<T>> future, labkit::Nanos timeout) {
  if (future.wait_for(std::chrono::nanoseconds(timeout)) !=
      std::future_status::ready) {
    return MakeError(ErrorCode::kHasherOverloaded,
                     "the password hasher did not finish within " +
                         std::to_string(timeout / kNanosPerSecond) + " s");
  }
  return future.get();
}

Response HasherUnavailable(const Error& error) {
  spdlog::warn("password hasher unavailable: {}", error.message);
  Response response = OAuthError(503, "temporarily_unavailable",
                                 "too many password checks at once; retry "
                                 "in a second");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

// TokenStoreUnavailable returns the 503 for a request that needed the
// refresh-token store while it is unreachable. The store logs the cause.
Response TokenStoreUnavailable() {
  Response response = OAuthError(503, "temporarily_unavailable",
                                 "the session store is unavailable; retry "
                                 "in a few seconds");
  response.headers.emplace_back("Retry-After", "5");
  return response;
}

Response ServerError(std::string_view what) {
  spdlog::error("{}", what);
  return OAuthError(500, "server_error", "the server failed; see its log");
}

Response MethodNotAllowed(std::string_view allowed) {
  Response response =
      OAuthError(405, "method_not_allowed", "use " + std::string(allowed));
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

json::array ToJson(const std::vector<std::string>& strings) {
  json::array array;
  for (const std::string& s : strings) array.emplace_back(s);
  return array;
}

}  // namespace

labkit::Nanos SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<AuthService>> AuthService::Create(
    AuthServiceOptions options, AuthServiceParts parts) {
  auto invalid = [](std::string message) {
    return MakeError(ErrorCode::kInvalidOptions, std::move(message));
  };

  // Every part is required.
  if (parts.users == nullptr || parts.hasher == nullptr ||
      parts.tokens == nullptr || parts.policy == nullptr ||
      parts.clock == nullptr || parts.wall_clock == nullptr) {
    return invalid("auth service parts are incomplete: users, hasher, tokens, "
                   "policy, clock and wall_clock are all required");
  }

  // The signing key must exist and be able to sign.
  const Key* signing = parts.keys.Find(options.signing_kid);
  if (signing == nullptr) {
    return invalid("no key with kid '" + options.signing_kid +
                   "' to sign access tokens: add it to the key set");
  }
  if (!signing->has_private_key()) {
    return invalid("key '" + options.signing_kid +
                   "' is a public key and cannot sign access tokens");
  }

  // Lifetimes and limits.
  if (options.access_token_ttl_seconds <= 0) {
    return invalid("access_token_ttl_seconds must be > 0, not " +
                   std::to_string(options.access_token_ttl_seconds));
  }
  if (options.hasher_timeout <= 0) {
    return invalid("hasher_timeout must be > 0 ns, not " +
                   std::to_string(options.hasher_timeout));
  }
  if (!rl::ValidQuota(options.login_per_account) ||
      !rl::ValidQuota(options.login_per_client) ||
      !rl::ValidQuota(options.register_per_client)) {
    return invalid("login and register quotas must have a positive limit, "
                   "period and burst");
  }
  Result<RefreshTokenService> refresh = RefreshTokenService::Create(
      *parts.tokens, *parts.wall_clock, options.refresh);
  if (!refresh.ok()) return refresh.error();

  return std::unique_ptr<AuthService>(new AuthService(
      std::move(options), std::move(parts), std::move(refresh).value()));
}

AuthService::AuthService(AuthServiceOptions options, AuthServiceParts parts,
                         RefreshTokenService refresh)
    : options_(std::move(options)),
      parts_(std::move(parts)),
      signing_key_(parts_.keys.Find(options_.signing_kid)),
      refresh_(std::move(refresh)),
      login_account_limit_{"login-account", rl::Algorithm::kGcra,
                           options_.login_per_account},
      login_client_limit_{"login-client", rl::Algorithm::kGcra,
                          options_.login_per_client},
      register_client_limit_{"register-client", rl::Algorithm::kGcra,
                             options_.register_per_client} {
  access_policy_.issuer = options_.issuer;
  access_policy_.audience = options_.audience;
  access_policy_.type = std::string(kAccessTokenType);
  access_policy_.require_exp = true;
  access_policy_.leeway_seconds = options_.leeway_seconds;
}

AuthService::~AuthService() = default;

std::int64_t AuthService::NowSeconds() const {
  return parts_.wall_clock->Now() / kNanosPerSecond;
}

Response AuthService::Handle(const Request& request) {
  Response response;
  const std::string_view path = request.path;
  const std::string_view method = request.method;
  if (path.starts_with("/api/documents/")) {
    response = Documents(request);
  } else if (path == "/.well-known/jwks.json") {
    response = method == "GET" ? Jwks() : MethodNotAllowed("GET");
  } else if (path == "/register") {
    response = method == "POST" ? Register(request) : MethodNotAllowed("POST");
  } else if (path == "/login") {
    response = method == "POST" ? Login(request) : MethodNotAllowed("POST");
  } else if (path == "/token/refresh") {
    response = method == "POST" ? Refresh(request) : MethodNotAllowed("POST");
  } else if (path == "/logout") {
    response = method == "POST" ? Logout(request) : MethodNotAllowed("POST");
  } else {
    response = OAuthError(404, "not_found", "no such endpoint");
  }
  spdlog::debug("{} {} from {} -> {}", method, path, request.remote_address,
                response.status);
  return response;
}

std::optional<Response> AuthService::CheckLimits(
    const Request& request, std::span<const rl::LimitRequest> limits) {
  rl::MultiDecision outcome = limits_.DecideAll(limits, parts_.clock->Now());
  if (outcome.allowed) return std::nullopt;

  counters_.rate_limited.fetch_add(1, std::memory_order_relaxed);
  const rl::Limit& limit = *limits[outcome.deciding].limit;
  rl::HttpAnswer answer = rl::MakeRejection(
      limit.name, limit.quota, outcome.decisions[outcome.deciding],
      request.path);
  Response response;
  response.status = answer.status;
  response.content_type = std::move(answer.content_type);
  response.headers = std::move(answer.headers);
  response.body = std::move(answer.body);
  return response;
}

Response AuthService::Register(const Request& request) {
  // Read and check the username and password.
  json::object body;
  if (auto error = ParseBody(request, &body)) return *error;
  std::string username;
  std::string password;
  if (auto error = ReadStringMember(body, "username", &username)) return *error;
  if (auto error = ReadStringMember(body, "password", &password)) return *error;
  username = FoldUsername(username);
  if (std::string problem = ValidateUsername(username); !problem.empty()) {
    return OAuthError(400, "invalid_request", problem);
  }
  if (password.size() < kMinPasswordBytes ||
      password.size() > kMaxPasswordBytes) {
    return OAuthError(400, "invalid_request",
                      "password must be " + std::to_string(kMinPasswordBytes) +
                          " to " + std::to_string(kMaxPasswordBytes) +
                          " bytes long, not " +
                          std::to_string(password.size()));
  }

  // Each registration costs one argon2id hash, so limit it per client.
  const std::string client_key = "client:" + std::string(request.remote_address);
  const rl::LimitRequest limit{client_key, &register_client_limit_};
  if (auto limited = CheckLimits(request, {&limit, 1})) {
    spdlog::info("registration from {} rate-limited", request.remote_address);
    return *limited;
  }

  // Hash on the worker pool, then store.
  Result<std::string> hash = AwaitHasher(
      parts_.hasher->Hash(std::move(password)), options_.hasher_timeout);
  if (!hash.ok()) {
    if (hash.error().code == ErrorCode::kHasherOverloaded ||
        hash.error().code == ErrorCode::kHasherStopped) {
      return HasherUnavailable(hash.error());
    }
    return ServerError("password hashing failed: " + hash.error().message);
  }
  NewUser new_user{username, std::move(hash).value(), options_.default_tenant,
                   options_.default_roles, NowSeconds()};
  User user;
  StoreStatus created = parts_.users->Create(new_user, &user);
  // NOTE: a 409 reveals to the client that the username exists. Registration
  // needs a unique name, so only the per-client limit slows enumeration.
  if (created.code() == StoreStatus::Code::kAlreadyExists) {
    return OAuthError(409, "username_taken", created.message());
  }
  if (!created.ok()) return ServerError(created.message());

  counters_.registrations.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("registered user {} in tenant {} with roles [{}]", user.id,
               user.tenant, fmt::join(user.roles, ", "));
  json::object reply;
  reply["user_id"] = user.id;
  reply["username"] = user.username;
  reply["tenant"] = user.tenant;
  reply["roles"] = ToJson(user.roles);
  return JsonResponse(201, reply);
}

Response AuthService::Login(const Request& request) {
  // Read the credentials. A too-long password is rejected before the user
  // is looked up, so the response does not depend on whether the user exists.
  json::object body;
  if (auto error = ParseBody(request, &body)) return *error;
  std::string username;
  std::string password;
  if (auto error = ReadStringMember(body, "username", &username)) return *error;
  if (auto error = ReadStringMember(body, "password", &password)) return *error;
  username = FoldUsername(username);
  if (password.size() > kMaxPasswordBytes) {
    return OAuthError(400, "invalid_request",
                      "password is longer than " +
                          std::to_string(kMaxPasswordBytes) + " bytes");
  }

  // Decide both limits before any password work: per account against
  // guessing one password, per client against credential stuffing.
  // Failed logins are logged by a hash of the username, because users
  // sometimes type their password into the username field.
  const std::string account = ShortHash(username);
  const std::string account_key = "account:" + username;
  const std::string client_key = "client:" + std::string(request.remote_address);
  const std::array<rl::LimitRequest, 2> limits{
      rl::LimitRequest{account_key, &login_account_limit_},
      rl::LimitRequest{client_key, &login_client_limit_}};
  if (auto limited = CheckLimits(request, limits)) {
    spdlog::info("login for account#{} from {} rate-limited", account,
                 request.remote_address);
    return *limited;
  }

  // Look the user up. An unknown user still costs one full argon2id
  // verification (against a dummy hash), so timing does not tell.
  User user;
  StoreStatus found = parts_.users->FindByUsername(username, &user);
  if (!found.ok() && found.code() != StoreStatus::Code::kNotFound) {
    return ServerError(found.message());
  }
  std::optional<std::string> stored_hash;
  if (found.ok()) stored_hash = user.password_hash;
  Result<LoginOutcome> outcome = AwaitHasher(
      parts_.hasher->Login(std::move(stored_hash), std::move(password)),
      options_.hasher_timeout);

  // Every failed login gets the same response, whatever the cause.
  if (!outcome.ok()) {
    switch (outcome.error().code) {
      case ErrorCode::kInvalidCredentials:
        counters_.failed_logins.fetch_add(1, std::memory_order_relaxed);
        spdlog::info("login failed for account#{} from {}", account,
                     request.remote_address);
        return OAuthError(400, "invalid_grant", kInvalidLogin);
      case ErrorCode::kHasherOverloaded:
      case ErrorCode::kHasherStopped:
        return HasherUnavailable(outcome.error());
      default:
        return ServerError("login of user " + user.id +
                           " failed: " + outcome.error().message);
    }
  }

  // Upgrade a hash made under older parameters while the password is known.
  if (outcome.value().new_hash.has_value()) {
    StoreStatus updated =
        parts_.users->UpdatePasswordHash(user.id, *outcome.value().new_hash);
    if (updated.ok()) {
      counters_.rehashes.fetch_add(1, std::memory_order_relaxed);
      spdlog::info("upgraded the password hash of user {}", user.id);
    } else {
      spdlog::error("could not store the upgraded hash of user {}: {}",
                    user.id, updated.message());
    }
  }

  // Start a session: a refresh-token family and an access token.
  Result<IssuedRefreshToken> issued = refresh_.Issue(user.id);
  if (!issued.ok()) {
    if (issued.error().code == ErrorCode::kTokenStoreUnavailable) {
      return TokenStoreUnavailable();
    }
    return ServerError(issued.error().message);
  }
  counters_.logins.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("user {} logged in from {}: session {}", user.id,
               request.remote_address, issued.value().family_id);
  return IssueTokens(user, issued.value());
}

Response AuthService::Refresh(const Request& request) {
  json::object body;
  if (auto error = ParseBody(request, &body)) return *error;
  std::string token;
  if (auto error = ReadStringMember(body, "refresh_token", &token)) {
    return *error;
  }

  // Rotate: a reused token revokes its family (logged by the service).
  Result<IssuedRefreshToken> rotated = refresh_.Rotate(token);
  if (!rotated.ok()) {
    const Error& error = rotated.error();
    if (error.code == ErrorCode::kTokenStoreUnavailable) {
      return TokenStoreUnavailable();
    }
    if (error.code == ErrorCode::kTokenStoreFailure) {
      return ServerError("refresh failed: " + error.message);
    }
    if (error.code == ErrorCode::kRefreshTokenReused) {
      counters_.refresh_reuse.fetch_add(1, std::memory_order_relaxed);
    }
    spdlog::info("refresh rejected ({}): {}", ErrorCodeName(error.code),
                 error.message);
    return OAuthError(400, OAuthErrorCode(error.code), error.message);
  }

  // Re-read the user, so a role change takes effect at the next refresh.
  const IssuedRefreshToken& next = rotated.value();
  User user;
  StoreStatus found = parts_.users->FindById(next.subject, &user);
  if (found.code() == StoreStatus::Code::kNotFound) {
    (void)refresh_.RevokeFamily(next.family_id);
    return OAuthError(400, "invalid_grant", "the user no longer exists");
  }
  if (!found.ok()) return ServerError(found.message());

  counters_.refreshes.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("session {} of user {} refreshed", next.family_id, user.id);
  return IssueTokens(user, next);
}

Response AuthService::Logout(const Request& request) {
  json::object body;
  if (auto error = ParseBody(request, &body)) return *error;
  std::string token;
  if (auto error = ReadStringMember(body, "refresh_token", &token)) {
    return *error;
  }

  // RFC 7009 section 2.2: an unknown or already revoked token gets the
  // same 200, since the client's aim (the token is unusable) holds.
  Status revoked = refresh_.Logout(token);
  if (!revoked.ok()) {
    if (revoked.error().code == ErrorCode::kTokenStoreUnavailable) {
      return TokenStoreUnavailable();
    }
    if (revoked.error().code == ErrorCode::kTokenStoreFailure) {
      return ServerError("logout failed: " + revoked.error().message);
    }
    spdlog::info("logout with a refresh token that is not active: {}",
                 ErrorCodeName(revoked.error().code));
  }
  json::object reply;
  reply["logged_out"] = true;
  Response response = JsonResponse(200, reply);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

Response AuthService::Jwks() const {
  Result<std::string> jwks = parts_.keys.PublicJwks();
  if (!jwks.ok()) return ServerError("JWKS failed: " + jwks.error().message);
  Response response;
  response.content_type = "application/jwk-set+json";
  response.headers.emplace_back("Cache-Control", "public, max-age=300");
  response.body = std::move(jwks).value();
  return response;
}

Response AuthService::IssueTokens(const User& user,
                                  const IssuedRefreshToken& refresh) {
  // The access token's claims (RFC 9068 section 2.2, with roles, tenant and
  // the session id sid).
  const std::int64_t now = NowSeconds();
  json::object claims;
  claims["iss"] = options_.issuer;
  claims["aud"] = options_.audience;
  claims["sub"] = user.id;
  claims["iat"] = now;
  claims["exp"] = now + options_.access_token_ttl_seconds;
  claims["jti"] = RandomId("at_");
  claims["sid"] = refresh.family_id;
  claims["tenant"] = user.tenant;
  claims["roles"] = ToJson(user.roles);
  Result<std::string> access = SignJwt(*signing_key_, claims, kAccessTokenType);
  if (!access.ok()) {
    return ServerError("signing an access token failed: " +
                       access.error().message);
  }

  // The token response (RFC 6749 section 5.1), never cached.
  json::object reply;
  reply["access_token"] = std::move(access).value();
  reply["token_type"] = "Bearer";
  reply["expires_in"] = options_.access_token_ttl_seconds;
  reply["refresh_token"] = refresh.token;
  reply["refresh_token_expires_in"] =
      (refresh.expires_at - parts_.wall_clock->Now()) / kNanosPerSecond;
  reply["session_id"] = refresh.family_id;
  Response response = JsonResponse(200, reply);
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

AuthServiceStats AuthService::stats() const {
  auto load = [](const std::atomic<std::uint64_t>& counter) {
    return counter.load(std::memory_order_relaxed);
  };
  AuthServiceStats stats;
  stats.registrations = load(counters_.registrations);
  stats.logins = load(counters_.logins);
  stats.failed_logins = load(counters_.failed_logins);
  stats.rate_limited = load(counters_.rate_limited);
  stats.refreshes = load(counters_.refreshes);
  stats.refresh_reuse = load(counters_.refresh_reuse);
  stats.rehashes = load(counters_.rehashes);
  stats.bearer_rejected = load(counters_.bearer_rejected);
  return stats;
}

}  // namespace auth::service
