// Two AuthService instances share one RedisTokenStore each on one real
// redis-server, as two auth-service processes would. Requests go straight
// to AuthService::Handle, without HTTP: a refresh token rotated on
// instance A and replayed on instance B is reuse (400 invalid_grant), and
// while Redis is down refresh and login return 503 temporarily_unavailable.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <memory>
#include <string>

#include "auth/password.h"
#include "auth/policy.h"
#include "auth/redis_token_store.h"
#include "auth/service/auth_service.h"
#include "auth/service/user_store.h"
#include "labkit/clock.h"
#include "labkit/http/server.h"
#include "labkit/testing/redis_server.h"

namespace auth::service {
namespace {

namespace json = boost::json;

constexpr char kSecret[] = "test-hmac-secret-0123456789-abcdefghijkl";
constexpr char kPassword[] = "correct horse battery staple";
constexpr Nanos kSecond = 1'000'000'000;

// Instance is one service instance with its own Redis connection.
struct Instance {
  std::unique_ptr<RedisTokenStore> store;
  std::unique_ptr<AuthService> service;
};

class RedisServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start()) << "cannot start redis-server: "
                                << redis_.error();
    ASSERT_TRUE(UserStore::Open(":memory:", &users_).ok())
        << "the in-memory user store must open";
    auto hasher = PasswordHasher::Create({.threads = 1, .queue_capacity = 8,
                                          .params = {}});
    ASSERT_TRUE(hasher.ok()) << hasher.error().message;
    hasher_ = std::move(hasher).value();
    auto policy = Policy::LoadFile(AUTH_SAMPLE_POLICY);
    ASSERT_TRUE(policy.ok()) << policy.error().message;
    policy_ = std::make_unique<Policy>(std::move(policy).value());
  }

  // MakeInstance builds a service on the shared users and its own store.
  Instance MakeInstance() {
    Instance instance;
    RedisTokenStoreOptions store_options;
    store_options.url = redis_.url();
    auto store = RedisTokenStore::Create(store_options, wall_clock_);
    EXPECT_TRUE(store.ok()) << "RedisTokenStore::Create failed: "
                            << (store.ok() ? "" : store.error().message);
    if (!store.ok()) return instance;
    instance.store = std::move(store).value();

    KeySet keys;
    EXPECT_TRUE(keys.Add(Key::FromSecret("hs-1", kSecret).value()).ok());
    AuthServiceOptions options;
    options.signing_kid = "hs-1";
    auto service = AuthService::Create(
        options, {users_.get(), hasher_.get(), instance.store.get(),
                  std::move(keys), policy_.get(), &clock_, &wall_clock_});
    EXPECT_TRUE(service.ok()) << "AuthService::Create failed: "
                              << (service.ok() ? "" : service.error().message);
    if (service.ok()) instance.service = std::move(service).value();
    return instance;
  }

  static labkit::http::Response Post(AuthService& service,
                                     const std::string& path,
                                     const json::object& body) {
    const std::string text = json::serialize(body);
    labkit::http::Request request;
    request.method = "POST";
    request.target = path;
    request.path = path;
    request.body = text;
    request.remote_address = "127.0.0.1";
    request.headers = {{"Content-Type", "application/json"}};
    return service.Handle(request);
  }

  static std::string Member(const labkit::http::Response& response,
                            std::string_view name) {
    boost::system::error_code ec;
    json::value value = json::parse(response.body, ec);
    if (ec || !value.is_object()) return "";
    const json::value* member = value.get_object().if_contains(name);
    return member && member->is_string() ? std::string(member->get_string())
                                         : "";
  }

  // RegisterAndLogin registers alice on `service`, logs her in and returns
  // the login response.
  static labkit::http::Response RegisterAndLogin(AuthService& service) {
    const json::object credentials{{"username", "alice"},
                                   {"password", kPassword}};
    labkit::http::Response registered =
        Post(service, "/register", credentials);
    EXPECT_EQ(registered.status, 201) << "register: " << registered.body;
    return Post(service, "/login", credentials);
  }

  labkit::testing::RedisServer redis_;
  std::unique_ptr<UserStore> users_;
  std::unique_ptr<PasswordHasher> hasher_;
  std::unique_ptr<Policy> policy_;
  labkit::ManualClock clock_{1'000 * kSecond};
  labkit::ManualClock wall_clock_{1'800'000'000 * kSecond};
};

TEST_F(RedisServiceTest, ReplayOnOtherInstanceIsReuse) {
  Instance a = MakeInstance();
  Instance b = MakeInstance();
  ASSERT_NE(a.service, nullptr) << "instance A must start";
  ASSERT_NE(b.service, nullptr) << "instance B must start";
  labkit::http::Response login = RegisterAndLogin(*a.service);
  ASSERT_EQ(login.status, 200) << "login on A: " << login.body;
  const std::string first = Member(login, "refresh_token");

  labkit::http::Response on_a =
      Post(*a.service, "/token/refresh", {{"refresh_token", first}});
  ASSERT_EQ(on_a.status, 200) << "refresh on A: " << on_a.body;

  labkit::http::Response replay_on_b =
      Post(*b.service, "/token/refresh", {{"refresh_token", first}});
  EXPECT_EQ(replay_on_b.status, 400)
      << "a token already rotated on A must be rejected on B: "
      << replay_on_b.body;
  EXPECT_EQ(Member(replay_on_b, "error"), "invalid_grant")
      << "a replay is invalid_grant: " << replay_on_b.body;
  EXPECT_EQ(b.service->stats().refresh_reuse, 1u)
      << "instance B must count the reuse it detected";

  labkit::http::Response newest_on_a = Post(
      *a.service, "/token/refresh",
      {{"refresh_token", Member(on_a, "refresh_token")}});
  EXPECT_EQ(newest_on_a.status, 400)
      << "the reuse detected on B revokes A's newest token too: "
      << newest_on_a.body;
}

TEST_F(RedisServiceTest, RedisDownReturns503) {
  Instance a = MakeInstance();
  ASSERT_NE(a.service, nullptr) << "instance A must start";
  labkit::http::Response login = RegisterAndLogin(*a.service);
  ASSERT_EQ(login.status, 200) << "login: " << login.body;
  redis_.Stop();

  labkit::http::Response refresh = Post(
      *a.service, "/token/refresh",
      {{"refresh_token", Member(login, "refresh_token")}});
  EXPECT_EQ(refresh.status, 503)
      << "a refresh while Redis is down is 503, not a crash or 500: "
      << refresh.body;
  EXPECT_EQ(Member(refresh, "error"), "temporarily_unavailable")
      << "the 503 body names the OAuth error: " << refresh.body;
  bool retry_after = false;
  for (const auto& [name, value] : refresh.headers) {
    retry_after = retry_after || name == "Retry-After";
  }
  EXPECT_TRUE(retry_after) << "a 503 tells the client when to retry";

  labkit::http::Response relogin = Post(
      *a.service, "/login", {{"username", "alice"}, {"password", kPassword}});
  EXPECT_EQ(relogin.status, 503)
      << "a login cannot start a session while Redis is down: "
      << relogin.body;
}

}  // namespace
}  // namespace auth::service
