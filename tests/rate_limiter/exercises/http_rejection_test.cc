// HTTP rejection exercise: the 429 response and the RateLimit header fields.
//
// The body is parsed with Boost.JSON, so a test fails on JSON that a client
// could not read, not only on a missing substring.

#include "rate_limiter/rejection.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "rate_limiter/gcra.h"
#include "rate_limiter/token_bucket.h"

namespace {

using rl::Decision;
using rl::HttpAnswer;
using rl::Nanos;
using rl::Quota;

constexpr Nanos kSecond = rl::kNanosPerSecond;
constexpr Nanos kMilli = rl::kNanosPerMilli;

// Rejected returns a rejected decision with the given capacity and waits.
Decision Rejected(std::int64_t limit, Nanos retry_after, Nanos reset_after) {
  Decision d;
  d.allowed = false;
  d.limit = limit;
  d.remaining = 0;
  d.retry_after = retry_after;
  d.reset_after = reset_after;
  return d;
}

// FindHeader returns the value of the header named exactly `name`, or
// nullopt.
std::optional<std::string> FindHeader(const HttpAnswer& answer,
                                      const std::string& name) {
  for (const auto& [key, value] : answer.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

// ParseBody parses the answer's body as a JSON object. On failure the test
// fails with the body in the message.
boost::json::object ParseBody(const HttpAnswer& answer) {
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(answer.body, ec);
  EXPECT_FALSE(ec) << "the body must be valid JSON, but parsing failed ("
                   << ec.message() << ") on: " << answer.body;
  EXPECT_TRUE(body.is_object())
      << "the body must be a JSON object, got: " << answer.body;
  return body.is_object() ? body.as_object() : boost::json::object();
}

TEST(CeilSecondsTest, RoundsUpPartialSeconds) {
  EXPECT_EQ(rl::CeilSeconds(1200 * kMilli), 2)
      << "a wait of 1.2 s must give 2: a client that waits only 1 s is "
         "rejected again";
  EXPECT_EQ(rl::CeilSeconds(1), 1)
      << "a wait of 1 ns must give 1 s, not 0";
  EXPECT_EQ(rl::CeilSeconds(999'999'999), 1)
      << "a wait of 0.999999999 s must give 1";
  EXPECT_EQ(rl::CeilSeconds(2 * kSecond + 1), 3)
      << "a wait of 2 s + 1 ns must give 3";
}

TEST(CeilSecondsTest, WholeSecondsAreNotBumped) {
  EXPECT_EQ(rl::CeilSeconds(2 * kSecond), 2)
      << "a wait of exactly 2.0 s must give 2, not 3";
  EXPECT_EQ(rl::CeilSeconds(kSecond), 1)
      << "a wait of exactly 1.0 s must give 1, not 2";
  EXPECT_EQ(rl::CeilSeconds(60 * kSecond), 60)
      << "a wait of exactly 60 s must give 60";
}

TEST(CeilSecondsTest, ZeroIsZero) {
  EXPECT_EQ(rl::CeilSeconds(0), 0) << "no wait must give 0 seconds";
}

TEST(CeilSecondsTest, LargestWaitDoesNotOverflow) {
  const Nanos largest = rl::kNever - 1;
  EXPECT_EQ(rl::CeilSeconds(largest), largest / kSecond + 1)
      << "the largest finite wait must round up without overflowing "
         "(adding 999999999 ns first overflows 64 bits)";
}

TEST(RateLimitPolicyFieldTest, QuotaAndWindowInSeconds) {
  const Quota quota{100, 60 * kSecond, 100};
  const Decision decision = Rejected(100, kSecond, kSecond);

  EXPECT_EQ(rl::RateLimitPolicyField("api", quota, decision),
            "\"api\";q=100;w=60")
      << "100 per 60 s must read \"api\";q=100;w=60";
}

TEST(RateLimitPolicyFieldTest, CapacityComesFromTheDecision) {
  // A token bucket's capacity is its burst: the decision's limit.
  const Quota quota{10, kSecond, 25};
  const Decision decision = Rejected(25, kSecond, kSecond);

  EXPECT_EQ(rl::RateLimitPolicyField("burst", quota, decision),
            "\"burst\";q=25;w=3")
      << "q must be decision.limit (25), not quota.limit (10), and w the "
         "time 10/s takes to earn 25 (2.5 s), rounded up to 3";
}

TEST(RateLimitPolicyFieldTest, TokenBucketWindowIsBurstOverRate) {
  // Rate 10/s with a burst of 20: the bucket grants 20 at once, then takes
  // 2 s to earn them back.
  const Quota quota = Quota::PerSecond(10).WithBurst(20);
  rl::TokenBucket bucket(quota);
  const Decision decision = bucket.Decide(0);
  ASSERT_EQ(decision.limit, 20) << "a token bucket's capacity is its burst";

  EXPECT_EQ(rl::RateLimitPolicyField("default", quota, decision),
            "\"default\";q=20;w=2")
      << "rate 10/s with burst 20 must advertise 20 requests per 2 s: "
         "q=20;w=1 promises 20 per second while only 10 per second are "
         "sustained, so a client that trusts it gets 429s";
}

TEST(RateLimitPolicyFieldTest, GcraWindowIsBurstOverRate) {
  const Quota quota{100, 60 * kSecond, 300};
  rl::Gcra limiter(quota);
  const Decision decision = limiter.Decide(0);
  ASSERT_EQ(decision.limit, 300) << "a GCRA's capacity is its burst";

  EXPECT_EQ(rl::RateLimitPolicyField("default", quota, decision),
            "\"default\";q=300;w=180")
      << "rate 100/min with burst 300 must advertise 300 requests per 180 s "
         "(the time 100/min takes to earn 300), not per 60 s";
}

TEST(RateLimitPolicyFieldTest, SmallBurstWindowRoundsUp) {
  const Quota quota = Quota::PerSecond(10).WithBurst(5);
  const Decision decision = Rejected(5, kSecond, kSecond);

  EXPECT_EQ(rl::RateLimitPolicyField("p", quota, decision), "\"p\";q=5;w=1")
      << "10/s earns a burst of 5 in 0.5 s, which must be written as w=1 "
         "(rounded up), never w=0";
}

TEST(RateLimitPolicyFieldTest, ClientAtAdvertisedRateIsAllowed) {
  // Read q and w back from the field, then send q requests at once every
  // w seconds: the advertised policy must never get that client a 429.
  const Quota quotas[] = {Quota::PerSecond(10).WithBurst(20),
                          Quota{10, kSecond, 25},
                          Quota{100, 60 * kSecond, 300}};
  for (const Quota& quota : quotas) {
    rl::TokenBucket bucket(quota);
    const std::string field =
        rl::RateLimitPolicyField("p", quota, bucket.Peek(0));
    const std::size_t q_at = field.find(";q=");
    const std::size_t w_at = field.find(";w=");
    ASSERT_NE(q_at, std::string::npos)
        << "the field must contain ;q=, got: " << field;
    ASSERT_NE(w_at, std::string::npos)
        << "the field must contain ;w=, got: " << field;
    const std::int64_t q = std::stoll(field.substr(q_at + 3));
    const Nanos w = std::stoll(field.substr(w_at + 3)) * kSecond;

    for (int round = 0; round < 5; ++round) {
      for (std::int64_t i = 1; i <= q; ++i) {
        ASSERT_TRUE(bucket.Decide(round * w).allowed)
            << "with " << field << " (rate " << quota.limit << " per "
            << quota.period / kSecond << " s, burst " << quota.burst
            << "), request " << i << " of " << q << " at t=" << round * w / kSecond
            << " s was rejected: the policy advertises more than the "
               "limiter sustains";
      }
    }
  }
}

TEST(RateLimitPolicyFieldTest, WindowRoundsUp) {
  const Quota quota{3, 1500 * kMilli, 3};
  const Decision decision = Rejected(3, kSecond, kSecond);

  EXPECT_EQ(rl::RateLimitPolicyField("p", quota, decision), "\"p\";q=3;w=2")
      << "a window of 1.5 s must be written as w=2 (rounded up)";
}

TEST(RateLimitPolicyFieldTest, PolicyNameIsAQuotedString) {
  const Quota quota{1, kSecond, 1};
  const Decision decision = Rejected(1, kSecond, kSecond);

  EXPECT_EQ(rl::RateLimitPolicyField("a\"b\\c", quota, decision),
            "\"a\\\"b\\\\c\";q=1;w=1")
      << "a '\"' or '\\' in the policy name must be escaped with '\\' "
         "(a Structured Field string)";
}

TEST(RateLimitFieldTest, RemainingAndResetInSeconds) {
  Decision decision;
  decision.allowed = true;
  decision.limit = 100;
  decision.remaining = 42;
  decision.reset_after = 17200 * kMilli;

  EXPECT_EQ(rl::RateLimitField("api", decision), "\"api\";r=42;t=18")
      << "42 remaining and full again in 17.2 s must read \"api\";r=42;t=18";
}

TEST(RateLimitFieldTest, FullQuotaResetsInZero) {
  Decision decision;
  decision.allowed = true;
  decision.limit = 5;
  decision.remaining = 5;
  decision.reset_after = 0;

  EXPECT_EQ(rl::RateLimitField("api", decision), "\"api\";r=5;t=0")
      << "a full quota must read t=0";
}

TEST(MakeRejectionTest, StatusAndContentType) {
  const Quota quota{100, 60 * kSecond, 100};
  const HttpAnswer answer = rl::MakeRejection(
      "api", quota, Rejected(100, 1200 * kMilli, 30 * kSecond), "/api/items");

  EXPECT_EQ(answer.status, 429) << "a rejection must be 429 Too Many Requests";
  EXPECT_EQ(answer.content_type, "application/problem+json")
      << "the body is RFC 9457 problem details, so the content type must be "
         "application/problem+json";
}

TEST(MakeRejectionTest, RetryAfterRoundsUp) {
  const Quota quota{1, kSecond, 1};
  const HttpAnswer answer = rl::MakeRejection(
      "api", quota, Rejected(1, 1200 * kMilli, 1200 * kMilli), "/x");

  const std::optional<std::string> retry_after =
      FindHeader(answer, "Retry-After");
  ASSERT_TRUE(retry_after.has_value())
      << "a rejection that can succeed later must carry a Retry-After header";
  EXPECT_EQ(*retry_after, "2")
      << "a wait of 1.2 s must give Retry-After: 2 (whole seconds, rounded up)";
}

TEST(MakeRejectionTest, RetryAfterWholeSecondIsNotBumped) {
  const Quota quota{1, kSecond, 1};
  const HttpAnswer answer = rl::MakeRejection(
      "api", quota, Rejected(1, 2 * kSecond, 2 * kSecond), "/x");

  const std::optional<std::string> retry_after =
      FindHeader(answer, "Retry-After");
  ASSERT_TRUE(retry_after.has_value())
      << "a rejection that can succeed later must carry a Retry-After header";
  EXPECT_EQ(*retry_after, "2")
      << "a wait of exactly 2.0 s must give Retry-After: 2, not 3";
}

TEST(MakeRejectionTest, RateLimitFieldsMatchTheHelpers) {
  const Quota quota{100, 60 * kSecond, 100};
  const Decision decision = Rejected(100, 1200 * kMilli, 30 * kSecond);
  const HttpAnswer answer =
      rl::MakeRejection("api", quota, decision, "/api/items");

  const std::optional<std::string> policy =
      FindHeader(answer, "RateLimit-Policy");
  ASSERT_TRUE(policy.has_value())
      << "a rejection must carry a RateLimit-Policy header";
  EXPECT_EQ(*policy, "\"api\";q=100;w=60")
      << "RateLimit-Policy must be RateLimitPolicyField's value";

  const std::optional<std::string> state = FindHeader(answer, "RateLimit");
  ASSERT_TRUE(state.has_value()) << "a rejection must carry a RateLimit header";
  EXPECT_EQ(*state, "\"api\";r=0;t=30")
      << "RateLimit must be RateLimitField's value";
}

TEST(MakeRejectionTest, TokenBucketPolicyUsesBurstWindow) {
  const Quota quota = Quota::PerSecond(10).WithBurst(20);
  rl::TokenBucket bucket(quota);
  for (int i = 1; i <= 20; ++i) {
    ASSERT_TRUE(bucket.Decide(0).allowed)
        << "request " << i << " of the burst of 20 must be allowed";
  }
  const Decision rejected = bucket.Decide(0);
  ASSERT_FALSE(rejected.allowed) << "request 21 at t=0 must be rejected";

  const HttpAnswer answer = rl::MakeRejection("default", quota, rejected, "/x");
  const std::optional<std::string> policy =
      FindHeader(answer, "RateLimit-Policy");
  ASSERT_TRUE(policy.has_value())
      << "a rejection must carry a RateLimit-Policy header";
  EXPECT_EQ(*policy, "\"default\";q=20;w=2")
      << "the 429 of a token bucket at 10/s with burst 20 must advertise "
         "20 requests per 2 s, the same as RateLimitPolicyField";
}

TEST(MakeRejectionTest, ProblemDetailsBody) {
  const Quota quota{100, 60 * kSecond, 100};
  const HttpAnswer answer = rl::MakeRejection(
      "api", quota, Rejected(100, 1200 * kMilli, 30 * kSecond), "/api/items");
  const boost::json::object body = ParseBody(answer);

  ASSERT_TRUE(body.contains("type")) << "the body must have a \"type\" member";
  EXPECT_EQ(body.at("type"), "about:blank")
      << "\"type\" must be \"about:blank\" (the status code says it all)";
  ASSERT_TRUE(body.contains("title")) << "the body must have a \"title\" member";
  EXPECT_EQ(body.at("title"), "Too Many Requests")
      << "\"title\" must be the status phrase, \"Too Many Requests\"";
  ASSERT_TRUE(body.contains("status"))
      << "the body must have a \"status\" member";
  EXPECT_EQ(body.at("status"), 429) << "\"status\" must be the number 429";
  ASSERT_TRUE(body.contains("detail"))
      << "the body must have a \"detail\" member";
  EXPECT_TRUE(body.at("detail").is_string() &&
              !body.at("detail").as_string().empty())
      << "\"detail\" must be a non-empty string that explains the rejection";
  ASSERT_TRUE(body.contains("instance"))
      << "the body must have an \"instance\" member";
  EXPECT_EQ(body.at("instance"), "/api/items")
      << "\"instance\" must be the request path";
  ASSERT_TRUE(body.contains("policy"))
      << "the body must have a \"policy\" member";
  EXPECT_EQ(body.at("policy"), "api") << "\"policy\" must be the policy name";
  ASSERT_TRUE(body.contains("retry_after"))
      << "the body must have a \"retry_after\" member";
  EXPECT_EQ(body.at("retry_after"), 2)
      << "\"retry_after\" must equal the Retry-After header: 2 for 1.2 s";
}

TEST(MakeRejectionTest, InstanceIsJsonEscaped) {
  const std::string instance = "/api/\"quoted\"\\back\nline\x01";
  const Quota quota{1, kSecond, 1};
  const HttpAnswer answer =
      rl::MakeRejection("api", quota, Rejected(1, kSecond, kSecond), instance);
  const boost::json::object body = ParseBody(answer);

  ASSERT_TRUE(body.contains("instance"))
      << "the body must have an \"instance\" member";
  EXPECT_EQ(body.at("instance"), instance.c_str())
      << "\"instance\" must survive a JSON round trip: escape '\"', '\\' and "
         "control characters";
}

TEST(MakeRejectionTest, NeverOmitsRetryAfter) {
  const Quota quota{5, kSecond, 5};
  const HttpAnswer answer = rl::MakeRejection(
      "api", quota, Rejected(5, rl::kNever, kSecond), "/api/bulk");

  EXPECT_EQ(answer.status, 429) << "a request that can never pass is still 429";
  EXPECT_FALSE(FindHeader(answer, "Retry-After").has_value())
      << "when the wait is kNever (the cost exceeds the quota), waiting "
         "cannot help, so Retry-After must be omitted";
  EXPECT_TRUE(FindHeader(answer, "RateLimit-Policy").has_value())
      << "RateLimit-Policy must be present even when the wait is kNever";
  EXPECT_TRUE(FindHeader(answer, "RateLimit").has_value())
      << "RateLimit must be present even when the wait is kNever";

  const boost::json::object body = ParseBody(answer);
  ASSERT_TRUE(body.contains("retry_after"))
      << "the body must have a \"retry_after\" member";
  EXPECT_TRUE(body.at("retry_after").is_null())
      << "\"retry_after\" must be null when the wait is kNever";
  ASSERT_TRUE(body.contains("detail"))
      << "the body must have a \"detail\" member";
  EXPECT_TRUE(body.at("detail").is_string() &&
              !body.at("detail").as_string().empty())
      << "\"detail\" must say why retrying cannot help";
}

TEST(MakeRejectionTest, ClientThatObeysRetryAfterIsAllowed) {
  // One request per 1.2 s, no burst: the second request at t=0 must wait
  // exactly 1.2 s.
  const Quota quota{5, 6 * kSecond, 1};
  rl::Gcra limiter(quota);
  ASSERT_TRUE(limiter.Decide(0).allowed) << "the first request must be allowed";
  const Decision rejected = limiter.Decide(0);
  ASSERT_FALSE(rejected.allowed) << "the second request at t=0 must be rejected";

  const HttpAnswer answer = rl::MakeRejection("api", quota, rejected, "/x");
  const std::optional<std::string> retry_after =
      FindHeader(answer, "Retry-After");
  ASSERT_TRUE(retry_after.has_value()) << "the rejection must carry Retry-After";
  const Nanos wait = std::stoll(*retry_after) * kSecond;

  EXPECT_TRUE(limiter.Decide(wait).allowed)
      << "a client that waits the advertised Retry-After (" << *retry_after
      << " s) for a 1.2 s wait must be allowed when it retries";
}

}  // namespace
