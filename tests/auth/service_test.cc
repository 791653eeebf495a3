// End-to-end tests of the auth service over real HTTP on 127.0.0.1.
//
// Each test starts AuthService on labkit::http::Server with users in an
// in-memory SQLite database, the real argon2id hasher, and manual clocks,
// so expiry and rate limits are stepped exactly. Requests go through the
// loopback client, one connection each.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "auth/base64url.h"
#include "auth/jwk.h"
#include "auth/jwt.h"
#include "auth/password.h"
#include "auth/policy.h"
#include "auth/refresh.h"
#include "auth/service/auth_service.h"
#include "auth/service/loopback_client.h"
#include "auth/service/user_store.h"
#include "labkit/clock.h"
#include "labkit/http/server.h"

namespace auth::service {
namespace {

namespace json = boost::json;

constexpr labkit::Nanos kSecond = 1'000'000'000;
// The HS256 secret that signs access tokens in these tests (40 bytes).
constexpr char kSecret[] = "test-hmac-secret-0123456789-abcdefghijkl";
constexpr char kPassword[] = "correct horse battery staple";
// The wall clock starts here, in seconds since the Unix epoch.
constexpr std::int64_t kStartSeconds = 1'800'000'000;

// Tokens are what a successful login or refresh returns.
struct Tokens {
  std::string access;
  std::string refresh;
  std::string session;
};

json::object ParseObject(const std::string& body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  return value.get_object();
}

std::string StringMember(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  return value && value->is_string() ? std::string(value->get_string()) : "";
}

class AuthServiceTest : public ::testing::Test {
 protected:
  static AuthServiceOptions DefaultOptions() {
    AuthServiceOptions options;
    options.signing_kid = "hs-1";
    return options;
  }

  // Start runs the service with `options` on a free loopback port.
  void Start(AuthServiceOptions options = DefaultOptions()) {
    ASSERT_TRUE(UserStore::Open(":memory:", &users_).ok());
    auto hasher = PasswordHasher::Create({.threads = 2, .queue_capacity = 64, .params = {}});
    ASSERT_TRUE(hasher.ok()) << hasher.error().message;
    hasher_ = std::move(hasher).value();
    auto policy = Policy::LoadFile(AUTH_SAMPLE_POLICY);
    ASSERT_TRUE(policy.ok()) << policy.error().message;
    policy_ = std::make_unique<Policy>(std::move(policy).value());

    // An HS256 key signs; an EdDSA key is there to be published.
    KeySet keys;
    auto secret = Key::FromSecret("hs-1", kSecret);
    auto ed = Key::Generate(Algorithm::kEdDsa, "ed-1");
    ASSERT_TRUE(secret.ok()) << secret.error().message;
    ASSERT_TRUE(ed.ok()) << ed.error().message;
    ASSERT_TRUE(keys.Add(secret.value()).ok());
    ASSERT_TRUE(keys.Add(std::move(ed).value()).ok());

    auto service = AuthService::Create(
        options, {users_.get(), hasher_.get(), &tokens_, std::move(keys),
                  policy_.get(), &clock_, &wall_clock_});
    ASSERT_TRUE(service.ok()) << service.error().message;
    service_ = std::move(service).value();

    labkit::http::ServerOptions server_options;
    server_options.threads = 4;
    server_options.reuse_port = false;
    server_ = std::make_unique<labkit::http::Server>(
        server_options, [this](const labkit::http::Request& request) {
          return service_->Handle(request);
        });
    port_ = server_->Start();
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  HttpReply Send(const HttpCall& call) { return SendHttp(port_, call); }

  HttpReply Post(const std::string& target, const json::object& body) {
    return Send(HttpCall{"POST", target, {}, json::serialize(body)});
  }

  HttpReply Credentials(const std::string& target, const std::string& user,
                        const std::string& password) {
    return Post(target, {{"username", user}, {"password", password}});
  }

  HttpReply Api(const std::string& method, const std::string& id,
                const std::string& access, const std::string& body = "") {
    HttpCall call{method, "/api/documents/" + id,
                  {{"Authorization", "Bearer " + access}}, body};
    call.content_type = "text/plain";
    return Send(call);
  }

  // Register registers `user` and returns its id.
  std::string Register(const std::string& user,
                       const std::string& password = kPassword) {
    HttpReply reply = Credentials("/register", user, password);
    EXPECT_EQ(reply.status, 201) << reply.error << reply.body;
    return StringMember(ParseObject(reply.body), "user_id");
  }

  Tokens ReadTokens(const HttpReply& reply) {
    EXPECT_EQ(reply.status, 200) << reply.error << reply.body;
    json::object body = ParseObject(reply.body);
    return {StringMember(body, "access_token"),
            StringMember(body, "refresh_token"),
            StringMember(body, "session_id")};
  }

  Tokens Login(const std::string& user,
               const std::string& password = kPassword) {
    return ReadTokens(Credentials("/login", user, password));
  }

  HttpReply Refresh(const std::string& refresh) {
    return Post("/token/refresh", {{"refresh_token", refresh}});
  }

  // Forge signs `claims` as an access token with kSecret, so its signature
  // is valid and only its claims or header decide.
  static std::string Forge(const json::object& claims,
                           std::string_view typ = "at+jwt") {
    auto key = Key::FromSecret("hs-1", kSecret);
    auto token = SignJwt(key.value(), claims, typ);
    EXPECT_TRUE(token.ok());
    return token.ok() ? token.value() : "";
  }

  // ValidClaims are the claims of a valid access token for `subject`.
  static json::object ValidClaims(const std::string& subject) {
    return {{"iss", "labkit-auth"},  {"aud", "labkit-api"},
            {"sub", subject},        {"iat", kStartSeconds},
            {"exp", kStartSeconds + 300}, {"tenant", "default"},
            {"roles", json::array{"editor"}}};
  }

  labkit::ManualClock clock_{1'000 * kSecond};
  labkit::ManualClock wall_clock_{kStartSeconds * kSecond};
  InMemoryTokenStore tokens_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<PasswordHasher> hasher_;
  std::unique_ptr<Policy> policy_;
  std::unique_ptr<AuthService> service_;
  std::unique_ptr<labkit::http::Server> server_;
  std::uint16_t port_ = 0;
};

// --- Registration -----------------------------------------------------------

TEST_F(AuthServiceTest, RegisterStoresArgon2idHash) {
  Start();
  HttpReply reply = Credentials("/register", "Alice", kPassword);

  ASSERT_EQ(reply.status, 201) << reply.body;
  json::object body = ParseObject(reply.body);
  EXPECT_EQ(StringMember(body, "username"), "alice")
      << "usernames are folded to lowercase";
  EXPECT_EQ(json::serialize(body["roles"]), R"(["editor"])");
  User stored;
  ASSERT_TRUE(users_->FindByUsername("alice", &stored).ok());
  EXPECT_EQ(stored.id, StringMember(body, "user_id"));
  EXPECT_EQ(stored.password_hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u)
      << stored.password_hash;
  EXPECT_EQ(stored.password_hash.find(kPassword), std::string::npos);
}

TEST_F(AuthServiceTest, RegisterRejectsInvalidInput) {
  Start();
  struct Case {
    std::string body;
    std::string expected_description_part;
  };
  const std::vector<Case> cases = {
      {"not json", "one JSON object"},
      {R"({"username":"bob"})", "\"password\""},
      {R"({"username":"bob","password":42})", "\"password\""},
      {R"({"username":"bob","username":"eve","password":"long enough"})",
       "one JSON object"},
      {R"({"username":"ab","password":"long enough"})", "3 to 64"},
      {R"({"username":"bob smith","password":"long enough"})", "a-z, 0-9"},
      {R"({"username":"bob","password":"short"})", "8 to 4096 bytes long, not 5"},
  };
  for (const Case& c : cases) {
    HttpReply reply = Send(HttpCall{"POST", "/register", {}, c.body});
    EXPECT_EQ(reply.status, 400) << c.body;
    json::object body = ParseObject(reply.body);
    EXPECT_EQ(StringMember(body, "error"), "invalid_request") << c.body;
    EXPECT_NE(StringMember(body, "error_description")
                  .find(c.expected_description_part),
              std::string::npos)
        << c.body << " -> " << reply.body;
  }

  HttpReply get = Send(HttpCall{"GET", "/register", {}, ""});
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.Header("Allow"), "POST");
}

TEST_F(AuthServiceTest, RegisterTakenUsernameIs409) {
  Start();
  Register("alice");
  HttpReply again = Credentials("/register", "ALICE", "another password");

  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(StringMember(ParseObject(again.body), "error"), "username_taken");
}

// --- Login ------------------------------------------------------------------

TEST_F(AuthServiceTest, LoginIssuesVerifiableTokens) {
  Start();
  const std::string id = Register("alice");
  HttpReply reply = Credentials("/login", "alice", kPassword);

  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.Header("Cache-Control"), "no-store");
  json::object body = ParseObject(reply.body);
  EXPECT_EQ(StringMember(body, "token_type"), "Bearer");
  EXPECT_EQ(json::serialize(body["expires_in"]), "300");
  EXPECT_EQ(StringMember(body, "refresh_token").size(), kRefreshTokenChars);

  // The access token verifies as an RFC 9068 token for this user.
  KeySet keys;
  ASSERT_TRUE(keys.Add(Key::FromSecret("hs-1", kSecret).value()).ok());
  ClaimsPolicy policy{"labkit-auth", "labkit-api", "at+jwt", true, 0};
  auto jwt = VerifyJwt(keys, StringMember(body, "access_token"), policy,
                       kStartSeconds);
  ASSERT_TRUE(jwt.ok()) << jwt.error().message;
  EXPECT_EQ(StringMember(jwt.value().claims, "sub"), id);
  EXPECT_EQ(StringMember(jwt.value().claims, "sid"),
            StringMember(body, "session_id"));
  EXPECT_EQ(json::serialize(jwt.value().claims.at("exp")),
            std::to_string(kStartSeconds + 300));
  EXPECT_EQ(json::serialize(jwt.value().claims.at("roles")), R"(["editor"])");
}

TEST_F(AuthServiceTest, LoginFailuresLookIdentical) {
  Start();
  Register("alice");
  HttpReply wrong_password = Credentials("/login", "alice", "wrong password");
  HttpReply unknown_user = Credentials("/login", "nobody", "wrong password");

  EXPECT_EQ(wrong_password.status, 400);
  EXPECT_EQ(unknown_user.status, 400);
  EXPECT_EQ(wrong_password.body, unknown_user.body)
      << "a login failure must not say whether the user exists";
  EXPECT_EQ(StringMember(ParseObject(unknown_user.body), "error"),
            "invalid_grant");
  EXPECT_EQ(service_->stats().failed_logins, 2u);

  // A too-long password gets the same response for both users too.
  const std::string huge(kMaxPasswordBytes + 1, 'x');
  HttpReply long_known = Credentials("/login", "alice", huge);
  HttpReply long_unknown = Credentials("/login", "nobody", huge);
  EXPECT_EQ(long_known.status, 400);
  EXPECT_EQ(long_known.body, long_unknown.body);
}

TEST_F(AuthServiceTest, LoginRateLimitedPerAccount) {
  Start();
  Register("alice");
  for (int attempt = 1; attempt <= 5; ++attempt) {
    EXPECT_EQ(Credentials("/login", "alice", "guess").status, 400)
        << "attempt " << attempt << " is within the burst of 5";
  }

  // The sixth attempt is rejected before the password is checked, even
  // when it is right.
  HttpReply limited = Credentials("/login", "alice", kPassword);
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(limited.Header("Retry-After"), "12")
      << "5 per minute earns one attempt every 12 s";
  EXPECT_EQ(StringMember(ParseObject(limited.body), "policy"),
            "login-account");
  EXPECT_EQ(service_->stats().rate_limited, 1u);

  // Another account from the same client is not affected.
  Register("bob");
  EXPECT_EQ(Credentials("/login", "bob", kPassword).status, 200);

  // 12 s later one attempt is earned back.
  clock_.Advance(12 * kSecond);
  EXPECT_EQ(Credentials("/login", "alice", kPassword).status, 200);
  EXPECT_EQ(Credentials("/login", "alice", kPassword).status, 429);
}

TEST_F(AuthServiceTest, LoginRateLimitedPerClient) {
  AuthServiceOptions options = DefaultOptions();
  options.login_per_client = rl::Quota{3, 60 * kSecond, 3};
  Start(options);
  for (const char* user : {"u-one", "u-two", "u-three"}) {
    EXPECT_EQ(Credentials("/login", user, "guess").status, 400) << user;
  }

  // A fourth account from the same address: credential stuffing.
  HttpReply limited = Credentials("/login", "u-four", "guess");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("Retry-After"), "20");
  EXPECT_EQ(StringMember(ParseObject(limited.body), "policy"), "login-client");
}

TEST_F(AuthServiceTest, LoginUpgradesOutdatedHash) {
  Start();
  // A hash made under another (here stronger) policy than the current one.
  auto old_hash = HashPassword(kPassword, {20 * 1024, 2});
  ASSERT_TRUE(old_hash.ok());
  User created;
  ASSERT_TRUE(users_->Create({"carol", old_hash.value(), "default", {"editor"}, 0},
                             &created)
                  .ok());

  Login("carol");

  User stored;
  ASSERT_TRUE(users_->FindById(created.id, &stored).ok());
  EXPECT_NE(stored.password_hash, old_hash.value());
  EXPECT_NE(stored.password_hash.find("m=19456,t=2"), std::string::npos)
      << stored.password_hash;
  EXPECT_EQ(service_->stats().rehashes, 1u);
  Login("carol");
  EXPECT_EQ(service_->stats().rehashes, 1u)
      << "an up-to-date hash is not rehashed";
}

// --- Refresh and logout -------------------------------------------------------

TEST_F(AuthServiceTest, RefreshRotatesAndDetectsReuse) {
  Start();
  Register("alice");
  Tokens first = Login("alice");
  Tokens second = ReadTokens(Refresh(first.refresh));

  EXPECT_NE(second.refresh, first.refresh);
  EXPECT_EQ(second.session, first.session) << "rotation keeps the family";
  EXPECT_EQ(Api("PUT", "doc", second.access, "text").status, 201);

  // The spent token again: reuse, and the whole family is revoked.
  HttpReply reuse = Refresh(first.refresh);
  EXPECT_EQ(reuse.status, 400);
  EXPECT_EQ(StringMember(ParseObject(reuse.body), "error"), "invalid_grant");
  EXPECT_EQ(reuse.Header("Cache-Control"), "no-store");
  HttpReply newest = Refresh(second.refresh);
  EXPECT_EQ(newest.status, 400)
      << "the newest token of a revoked family must fail too";
  EXPECT_EQ(StringMember(ParseObject(newest.body), "error"), "invalid_grant");
  EXPECT_EQ(service_->stats().refresh_reuse, 1u);
  EXPECT_EQ(service_->stats().refreshes, 1u);
}

TEST_F(AuthServiceTest, RefreshRejectsInvalidTokens) {
  Start();
  HttpReply missing = Post("/token/refresh", {});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(StringMember(ParseObject(missing.body), "error"), "invalid_request");

  for (const std::string& token :
       {std::string("abc"), std::string(kRefreshTokenChars, 'A')}) {
    HttpReply reply = Refresh(token);
    EXPECT_EQ(reply.status, 400) << token;
    EXPECT_EQ(StringMember(ParseObject(reply.body), "error"), "invalid_grant")
        << token;
  }
}

TEST_F(AuthServiceTest, RefreshAppliesRoleChanges) {
  Start();
  const std::string id = Register("alice");
  Tokens tokens = Login("alice");
  ASSERT_EQ(Api("PUT", "doc", tokens.access, "text").status, 201);
  EXPECT_EQ(Api("DELETE", "doc", tokens.access).status, 403);

  ASSERT_TRUE(users_->SetRoles(id, {"admin"}).ok());
  Tokens refreshed = ReadTokens(Refresh(tokens.refresh));

  EXPECT_EQ(Api("DELETE", "doc", refreshed.access).status, 204)
      << "the refreshed access token carries the new role";
}

TEST_F(AuthServiceTest, LogoutRevokesFamily) {
  Start();
  Register("alice");
  Tokens tokens = Login("alice");

  HttpReply logout = Post("/logout", {{"refresh_token", tokens.refresh}});
  EXPECT_EQ(logout.status, 200);
  HttpReply refresh = Refresh(tokens.refresh);
  EXPECT_EQ(refresh.status, 400);
  EXPECT_EQ(StringMember(ParseObject(refresh.body), "error"), "invalid_grant");

  // RFC 7009: an unknown token gets the same 200; a missing one is 400.
  EXPECT_EQ(Post("/logout", {{"refresh_token", "unknown"}}).status, 200);
  EXPECT_EQ(Post("/logout", {}).status, 400);
}

TEST_F(AuthServiceTest, JwksPublishesOnlyPublicKeys) {
  Start();
  HttpReply reply = Send(HttpCall{"GET", "/.well-known/jwks.json", {}, ""});

  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.Header("Content-Type"), "application/jwk-set+json");
  auto jwks = KeySet::FromJwks(reply.body);
  ASSERT_TRUE(jwks.ok()) << jwks.error().message;
  ASSERT_EQ(jwks.value().size(), 1u) << "the HS256 secret is never published";
  EXPECT_EQ(jwks.value().keys()[0].kid(), "ed-1");
  EXPECT_FALSE(jwks.value().keys()[0].has_private_key());
  EXPECT_EQ(reply.body.find("\"d\""), std::string::npos);
  EXPECT_EQ(reply.body.find("\"k\""), std::string::npos);
}

// --- The bearer middleware (RFC 6750) -----------------------------------------

TEST_F(AuthServiceTest, BearerChallengesFollowRfc6750) {
  Start();
  const std::string id = Register("alice");
  Tokens tokens = Login("alice");
  ASSERT_EQ(Api("PUT", "doc", tokens.access, "text").status, 201);

  json::object no_sub = ValidClaims(id);
  no_sub.erase("sub");
  json::object roles_string = ValidClaims(id);
  roles_string["roles"] = "admin";
  json::object wrong_audience = ValidClaims(id);
  wrong_audience["aud"] = "another-api";
  const std::string alg_none = Base64UrlEncode(R"({"alg":"none"})") + "." +
                               Base64UrlEncode(json::serialize(ValidClaims(id))) +
                               ".";
  auto other_key = Key::FromSecret("hs-1", "another-secret-of-32-bytes-or-more!");
  const std::string other_signature =
      SignJwt(other_key.value(), ValidClaims(id), "at+jwt").value();

  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> headers;
    int status;
    std::string www_authenticate;
  };
  const std::string invalid_token =
      R"(Bearer realm="labkit", error="invalid_token", error_description=")";
  const std::string invalid_request =
      R"(Bearer realm="labkit", error="invalid_request", error_description=")";
  const std::vector<Case> cases = {
      {"no header", {}, 401, R"(Bearer realm="labkit")"},
      {"basic scheme", {{"Authorization", "Basic YWxpY2U6cHc="}}, 401,
       R"(Bearer realm="labkit")"},
      {"no token", {{"Authorization", "Bearer"}}, 400,
       invalid_request + "the Authorization header has no bearer token\""},
      {"bad characters", {{"Authorization", "Bearer a@b"}}, 400,
       invalid_request +
           "the bearer token contains characters outside the b64token "
           "syntax\""},
      {"two headers",
       {{"Authorization", "Bearer " + tokens.access},
        {"Authorization", "Bearer " + tokens.access}},
       400, invalid_request + "send exactly one Authorization header\""},
      {"not a JWT", {{"Authorization", "Bearer abc.def.ghi"}}, 401,
       invalid_token + "the access token is invalid\""},
      {"alg none", {{"Authorization", "Bearer " + alg_none}}, 401,
       invalid_token + "the access token is invalid\""},
      {"other secret", {{"Authorization", "Bearer " + other_signature}}, 401,
       invalid_token + "the access token signature is invalid\""},
      {"wrong audience",
       {{"Authorization", "Bearer " + Forge(wrong_audience)}}, 401,
       invalid_token + "the access token was not issued for this API\""},
      {"typ JWT, not at+jwt",
       {{"Authorization", "Bearer " + Forge(ValidClaims(id), "JWT")}}, 401,
       invalid_token + "the access token was not issued for this API\""},
      {"no sub", {{"Authorization", "Bearer " + Forge(no_sub)}}, 401,
       invalid_token + "the access token has no subject\""},
      {"roles not an array",
       {{"Authorization", "Bearer " + Forge(roles_string)}}, 401,
       invalid_token + "the access token is invalid\""},
  };
  for (const Case& c : cases) {
    HttpReply reply = Send(HttpCall{"GET", "/api/documents/doc", c.headers, ""});
    EXPECT_EQ(reply.status, c.status) << c.name << ": " << reply.body;
    EXPECT_EQ(reply.Header("WWW-Authenticate"), c.www_authenticate) << c.name;
  }

  // The scheme name is case-insensitive, and a forged-but-valid token of
  // the same shape passes, so the failures above are the claims' doing.
  EXPECT_EQ(Send(HttpCall{"GET", "/api/documents/doc",
                          {{"Authorization", "bearer " + tokens.access}}, ""})
                .status,
            200);
  EXPECT_EQ(Api("GET", "doc", Forge(ValidClaims(id))).status, 200);
}

TEST_F(AuthServiceTest, BearerExpiryHonorsLeeway) {
  Start();
  Register("alice");
  Tokens tokens = Login("alice");
  ASSERT_EQ(Api("PUT", "doc", tokens.access, "text").status, 201);

  // exp is start + 300 and the leeway 30 s: valid until start + 329.
  wall_clock_.Set((kStartSeconds + 329) * kSecond);
  EXPECT_EQ(Api("GET", "doc", tokens.access).status, 200)
      << "1 s before exp + leeway the token is still valid";
  wall_clock_.Set((kStartSeconds + 330) * kSecond);
  HttpReply expired = Api("GET", "doc", tokens.access);
  EXPECT_EQ(expired.status, 401) << "at exp + leeway the token has expired";
  EXPECT_EQ(expired.Header("WWW-Authenticate"),
            R"(Bearer realm="labkit", error="invalid_token", )"
            R"(error_description="the access token has expired")");
}

// --- Authorization --------------------------------------------------------------

TEST_F(AuthServiceTest, PolicyDecidesDocumentAccess) {
  Start();
  Register("alice");
  Register("bob");
  Tokens alice = Login("alice");
  Tokens bob = Login("bob");
  ASSERT_EQ(Api("PUT", "plan", alice.access, "v1").status, 201);

  // Same tenant: bob reads, but writes only what he owns.
  HttpReply read = Api("GET", "plan", bob.access);
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(StringMember(ParseObject(read.body), "body"), "v1");
  HttpReply write = Api("PUT", "plan", bob.access, "v2");
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(write.Header("WWW-Authenticate"),
            R"(Bearer realm="labkit", error="insufficient_scope", )"
            R"(error_description="your roles do not allow write on document plan")");
  EXPECT_EQ(Api("PUT", "plan", alice.access, "v2").status, 200);

  // Another tenant reads nothing.
  auto hash = HashPassword(kPassword, kOwaspMinimumParams);
  User eve;
  ASSERT_TRUE(users_->Create({"eve", hash.value(), "other", {"admin"}, 0}, &eve).ok());
  Tokens other = Login("eve");
  EXPECT_EQ(Api("GET", "plan", other.access).status, 403);
  EXPECT_EQ(Api("DELETE", "plan", other.access).status, 403);

  // Missing documents, bad ids and methods.
  EXPECT_EQ(Api("GET", "missing", alice.access).status, 404);
  EXPECT_EQ(Api("GET", "bad%22id", alice.access).status, 404);
  HttpReply post = Api("POST", "plan", alice.access);
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.Header("Allow"), "GET, PUT, DELETE");
}

// --- Logs -----------------------------------------------------------------------

TEST_F(AuthServiceTest, LogsHoldNoSecrets) {
  // Capture every log line, at every level, during a whole session.
  std::ostringstream captured;
  auto previous = spdlog::default_logger();
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto logger = std::make_shared<spdlog::logger>("capture", sink);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  Start();
  const std::string wrong_password = "wrong-password-1234";
  Register("alice");
  Credentials("/login", "alice", wrong_password);
  Credentials("/login", wrong_password, wrong_password);  // typed in the wrong field
  Tokens first = Login("alice");
  Api("PUT", "doc", first.access, "text");
  std::string forged = first.access;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  Api("GET", "doc", forged);
  Tokens second = ReadTokens(Refresh(first.refresh));
  Refresh(first.refresh);  // reuse
  Tokens third = Login("alice");
  Post("/logout", {{"refresh_token", third.refresh}});
  server_->Stop();
  spdlog::set_default_logger(previous);

  const std::string log = captured.str();
  ASSERT_NE(log.find("logged in"), std::string::npos)
      << "the capture must hold the service's log:\n" << log;
  ASSERT_NE(log.find("reuse detected"), std::string::npos) << log;
  const std::vector<std::pair<std::string, std::string>> secrets = {
      {"password", kPassword},
      {"wrong password", wrong_password},
      {"HMAC secret", kSecret},
      {"HMAC secret in base64url", Base64UrlEncode(kSecret)},
      {"first access token", first.access},
      {"forged access token", forged},
      {"first access token's signature",
       first.access.substr(first.access.rfind('.') + 1)},
      {"second access token", second.access},
      {"first refresh token", first.refresh},
      {"second refresh token", second.refresh},
      {"third refresh token", third.refresh},
      {"refresh token hash", HashRefreshToken(first.refresh)},
  };
  for (const auto& [name, secret] : secrets) {
    ASSERT_FALSE(secret.empty()) << name;
    EXPECT_EQ(log.find(secret), std::string::npos)
        << "the log contains the " << name << ":\n" << log;
  }
}

// --- The programs -----------------------------------------------------------------

// RunProgram runs `command` and returns its exit status and output.
std::pair<int, std::string> RunProgram(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, ""};
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(AuthProgramsTest, DemoWalksWholeSession) {
  auto [status, output] = RunProgram(AUTH_DEMO_BINARY);

  EXPECT_EQ(status, 0) << output;
  EXPECT_NE(output.find("RESULT: every step returned the expected status."),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("error=\"insufficient_scope\""), std::string::npos)
      << output;
  EXPECT_NE(output.find("429 Too Many Requests"), std::string::npos) << output;
  EXPECT_EQ(output.find("correct horse"), std::string::npos)
      << "the demo prints the password as stars";
}

TEST(AuthProgramsTest, ServiceRejectsBadFlags) {
  auto [port_status, port_output] = RunProgram(
      std::string(AUTH_SERVICE_BINARY) + " --policy " AUTH_SAMPLE_POLICY +
      " --port 70000");
  EXPECT_EQ(port_status, 2) << port_output;
  EXPECT_NE(port_output.find("'70000' is out of range"), std::string::npos)
      << port_output;

  auto [policy_status, policy_output] =
      RunProgram(std::string(AUTH_SERVICE_BINARY) + " --policy /nonexistent");
  EXPECT_EQ(policy_status, 2) << policy_output;
  EXPECT_NE(policy_output.find("'/nonexistent' not found"), std::string::npos)
      << policy_output;
}

}  // namespace
}  // namespace auth::service
