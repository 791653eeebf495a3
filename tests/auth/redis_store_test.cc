// Integration tests of RedisTokenStore against a real redis-server on a
// free loopback port. They check what the in-memory store's tests check
// (rotation, reuse detection, logout, expiry), and also two service
// instances that share one Redis, Redis expiring dead families, and Redis
// going away mid-test (the store fails closed, then recovers).
#include "auth/redis_token_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "auth/refresh.h"
#include "labkit/clock.h"
#include "labkit/testing/redis_server.h"

namespace auth {
namespace {

using namespace std::chrono_literals;

constexpr Nanos kHour = 3'600LL * 1'000'000'000LL;
constexpr Nanos kMilli = 1'000'000;

// Instance is one service instance: its own store (its own connection to
// Redis) and its own RefreshTokenService, on a clock shared by all.
struct Instance {
  std::unique_ptr<RedisTokenStore> store;
  std::optional<RefreshTokenService> service;
};

class RedisTokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start()) << "cannot start redis-server: "
                                << redis_.error();
  }

  Instance MakeInstance(RefreshTokenOptions options = {}) {
    RedisTokenStoreOptions store_options;
    store_options.url = redis_.url();
    Result<std::unique_ptr<RedisTokenStore>> store =
        RedisTokenStore::Create(store_options, clock_);
    EXPECT_TRUE(store.ok()) << "RedisTokenStore::Create failed: "
                            << (store.ok() ? "" : store.error().message);
    Instance instance;
    if (!store.ok()) return instance;
    instance.store = std::move(store).value();
    Result<RefreshTokenService> service =
        RefreshTokenService::Create(*instance.store, clock_, options);
    EXPECT_TRUE(service.ok()) << "RefreshTokenService::Create failed: "
                              << (service.ok() ? "" : service.error().message);
    if (service.ok()) instance.service.emplace(std::move(service).value());
    return instance;
  }

  static IssuedRefreshToken Issue(RefreshTokenService& service,
                                  std::string_view subject = "user-42") {
    Result<IssuedRefreshToken> issued = service.Issue(subject);
    EXPECT_TRUE(issued.ok()) << "Issue failed: "
                             << (issued.ok() ? "" : issued.error().message);
    return issued.ok() ? std::move(issued).value() : IssuedRefreshToken{};
  }

  static IssuedRefreshToken RotateOk(RefreshTokenService& service,
                                     const std::string& token) {
    Result<IssuedRefreshToken> rotated = service.Rotate(token);
    EXPECT_TRUE(rotated.ok()) << "Rotate failed: "
                              << (rotated.ok() ? "" : rotated.error().message);
    return rotated.ok() ? std::move(rotated).value() : IssuedRefreshToken{};
  }

  // Pttl returns the remaining TTL of `key` in ms (-2: no key, -1: none).
  long long Pttl(const std::string& key) {
    return redis_.Command({"PTTL", key}).integer;
  }

  labkit::testing::RedisServer redis_;
  labkit::ManualClock clock_{1'000 * kHour};
};

TEST_F(RedisTokenStoreTest, RotateReplacesToken) {
  Instance a = MakeInstance();
  ASSERT_TRUE(a.service.has_value());
  IssuedRefreshToken first = Issue(*a.service);
  IssuedRefreshToken second = RotateOk(*a.service, first.token);

  EXPECT_NE(second.token, first.token) << "rotation returns a new token";
  EXPECT_EQ(second.family_id, first.family_id)
      << "the new token stays in the login's family";
  EXPECT_EQ(second.subject, "user-42") << "the family keeps its subject";
  EXPECT_EQ(second.expires_at, clock_.Now() + RefreshTokenOptions{}.token_ttl)
      << "the new token gets a full token_ttl from now";
  IssuedRefreshToken third = RotateOk(*a.service, second.token);
  EXPECT_EQ(third.family_id, first.family_id)
      << "the newest token rotates again";
}

TEST_F(RedisTokenStoreTest, StoresOnlyTheHash) {
  Instance a = MakeInstance();
  ASSERT_TRUE(a.service.has_value());
  IssuedRefreshToken issued = Issue(*a.service);

  const std::string token_key = "auth:refresh:token:" +
                                HashRefreshToken(issued.token);
  EXPECT_EQ(redis_.Command({"EXISTS", token_key}).integer, 1)
      << "the token is stored under its SHA-256 hash";
  labkit::testing::RedisReply keys = redis_.Command({"KEYS", "*"});
  ASSERT_TRUE(keys.ok) << keys.error;
  for (const std::string& key : keys.elements) {
    EXPECT_EQ(key.find(issued.token), std::string::npos)
        << "no key may contain the token itself: " << key;
    labkit::testing::RedisReply values = redis_.Command({"HGETALL", key});
    for (const std::string& value : values.elements) {
      EXPECT_EQ(value.find(issued.token), std::string::npos)
          << "no stored value may contain the token itself (key " << key
          << ")";
    }
  }
}

TEST_F(RedisTokenStoreTest, ReuseRevokesWholeFamily) {
  Instance a = MakeInstance();
  ASSERT_TRUE(a.service.has_value());
  IssuedRefreshToken first = Issue(*a.service);
  IssuedRefreshToken second = RotateOk(*a.service, first.token);

  Result<IssuedRefreshToken> replay = a.service->Rotate(first.token);
  ASSERT_FALSE(replay.ok()) << "a rotated token must not rotate again";
  EXPECT_EQ(replay.error().code, ErrorCode::kRefreshTokenReused)
      << "presenting a rotated token is reuse, not "
      << ErrorCodeName(replay.error().code);

  Result<IssuedRefreshToken> newest = a.service->Rotate(second.token);
  ASSERT_FALSE(newest.ok())
      << "after reuse the family's newest token is revoked too";
  EXPECT_EQ(newest.error().code, ErrorCode::kRefreshTokenRevoked)
      << "the newest token after reuse is RefreshTokenRevoked, not "
      << ErrorCodeName(newest.error().code);

  IssuedRefreshToken other = Issue(*a.service, "user-7");
  Result<IssuedRefreshToken> untouched = a.service->Rotate(other.token);
  EXPECT_TRUE(untouched.ok())
      << "reuse in one family leaves other families alone: "
      << (untouched.ok() ? "" : untouched.error().message);
}

// A token rotated on instance A and replayed on instance B is reuse on B,
// and the family is then revoked for A as well.
TEST_F(RedisTokenStoreTest, TwoInstancesShareReuseDetection) {
  Instance a = MakeInstance();
  Instance b = MakeInstance();
  ASSERT_TRUE(a.service.has_value()) << "instance A must start";
  ASSERT_TRUE(b.service.has_value()) << "instance B must start";
  IssuedRefreshToken login = Issue(*a.service);
  IssuedRefreshToken on_a = RotateOk(*a.service, login.token);

  Result<IssuedRefreshToken> replay_on_b = b.service->Rotate(login.token);
  ASSERT_FALSE(replay_on_b.ok())
      << "instance B must see that instance A already rotated the token";
  EXPECT_EQ(replay_on_b.error().code, ErrorCode::kRefreshTokenReused)
      << "a replay on B is RefreshTokenReused, not "
      << ErrorCodeName(replay_on_b.error().code);

  Result<IssuedRefreshToken> newest_on_a = a.service->Rotate(on_a.token);
  ASSERT_FALSE(newest_on_a.ok())
      << "the revocation on B must reach A's newest token";
  EXPECT_EQ(newest_on_a.error().code, ErrorCode::kRefreshTokenRevoked)
      << "A's newest token is RefreshTokenRevoked, not "
      << ErrorCodeName(newest_on_a.error().code);
}

TEST_F(RedisTokenStoreTest, LogoutRevokesFamily) {
  Instance a = MakeInstance();
  Instance b = MakeInstance();
  ASSERT_TRUE(a.service.has_value()) << "instance A must start";
  ASSERT_TRUE(b.service.has_value()) << "instance B must start";
  IssuedRefreshToken first = Issue(*a.service);
  IssuedRefreshToken second = RotateOk(*a.service, first.token);

  Status logout = b.service->Logout(second.token);
  ASSERT_TRUE(logout.ok()) << "logout on another instance must work: "
                           << logout.error().message;
  Result<IssuedRefreshToken> after = a.service->Rotate(second.token);
  ASSERT_FALSE(after.ok()) << "after logout the family's token is dead";
  EXPECT_EQ(after.error().code, ErrorCode::kRefreshTokenRevoked)
      << "a logged-out token is RefreshTokenRevoked, not "
      << ErrorCodeName(after.error().code);

  Status unknown = a.service->Logout(std::string(43, 'A'));
  ASSERT_FALSE(unknown.ok()) << "logout with a never-issued token fails";
  EXPECT_EQ(unknown.error().code, ErrorCode::kRefreshTokenUnknown)
      << "an unknown token is RefreshTokenUnknown, not "
      << ErrorCodeName(unknown.error().code);

  Status family = a.service->RevokeFamily("0123");
  ASSERT_FALSE(family.ok()) << "revoking a family that does not exist fails";
  EXPECT_EQ(family.error().code, ErrorCode::kRefreshTokenUnknown)
      << "an unknown family is RefreshTokenUnknown, not "
      << ErrorCodeName(family.error().code);
  EXPECT_EQ(redis_.Command({"EXISTS", "auth:refresh:family:0123"}).integer, 0)
      << "revoking an unknown family must not create its key";
}

TEST_F(RedisTokenStoreTest, TokenExpiresAfterTtl) {
  RefreshTokenOptions options;
  options.token_ttl = kHour;
  options.family_lifetime = 10 * kHour;
  Instance a = MakeInstance(options);
  ASSERT_TRUE(a.service.has_value());
  IssuedRefreshToken first = Issue(*a.service);
  IssuedRefreshToken second = Issue(*a.service);

  clock_.Advance(kHour - 1);
  IssuedRefreshToken rotated = RotateOk(*a.service, first.token);
  EXPECT_EQ(rotated.expires_at, clock_.Now() + kHour)
      << "a token rotated 1 ns before its expiry gets a full token_ttl";

  clock_.Advance(1);
  Result<IssuedRefreshToken> late = a.service->Rotate(second.token);
  ASSERT_FALSE(late.ok()) << "a token is expired at exactly token_ttl";
  EXPECT_EQ(late.error().code, ErrorCode::kRefreshTokenExpired)
      << "an expired token is RefreshTokenExpired, not "
      << ErrorCodeName(late.error().code);
}

TEST_F(RedisTokenStoreTest, FamilyLifetimeCapsRotation) {
  RefreshTokenOptions options;
  options.token_ttl = 4 * kHour;
  options.family_lifetime = 10 * kHour;
  Instance a = MakeInstance(options);
  ASSERT_TRUE(a.service.has_value());
  IssuedRefreshToken token = Issue(*a.service);
  const Nanos family_end = clock_.Now() + 10 * kHour;

  for (int i = 0; i < 3; ++i) {
    clock_.Advance(3 * kHour);
    token = RotateOk(*a.service, token.token);
  }
  EXPECT_EQ(token.expires_at, family_end)
      << "a token rotated 1 hour before the family's end expires with it";

  clock_.Advance(kHour);
  Result<IssuedRefreshToken> late = a.service->Rotate(token.token);
  ASSERT_FALSE(late.ok()) << "the family ends 10 hours after the login";
  EXPECT_EQ(late.error().code, ErrorCode::kRefreshTokenExpired)
      << "a token of an ended family is RefreshTokenExpired, not "
      << ErrorCodeName(late.error().code);
}

TEST_F(RedisTokenStoreTest, RecordsCarryRedisTtls) {
  constexpr Nanos kMinute = 60'000 * kMilli;
  RefreshTokenOptions options;
  options.token_ttl = 60 * kMinute;
  options.family_lifetime = 90 * kMinute;
  Instance a = MakeInstance(options);
  ASSERT_TRUE(a.service.has_value());
  IssuedRefreshToken first = Issue(*a.service);

  const long long token_ttl =
      Pttl("auth:refresh:token:" + HashRefreshToken(first.token));
  EXPECT_GT(token_ttl, 3'590'000) << "the token key lives about 60 minutes";
  EXPECT_LE(token_ttl, 3'600'000) << "the token key lives about 60 minutes";
  const long long family_ttl = Pttl("auth:refresh:family:" + first.family_id);
  EXPECT_GT(family_ttl, 5'390'000) << "the family key lives about 90 minutes";
  EXPECT_LE(family_ttl, 5'400'000) << "the family key lives about 90 minutes";

  // 45 minutes in, a new token expires with the family, 45 minutes later,
  // not a full token_ttl later.
  clock_.Advance(45 * kMinute);
  IssuedRefreshToken second = RotateOk(*a.service, first.token);
  const long long second_ttl =
      Pttl("auth:refresh:token:" + HashRefreshToken(second.token));
  EXPECT_GT(second_ttl, 2'690'000)
      << "the new token key lives until the family's end, 45 minutes";
  EXPECT_LE(second_ttl, 2'700'001)
      << "the new token key lives until the family's end, 45 minutes";
}

// Redis itself deletes a family when its lifetime ends (real time here).
TEST_F(RedisTokenStoreTest, RedisExpiresDeadFamilies) {
  RefreshTokenOptions options;
  options.token_ttl = 200 * kMilli;
  options.family_lifetime = 300 * kMilli;
  Instance a = MakeInstance(options);
  ASSERT_TRUE(a.service.has_value());
  IssuedRefreshToken issued = Issue(*a.service);
  const std::string family_key = "auth:refresh:family:" + issued.family_id;
  ASSERT_EQ(redis_.Command({"EXISTS", family_key}).integer, 1)
      << "the family is stored at login";

  // Poll for up to 5 s, though the TTL is 300 ms.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (redis_.Command({"EXISTS", family_key}).integer == 1 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(redis_.Command({"EXISTS", family_key}).integer, 0)
      << "Redis must delete the family key once its lifetime has passed";
  Result<IssuedRefreshToken> after = a.service->Rotate(issued.token);
  ASSERT_FALSE(after.ok()) << "a token of a deleted family cannot rotate";
  EXPECT_EQ(after.error().code, ErrorCode::kRefreshTokenUnknown)
      << "a deleted record is RefreshTokenUnknown, not "
      << ErrorCodeName(after.error().code);
}

TEST_F(RedisTokenStoreTest, ReloadsFlushedScripts) {
  Instance a = MakeInstance();
  ASSERT_TRUE(a.service.has_value());
  IssuedRefreshToken first = Issue(*a.service);
  ASSERT_TRUE(redis_.Command({"SCRIPT", "FLUSH"}).ok);

  Result<IssuedRefreshToken> rotated = a.service->Rotate(first.token);
  EXPECT_TRUE(rotated.ok())
      << "after SCRIPT FLUSH the store must send the script again: "
      << (rotated.ok() ? "" : rotated.error().message);
}

// Redis stops mid-test: every call fails closed with TokenStoreUnavailable
// and nothing crashes. Redis comes back empty, and the store reconnects.
TEST_F(RedisTokenStoreTest, FailsClosedWhileRedisIsDown) {
  Instance a = MakeInstance();
  ASSERT_TRUE(a.service.has_value());
  IssuedRefreshToken issued = Issue(*a.service);
  redis_.Stop();

  const auto started = std::chrono::steady_clock::now();
  Result<IssuedRefreshToken> rotated = a.service->Rotate(issued.token);
  ASSERT_FALSE(rotated.ok()) << "no token may rotate while Redis is down";
  EXPECT_EQ(rotated.error().code, ErrorCode::kTokenStoreUnavailable)
      << "a refresh while Redis is down is TokenStoreUnavailable, not "
      << ErrorCodeName(rotated.error().code) << ": "
      << rotated.error().message;
  Result<IssuedRefreshToken> login = a.service->Issue("user-9");
  ASSERT_FALSE(login.ok()) << "no family may start while Redis is down";
  EXPECT_EQ(login.error().code, ErrorCode::kTokenStoreUnavailable)
      << "a login's Issue while Redis is down is TokenStoreUnavailable, not "
      << ErrorCodeName(login.error().code);
  Status logout = a.service->Logout(issued.token);
  ASSERT_FALSE(logout.ok()) << "logout cannot succeed while Redis is down";
  EXPECT_EQ(logout.error().code, ErrorCode::kTokenStoreUnavailable)
      << "a logout while Redis is down is TokenStoreUnavailable, not "
      << ErrorCodeName(logout.error().code);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s)
      << "failing closed must take about one connect timeout (200 ms), not "
         "hang";

  // Redis restarts empty, and after the backoff the store reconnects.
  ASSERT_TRUE(redis_.Start()) << "cannot restart redis-server: "
                              << redis_.error();
  Result<IssuedRefreshToken> again = a.service->Rotate(issued.token);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!again.ok() &&
         again.error().code == ErrorCode::kTokenStoreUnavailable &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    again = a.service->Rotate(issued.token);
  }
  ASSERT_FALSE(again.ok()) << "the restarted Redis is empty";
  EXPECT_EQ(again.error().code, ErrorCode::kRefreshTokenUnknown)
      << "after reconnecting, a token Redis lost is RefreshTokenUnknown, not "
      << ErrorCodeName(again.error().code) << ": " << again.error().message;
  IssuedRefreshToken fresh = Issue(*a.service, "user-10");
  EXPECT_FALSE(fresh.token.empty()) << "logins work again after reconnecting";
}

TEST(RedisTokenStoreOptionsTest, RejectsInvalidUrl) {
  labkit::ManualClock clock(0);
  RedisTokenStoreOptions options;
  options.url = "http://127.0.0.1:6379";
  Result<std::unique_ptr<RedisTokenStore>> store =
      RedisTokenStore::Create(options, clock);
  ASSERT_FALSE(store.ok()) << "a URL that is not redis:// must be rejected";
  EXPECT_EQ(store.error().code, ErrorCode::kInvalidOptions)
      << "a bad URL is InvalidOptions, not "
      << ErrorCodeName(store.error().code);
  EXPECT_NE(store.error().message.find("http://127.0.0.1:6379"),
            std::string::npos)
      << "the message names the URL: " << store.error().message;
}

// Threads on two instances present the same token at the same moment:
// exactly one rotation wins, one loser is reuse, the rest find the family
// revoked.
TEST(RedisTokenStoreConcurrency, ExactlyOneRotationWinsAcrossInstances) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  labkit::testing::RedisServer redis;
  ASSERT_TRUE(redis.Start()) << "cannot start redis-server: " << redis.error();
  labkit::ManualClock clock(1'000 * kHour);
  RedisTokenStoreOptions options;
  options.url = redis.url();
  options.command_timeout = 2000ms;
  auto store_a = RedisTokenStore::Create(options, clock);
  auto store_b = RedisTokenStore::Create(options, clock);
  ASSERT_TRUE(store_a.ok()) << "store A must be created";
  ASSERT_TRUE(store_b.ok()) << "store B must be created";
  auto service_a = RefreshTokenService::Create(*store_a.value(), clock, {});
  auto service_b = RefreshTokenService::Create(*store_b.value(), clock, {});
  ASSERT_TRUE(service_a.ok()) << "service A must start";
  ASSERT_TRUE(service_b.ok()) << "service B must start";

  for (int round = 0; round < kRounds; ++round) {
    Result<IssuedRefreshToken> issued =
        service_a.value().Issue("user-" + std::to_string(round));
    ASSERT_TRUE(issued.ok()) << "round " << round << ": Issue failed: "
                             << issued.error().message;
    const std::string token = issued.value().token;

    std::latch start(kThreads);
    std::vector<Result<IssuedRefreshToken>> results(
        kThreads, Result<IssuedRefreshToken>(
                      Error{ErrorCode::kInvalidOptions, "not run"}));
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        RefreshTokenService& service =
            i % 2 == 0 ? service_a.value() : service_b.value();
        start.arrive_and_wait();
        results[i] = service.Rotate(token);
      });
    }
    for (std::thread& thread : threads) thread.join();

    int won = 0;
    int reused = 0;
    int revoked = 0;
    for (const Result<IssuedRefreshToken>& result : results) {
      if (result.ok()) {
        ++won;
      } else if (result.error().code == ErrorCode::kRefreshTokenReused) {
        ++reused;
      } else if (result.error().code == ErrorCode::kRefreshTokenRevoked) {
        ++revoked;
      } else {
        ADD_FAILURE() << "round " << round << ": unexpected error "
                      << ErrorCodeName(result.error().code) << ": "
                      << result.error().message;
      }
    }
    ASSERT_EQ(won, 1) << "round " << round << ": exactly one of " << kThreads
                      << " concurrent rotations on two instances may win";
    ASSERT_EQ(reused, 1) << "round " << round
                         << ": the first loser is reuse and revokes the "
                            "family";
    ASSERT_EQ(revoked, kThreads - 2)
        << "round " << round << ": later losers find the family revoked";
  }
}

}  // namespace
}  // namespace auth
