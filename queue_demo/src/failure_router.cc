#include "queue_demo/failure_router.h"

#include <charconv>

namespace queue_demo {
namespace {

// ReadCount parses a non-negative decimal header value; 0 when absent or
// malformed, so a hand-made record cannot break the routing.
int ReadCount(const std::vector<std::pair<std::string, std::string>>& headers,
              std::string_view name) {
  const std::optional<std::string> text = FindHeader(headers, name);
  if (!text) return 0;
  int value = 0;
  const char* end = text->data() + text->size();
  auto [stop, ec] = std::from_chars(text->data(), end, value);
  if (ec != std::errc() || stop != end || value < 0) return 0;
  return value;
}

}  // namespace

std::optional<std::string> FindHeader(
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::string_view name) {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  return std::nullopt;
}

std::string ValidateRetryPolicy(const RetryPolicy& policy) {
  if (policy.attempts_in_place < 1) {
    return "retry policy: attempts_in_place must be at least 1, got " +
           std::to_string(policy.attempts_in_place);
  }
  if (policy.retry_topic_rounds < 0) {
    return "retry policy: retry_topic_rounds must be at least 0, got " +
           std::to_string(policy.retry_topic_rounds);
  }
  if (policy.initial_backoff_ms < 0) {
    return "retry policy: initial_backoff_ms must be at least 0, got " +
           std::to_string(policy.initial_backoff_ms);
  }
  if (policy.max_backoff_ms < policy.initial_backoff_ms) {
    return "retry policy: max_backoff_ms (" +
           std::to_string(policy.max_backoff_ms) +
           ") must be at least initial_backoff_ms (" +
           std::to_string(policy.initial_backoff_ms) + ")";
  }
  return "";
}

std::string RetryTopicFor(std::string_view original_topic) {
  return std::string(original_topic) + ".retry";
}

std::string DeadLetterTopicFor(std::string_view original_topic) {
  return std::string(original_topic) + ".dlt";
}

std::string OriginalTopicOf(const Message& message) {
  std::optional<std::string> original =
      FindHeader(message.headers, kOriginalTopicHeader);
  return original && !original->empty() ? *original : message.topic;
}

int RetryRoundsOf(const Message& message) {
  return ReadCount(message.headers, kRetryRoundsHeader);
}

int PreviousAttemptsOf(const Message& message) {
  return ReadCount(message.headers, kAttemptsHeader);
}

RouteOutcome FailureRouter::OnHandlerFailure(const Message& message,
                                             const HandlerFailure& failure,
                                             int attempt) {
  const FailureState state{failure.kind, attempt, RetryRoundsOf(message)};
  const RetryDecision decision = DecideRetry(policy_, state);
  RouteOutcome outcome;
  outcome.action = decision.action;
  outcome.backoff_ms = decision.backoff_ms;
  if (decision.action == RetryAction::kRetryInPlace) return outcome;

  // Leave the partition: publish the copy and wait for its delivery report.
  OutgoingMessage copy = ForwardedCopy(message, failure, attempt, decision.action);
  outcome.topic = copy.topic;
  const std::vector<DeliveryReport> reports =
      publisher_.PublishAll(std::span<const OutgoingMessage>(&copy, 1));
  outcome.report = reports.empty() ? DeliveryReport{"no delivery report"}
                                   : reports.front();
  return outcome;
}

}  // namespace queue_demo
