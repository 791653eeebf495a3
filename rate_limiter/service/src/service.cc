#include "rate_limiter/service/service.h"

#include <array>
#include <cstdio>
#include <span>

#include <spdlog/spdlog.h>

#include "rate_limiter/rejection.h"

namespace rl::service {
namespace {

constexpr std::string_view kAllowedBody =
    "{\"status\":\"ok\",\"message\":\"request allowed\"}\n";

// UnderPrefix is true when `path` is `prefix` or continues it after a '/'.
bool UnderPrefix(std::string_view path, std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || prefix.back() == '/' ||
         path[prefix.size()] == '/';
}

// AppendList appends `item` to a Structured Field list.
void AppendList(std::string& list, const std::string& item) {
  if (!list.empty()) list += ", ";
  list += item;
}

void AppendCounter(std::string& out, std::string_view name,
                   std::string_view help, std::uint64_t value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += " counter\n";
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

}  // namespace

std::string KeyHash(std::string_view api_key) {
  std::uint32_t hash = 2166136261u;
  for (char c : api_key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  std::array<char, 9> text;
  std::snprintf(text.data(), text.size(), "%08x", hash);
  return std::string(text.data(), 8);
}

RateLimitService::RateLimitService(ServiceConfig config, Store& store,
                                   const labkit::Clock& clock)
    : config_(std::move(config)),
      store_(store),
      clock_(clock),
      rejected_(std::make_unique<Counter[]>(config_.tiers.size() +
                                            config_.routes.size())) {
  for (const Tier& tier : config_.tiers) {
    for (const std::string& key : tier.api_keys) tier_by_key_[key] = &tier;
  }
}

RateLimitService::~RateLimitService() = default;

void RateLimitService::SetServerStats(
    std::function<labkit::http::ServerStats()> source) {
  server_stats_ = std::move(source);
}

void RateLimitService::SetStoreErrors(std::function<std::uint64_t()> source) {
  store_errors_ = std::move(source);
}

const Tier& RateLimitService::TierFor(std::string_view api_key) const {
  if (!api_key.empty()) {
    auto it = tier_by_key_.find(std::string(api_key));
    if (it != tier_by_key_.end()) return *it->second;
  }
  return config_.tiers.front();
}

const Route* RateLimitService::RouteFor(std::string_view path) const {
  const Route* best = nullptr;
  for (const Route& route : config_.routes) {
    if (!UnderPrefix(path, route.path)) continue;
    if (best == nullptr || route.path.size() > best->path.size()) best = &route;
  }
  return best;
}

labkit::http::Response RateLimitService::Handle(
    const labkit::http::Request& request) {
  if (request.path == "/metrics" && request.method == "GET") return Metrics();
  requests_.value.fetch_add(1, std::memory_order_relaxed);

  // Resolve the client and the limits that apply to this request.
  const std::string_view api_key = request.Header(config_.api_key_header);
  std::string client = api_key.empty()
                           ? "ip:" + std::string(request.remote_address)
                           : "key:" + std::string(api_key);
  const Tier& tier = TierFor(api_key);
  const Route* route = RouteFor(request.path);
  std::array<LimitRequest, 2> limits{
      LimitRequest{.key = client, .limit = &tier.limit},
      LimitRequest{.key = client, .limit = route ? &route->limit : nullptr}};
  const std::size_t count = route ? 2 : 1;

  // Decide every limit, all or nothing.
  MultiDecision outcome = store_.DecideAll(
      std::span<const LimitRequest>(limits.data(), count), clock_.Now());

  // The RateLimit fields list every limit, tier first.
  std::string policy_field;
  std::string state_field;
  for (std::size_t i = 0; i < count; ++i) {
    const Limit& limit = *limits[i].limit;
    AppendList(policy_field, RateLimitPolicyField(limit.name, limit.quota,
                                                  outcome.decisions[i]));
    AppendList(state_field, RateLimitField(limit.name, outcome.decisions[i]));
  }

  labkit::http::Response response;
  if (outcome.allowed) {
    allowed_.value.fetch_add(1, std::memory_order_relaxed);
    response.content_type = "application/json";
    response.headers = {{"RateLimit-Policy", std::move(policy_field)},
                        {"RateLimit", std::move(state_field)}};
    response.body = kAllowedBody;
    return response;
  }

  // Rejected: the deciding limit writes the 429, with the full lists.
  const Limit& deciding = *limits[outcome.deciding].limit;
  const std::size_t counter =
      route && outcome.deciding == 1
          ? config_.tiers.size() + static_cast<std::size_t>(route - config_.routes.data())
          : static_cast<std::size_t>(&tier - config_.tiers.data());
  rejected_[counter].value.fetch_add(1, std::memory_order_relaxed);
  if (spdlog::should_log(spdlog::level::debug)) {
    spdlog::debug("rejected {} {} for client {} by limit '{}'",
                  request.method, request.path,
                  api_key.empty() ? client : "key#" + KeyHash(api_key),
                  deciding.name);
  }

  HttpAnswer answer = MakeRejection(deciding.name, deciding.quota,
                                    outcome.decisions[outcome.deciding],
                                    request.path);
  response.status = answer.status;
  response.content_type = std::move(answer.content_type);
  response.body = std::move(answer.body);
  for (auto& [name, value] : answer.headers) {
    if (name == "RateLimit-Policy") {
      value = policy_field;
    } else if (name == "RateLimit") {
      value = state_field;
    }
    response.headers.emplace_back(std::move(name), std::move(value));
  }
  return response;
}

ServiceStats RateLimitService::stats() const {
  ServiceStats stats;
  stats.requests = requests_.value.load(std::memory_order_relaxed);
  stats.allowed = allowed_.value.load(std::memory_order_relaxed);
  std::size_t i = 0;
  auto add = [&](const Limit& limit) {
    const std::uint64_t n = rejected_[i++].value.load(std::memory_order_relaxed);
    stats.rejected += n;
    stats.rejected_by_limit.emplace_back(limit.name, n);
  };
  for (const Tier& tier : config_.tiers) add(tier.limit);
  for (const Route& route : config_.routes) add(route.limit);
  return stats;
}

labkit::http::Response RateLimitService::Metrics() const {
  const ServiceStats stats = this->stats();
  std::string out;
  AppendCounter(out, "rl_requests_total",
                "Requests decided by the rate limiter.", stats.requests);
  AppendCounter(out, "rl_allowed_total", "Requests allowed.", stats.allowed);

  out += "# HELP rl_rejected_total Requests rejected, by deciding limit.\n";
  out += "# TYPE rl_rejected_total counter\n";
  for (const auto& [name, count] : stats.rejected_by_limit) {
    // Limit names come from the configuration; escape for the label value.
    std::string label;
    for (char c : name) {
      if (c == '\\' || c == '"') label += '\\';
      label += c;
    }
    out += "rl_rejected_total{limit=\"" + label + "\"} " +
           std::to_string(count) + "\n";
  }

  AppendCounter(out, "rl_store_errors_total",
                "Decisions the store could not make (backend unreachable, "
                "script error); the failure policy answered them.",
                store_errors_ ? store_errors_() : 0);

  if (server_stats_) {
    const labkit::http::ServerStats server = server_stats_();
    AppendCounter(out, "http_connections_accepted_total",
                  "TCP connections accepted.", server.connections_accepted);
    AppendCounter(out, "http_requests_total",
                  "HTTP requests parsed and passed to the handler.",
                  server.requests);
    AppendCounter(out, "http_bad_requests_total",
                  "Requests answered 400, 413 or 431 by the server.",
                  server.bad_requests);
    AppendCounter(out, "http_timeouts_total",
                  "Connections closed by the request or idle timeout.",
                  server.timeouts);
  }

  labkit::http::Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = std::move(out);
  return response;
}

}  // namespace rl::service
