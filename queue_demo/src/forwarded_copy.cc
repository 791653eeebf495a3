// ForwardedCopy: the copy of a failed message that goes to the retry or the
// dead letter topic, with the routing headers that say why and from where.
// The rest of the failure router is in failure_router.cc.
#include "queue_demo/failure_router.h"

namespace queue_demo {
namespace {

bool IsRoutingHeader(std::string_view name) {
  return name.substr(0, 2) == "x-" &&
         (name == kReasonHeader || name == kFailureKindHeader ||
          name == kAttemptsHeader || name == kRetryRoundsHeader ||
          name == kOriginalTopicHeader || name == kOriginalPartitionHeader ||
          name == kOriginalOffsetHeader);
}

}  // namespace

OutgoingMessage ForwardedCopy(const Message& message,
                              const HandlerFailure& failure, int attempt,
                              RetryAction destination) {
  const bool to_retry_topic = destination == RetryAction::kSendToRetryTopic;
  const std::string original = OriginalTopicOf(message);
  OutgoingMessage copy;
  copy.topic = to_retry_topic ? RetryTopicFor(original)
                              : DeadLetterTopicFor(original);
  copy.key = message.key;
  copy.value = message.value;

  // Keep the producer's headers; replace the routing ones.
  for (const auto& header : message.headers) {
    if (!IsRoutingHeader(header.first)) copy.headers.push_back(header);
  }

  // The first place the message was read stays the origin across rounds.
  const bool from_retry_topic =
      FindHeader(message.headers, kOriginalTopicHeader).has_value();
  std::string partition = std::to_string(message.partition);
  std::string offset = std::to_string(message.offset);
  if (from_retry_topic) {
    partition = FindHeader(message.headers, kOriginalPartitionHeader)
                    .value_or(partition);
    offset = FindHeader(message.headers, kOriginalOffsetHeader).value_or(offset);
  }
  const bool permanent = failure.kind == FailureKind::kPermanent;
  copy.headers.push_back({std::string(kReasonHeader), failure.reason});
  copy.headers.push_back(
      {std::string(kFailureKindHeader), permanent ? "permanent" : "transient"});
  copy.headers.push_back({std::string(kAttemptsHeader),
                          std::to_string(PreviousAttemptsOf(message) + attempt)});
  const int rounds = RetryRoundsOf(message) + (to_retry_topic ? 1 : 0);
  copy.headers.push_back(
      {std::string(kRetryRoundsHeader), std::to_string(rounds)});
  copy.headers.push_back({std::string(kOriginalTopicHeader), original});
  copy.headers.push_back({std::string(kOriginalPartitionHeader), partition});
  copy.headers.push_back({std::string(kOriginalOffsetHeader), offset});
  return copy;
}

}  // namespace queue_demo
