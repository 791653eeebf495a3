// Concurrency tests of refresh-token rotation: several threads present the
// same token at the same moment. Run under ThreadSanitizer by the
// "concurrency" label.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "auth/refresh.h"

namespace auth {
namespace {

constexpr int kThreads = 8;
constexpr int kRounds = 50;

TEST(RefreshConcurrency, ExactlyOneRotationWins) {
  labkit::ManualClock clock(1'000'000'000);
  InMemoryTokenStore store;
  Result<RefreshTokenService> created =
      RefreshTokenService::Create(store, clock, {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  RefreshTokenService& service = created.value();

  for (int round = 0; round < kRounds; ++round) {
    Result<IssuedRefreshToken> issued = service.Issue("user-" + std::to_string(round));
    ASSERT_TRUE(issued.ok()) << issued.error().message;
    const std::string token = issued.value().token;

    // Every thread waits at the latch, then rotates the same token.
    std::latch start(kThreads);
    std::vector<Result<IssuedRefreshToken>> results(
        kThreads, Result<IssuedRefreshToken>(Error{ErrorCode::kInvalidOptions, "not run"}));
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = service.Rotate(token);
      });
    }
    for (std::thread& thread : threads) thread.join();

    int won = 0;
    int reused = 0;
    int revoked = 0;
    std::string winner;
    for (const Result<IssuedRefreshToken>& result : results) {
      if (result.ok()) {
        ++won;
        winner = result.value().token;
      } else if (result.error().code == ErrorCode::kRefreshTokenReused) {
        ++reused;
      } else if (result.error().code == ErrorCode::kRefreshTokenRevoked) {
        ++revoked;
      }
    }
    ASSERT_EQ(won, 1) << "round " << round
                      << ": exactly one of " << kThreads
                      << " concurrent rotations of one token may succeed";
    ASSERT_EQ(reused, 1) << "round " << round
                         << ": the first loser is reuse and revokes the family";
    ASSERT_EQ(revoked, kThreads - 2)
        << "round " << round << ": later losers find the family revoked";

    Result<IssuedRefreshToken> after = service.Rotate(winner);
    ASSERT_FALSE(after.ok())
        << "round " << round << ": the winner's new token is revoked with "
        << "its family";
    EXPECT_EQ(after.error().code, ErrorCode::kRefreshTokenRevoked);
  }
}

TEST(RefreshConcurrency, IndependentFamiliesAllRotate) {
  labkit::ManualClock clock(1'000'000'000);
  InMemoryTokenStore store;
  Result<RefreshTokenService> created =
      RefreshTokenService::Create(store, clock, {});
  ASSERT_TRUE(created.ok()) << created.error().message;
  RefreshTokenService& service = created.value();

  // Each thread keeps its own family alive through 200 rotations while the
  // others do the same.
  std::atomic<int> failures{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Result<IssuedRefreshToken> token = service.Issue("user-" + std::to_string(i));
      start.arrive_and_wait();
      for (int n = 0; n < 200 && token.ok(); ++n) {
        token = service.Rotate(token.value().token);
      }
      if (!token.ok()) failures.fetch_add(1);
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0)
      << "rotations of different families must never interfere";
  EXPECT_EQ(store.token_count(), static_cast<std::size_t>(kThreads * 201))
      << "every family keeps its rotated tokens for reuse detection";
}

}  // namespace
}  // namespace auth
