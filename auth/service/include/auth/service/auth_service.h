// AuthService: the auth lab's HTTP service, a handler for
// labkit::http::Server.
//
// Accounts and tokens (JSON bodies; errors are RFC 6749 section 5.2 JSON,
// {"error":"invalid_grant","error_description":"..."}):
//
//   POST /register        {"username","password"}      201 the new user
//   POST /login           {"username","password"}      200 tokens
//   POST /token/refresh   {"refresh_token"}            200 new tokens
//   POST /logout          {"refresh_token"}            200, the family revoked
//   GET  /.well-known/jwks.json                        the public keys
//
// The resource API, behind the bearer middleware (auth/service/bearer.h)
// and the policy engine (auth/policy.h):
//
//   GET    /api/documents/{id}   action "read"
//   PUT    /api/documents/{id}   action "write": the body becomes the
//                                document; a new one is owned by the caller
//   DELETE /api/documents/{id}   action "delete"
//
// Login defends against credential stuffing and password guessing with two
// rate limits, decided together before any password work (rl::KeyedStore):
// one per account (the username) and one per client address. A rejected
// login gets 429 with Retry-After (rl::MakeRejection). A failed login gets
// the same 400 invalid_grant whether the user exists or not, after the same
// argon2id work (PasswordHasher::Login).
//
// Passwords are hashed on the PasswordHasher's worker pool. The server's
// Handler returns a Response synchronously, so the HTTP thread that takes a
// register or login request waits on the pool's future, for at most
// hasher_timeout. Run the server with more threads than the pool and
// without reuse_port, so the other threads keep serving tokens, JWKS and
// the API while logins wait. When the pool's queue is full, the request gets 503 at once.
//
// Access tokens are JWTs signed with the key named signing_kid (typ
// "at+jwt", RFC 9068), carrying sub, roles, tenant, sid (the refresh-token
// family) and jti. They are verified without any store look-up, so a token
// stays valid until its exp even after logout: keep access_token_ttl short.
// Refresh tokens rotate on every use; presenting a rotated one revokes its
// whole family (auth/refresh.h).
//
// Logs name users by id, sessions by family id and failed logins by a hash
// of the username; passwords, tokens and keys are never logged.
//
// Thread-safety: Handle may be called from any number of threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "auth/claims.h"
#include "auth/errors.h"
#include "auth/jwk.h"
#include "auth/password.h"
#include "auth/policy.h"
#include "auth/refresh.h"
#include "auth/service/bearer.h"
#include "auth/service/user_store.h"
#include "labkit/clock.h"
#include "labkit/http/server.h"
#include "rate_limiter/keyed_store.h"
#include "rate_limiter/limiter.h"

namespace auth::service {

constexpr labkit::Nanos kNanosPerSecond = 1'000'000'000;

// SystemClock reads std::chrono::system_clock: nanoseconds since the Unix
// epoch, the time that JWT exp and iat count in.
class SystemClock final : public labkit::Clock {
 public:
  labkit::Nanos Now() const override;
};

struct AuthServiceOptions {
  // issuer and audience are the access tokens' iss and aud.
  std::string issuer = "labkit-auth";
  std::string audience = "labkit-api";
  // realm is the WWW-Authenticate realm.
  std::string realm = "labkit";
  // signing_kid names the key in `keys` that signs access tokens; it must
  // have a private part. Every key in `keys` verifies.
  std::string signing_kid;
  // access_token_ttl_seconds is the access tokens' lifetime. REQUIRES: > 0.
  std::int64_t access_token_ttl_seconds = 300;
  // leeway_seconds is the clock skew allowed when verifying exp and nbf.
  std::int64_t leeway_seconds = 30;
  // tenant and roles are what a newly registered user gets.
  std::string default_tenant = "default";
  std::vector<std::string> default_roles = {"editor"};
  // login_per_account and login_per_client limit login attempts, counted
  // whether they succeed or not. register_per_client limits registrations.
  rl::Quota login_per_account{5, 60 * kNanosPerSecond, 5};
  rl::Quota login_per_client{20, 60 * kNanosPerSecond, 20};
  rl::Quota register_per_client{10, 60 * kNanosPerSecond, 10};
  // refresh sets the refresh tokens' lifetimes.
  RefreshTokenOptions refresh;
  // hasher_timeout is how long a request waits for the password hasher
  // before it gets 503. REQUIRES: > 0.
  labkit::Nanos hasher_timeout = 10 * kNanosPerSecond;
};

// AuthServiceParts are what the service runs on. The pointed-to objects
// must outlive the service.
struct AuthServiceParts {
  UserStore* users = nullptr;
  PasswordHasher* hasher = nullptr;
  TokenStore* tokens = nullptr;
  // keys verify access tokens; the one named signing_kid also signs them.
  KeySet keys;
  const Policy* policy = nullptr;
  // clock is monotonic, for rate limits. wall_clock counts from the Unix
  // epoch, for the JWT times and the refresh-token lifetimes, which a
  // shared token store compares across processes.
  const labkit::Clock* clock = nullptr;
  const labkit::Clock* wall_clock = nullptr;
};

// AuthServiceStats are counters since construction.
struct AuthServiceStats {
  std::uint64_t registrations = 0;
  std::uint64_t logins = 0;          // successful
  std::uint64_t failed_logins = 0;   // invalid_grant
  std::uint64_t rate_limited = 0;    // 429 on /login or /register
  std::uint64_t refreshes = 0;       // successful
  std::uint64_t refresh_reuse = 0;   // reuse detected, family revoked
  std::uint64_t rehashes = 0;        // stored hashes upgraded at login
  std::uint64_t bearer_rejected = 0; // API requests rejected with 400, 401 or 403
};

class AuthService {
 public:
  // Create checks `options` and `parts` and returns the service, or
  // kInvalidOptions naming the first problem (a missing part, no key named
  // signing_kid, a signing key without its private part, a TTL <= 0).
  static Result<std::unique_ptr<AuthService>> Create(AuthServiceOptions options,
                                                     AuthServiceParts parts);
  ~AuthService();
  AuthService(const AuthService&) = delete;
  AuthService& operator=(const AuthService&) = delete;

  // Handle returns the response to one request; pass it to
  // labkit::http::Server.
  labkit::http::Response Handle(const labkit::http::Request& request);

  AuthServiceStats stats() const;
  const AuthServiceOptions& options() const { return options_; }

 private:
  // Counters are the atomics behind AuthServiceStats.
  struct Counters {
    std::atomic<std::uint64_t> registrations{0};
    std::atomic<std::uint64_t> logins{0};
    std::atomic<std::uint64_t> failed_logins{0};
    std::atomic<std::uint64_t> rate_limited{0};
    std::atomic<std::uint64_t> refreshes{0};
    std::atomic<std::uint64_t> refresh_reuse{0};
    std::atomic<std::uint64_t> rehashes{0};
    std::atomic<std::uint64_t> bearer_rejected{0};
  };

  // Document is one stored document of the resource API.
  struct Document {
    std::string owner;   // the creating user's id
    std::string tenant;  // the creating user's tenant
    std::string body;
  };

  AuthService(AuthServiceOptions options, AuthServiceParts parts,
              RefreshTokenService refresh);

  labkit::http::Response Register(const labkit::http::Request& request);
  labkit::http::Response Login(const labkit::http::Request& request);
  labkit::http::Response Refresh(const labkit::http::Request& request);
  labkit::http::Response Logout(const labkit::http::Request& request);
  labkit::http::Response Jwks() const;
  labkit::http::Response Documents(const labkit::http::Request& request);

  // IssueTokens signs an access token for `user` in session `family_id` and
  // returns the token response with `refresh_token`.
  labkit::http::Response IssueTokens(const User& user,
                                     const IssuedRefreshToken& refresh);
  // Authenticate runs the bearer middleware on `request`. It returns the
  // principal, or nullopt with the challenge response in *rejection.
  std::optional<Principal> Authenticate(const labkit::http::Request& request,
                                        labkit::http::Response* rejection);
  labkit::http::Response Challenge(const labkit::http::Request& request,
                                   const BearerChallenge& challenge);
  // CheckLimits decides `limits` all or nothing, and returns the 429
  // response when they reject the request.
  std::optional<labkit::http::Response> CheckLimits(
      const labkit::http::Request& request,
      std::span<const rl::LimitRequest> limits);
  std::int64_t NowSeconds() const;

  const AuthServiceOptions options_;
  AuthServiceParts parts_;
  const Key* signing_key_;
  ClaimsPolicy access_policy_;
  RefreshTokenService refresh_;
  rl::KeyedStore limits_;
  const rl::Limit login_account_limit_;
  const rl::Limit login_client_limit_;
  const rl::Limit register_client_limit_;
  Counters counters_;

  std::mutex documents_mu_;
  std::map<std::string, Document, std::less<>> documents_;  // guarded
};

}  // namespace auth::service
