#include "rate_limiter/service/service_config.h"

#include <map>
#include <optional>
#include <string>

namespace rl::service {
namespace {

using labkit::ConfigEntry;
using labkit::ConfigError;
using labkit::ConfigFile;
using labkit::ConfigResult;
using labkit::ConfigSection;

constexpr std::string_view kAlgorithms =
    "fixed_window, sliding_log, sliding_counter, token_bucket or gcra";
constexpr std::string_view kRateFormat =
    "N/s, N/min or N/h, where N is a whole number of 1 or more";

bool UsesBurst(Algorithm algorithm) {
  return algorithm == Algorithm::kTokenBucket || algorithm == Algorithm::kGcra;
}

// ParseLimit reads rate, burst and algorithm from `section` into a Limit
// named after the section's argument.
ConfigResult<Limit> ParseLimit(const ConfigFile& file,
                               const ConfigSection& section) {
  Limit limit;
  limit.name = section.argument;
  if (limit.name.empty()) {
    return file.ErrorAt(section.line, "missing name in " + section.Title() +
                                          ": write [" + section.name +
                                          " NAME]");
  }

  // The algorithm, gcra unless set.
  if (const ConfigEntry* entry = section.Find("algorithm")) {
    std::optional<Algorithm> algorithm = ParseAlgorithm(entry->value);
    if (!algorithm) return file.InvalidValue(*entry, "algorithm", kAlgorithms);
    limit.algorithm = *algorithm;
  }

  // The rate: limit requests per period.
  ConfigResult<const ConfigEntry*> rate_entry = file.Require(section, "rate");
  if (!rate_entry.ok()) return rate_entry.error();
  std::optional<labkit::Rate> rate = labkit::ParseRate(rate_entry.value()->value);
  if (!rate) {
    return file.InvalidValue(*rate_entry.value(), "rate", kRateFormat);
  }
  limit.quota = Quota{rate->count, rate->period, rate->count};

  // The burst, for the two algorithms that have one.
  if (const ConfigEntry* entry = section.Find("burst")) {
    if (!UsesBurst(limit.algorithm)) {
      return file.ErrorAt(entry->line,
                          "burst is set but " +
                              std::string(AlgorithmName(limit.algorithm)) +
                              " has no burst: remove it, or use token_bucket "
                              "or gcra");
    }
    std::optional<std::int64_t> burst = labkit::ParseInt(entry->value);
    if (!burst || *burst < 1) {
      return file.InvalidValue(*entry, "burst", "a whole number of 1 or more");
    }
    limit.quota.burst = *burst;
  }

  if (!ValidQuota(limit.quota)) {
    return file.ErrorAt(rate_entry.value()->line,
                        "invalid quota in " + section.Title() +
                            ": rate and burst are too large to compute "
                            "exactly in 64-bit nanoseconds");
  }
  return limit;
}

ConfigResult<Tier> ParseTier(const ConfigFile& file,
                             const ConfigSection& section) {
  if (auto error = file.CheckKeys(section,
                                  {"rate", "burst", "algorithm", "api_keys"})) {
    return *error;
  }
  ConfigResult<Limit> limit = ParseLimit(file, section);
  if (!limit.ok()) return limit.error();

  Tier tier{std::move(limit).value(), {}};
  const ConfigEntry* keys = section.Find("api_keys");
  if (tier.limit.name == "default") {
    if (keys != nullptr) {
      return file.ErrorAt(keys->line,
                          "the default tier cannot list api_keys: it applies "
                          "to every client not listed in another tier");
    }
    return tier;
  }
  if (keys == nullptr) {
    return file.ErrorAt(section.line, "missing key 'api_keys' in " +
                                          section.Title() +
                                          ": list the API keys of this tier");
  }
  tier.api_keys = labkit::SplitList(keys->value);
  return tier;
}

ConfigResult<Route> ParseRoute(const ConfigFile& file,
                               const ConfigSection& section) {
  if (auto error =
          file.CheckKeys(section, {"path", "rate", "burst", "algorithm"})) {
    return *error;
  }
  ConfigResult<Limit> limit = ParseLimit(file, section);
  if (!limit.ok()) return limit.error();

  ConfigResult<const ConfigEntry*> path = file.Require(section, "path");
  if (!path.ok()) return path.error();
  const std::string& text = path.value()->value;
  if (text.front() != '/' || text.find_first_of(" ?#") != std::string::npos) {
    return file.InvalidValue(*path.value(), "path",
                             "a path starting with '/', without a query");
  }
  return Route{std::move(limit).value(), text};
}

// ParseServer reads the optional [server] section into `options`.
std::optional<ConfigError> ParseServer(const ConfigFile& file,
                                       const ConfigSection& section,
                                       labkit::http::ServerOptions& options) {
  if (auto error = file.CheckKeys(section, {"request_timeout", "idle_timeout",
                                            "header_limit", "body_limit"})) {
    return error;
  }
  for (const ConfigEntry& entry : section.entries) {
    if (entry.key == "request_timeout" || entry.key == "idle_timeout") {
      std::optional<labkit::Nanos> duration =
          labkit::ParseDuration(entry.value);
      if (!duration) {
        return file.InvalidValue(entry, entry.key,
                                 "a duration such as 250ms, 2s, 5min or 1h");
      }
      (entry.key == "request_timeout" ? options.request_timeout
                                      : options.idle_timeout) = *duration;
      continue;
    }
    std::optional<std::int64_t> bytes = labkit::ParseInt(entry.value);
    if (!bytes || *bytes < 1 || *bytes > (1 << 30)) {
      return file.InvalidValue(entry, entry.key,
                               "a number of bytes from 1 to 1073741824");
    }
    (entry.key == "header_limit" ? options.header_limit : options.body_limit) =
        static_cast<std::size_t>(*bytes);
  }
  return std::nullopt;
}

// CheckUnique rejects a policy name, API key or route path used twice.
std::optional<ConfigError> CheckUnique(
    const ConfigFile& file, std::map<std::string, int>& seen,
    const std::string& value, std::string_view what, int line) {
  auto [it, inserted] = seen.emplace(value, line);
  if (inserted) return std::nullopt;
  return file.ErrorAt(line, "duplicate " + std::string(what) + " '" + value +
                                "' (first on line " +
                                std::to_string(it->second) + ")");
}

}  // namespace

ConfigResult<ServiceConfig> ParseServiceConfig(const ConfigFile& file) {
  ServiceConfig config;
  std::map<std::string, int> policy_names;
  std::map<std::string, int> api_keys;
  std::map<std::string, int> paths;
  std::optional<Tier> default_tier;
  std::vector<Tier> other_tiers;

  for (const ConfigSection& section : file.sections()) {
    if (section.name == "service") {
      if (auto error = file.CheckKeys(section, {"api_key_header"})) {
        return *error;
      }
      if (const ConfigEntry* header = section.Find("api_key_header")) {
        config.api_key_header = header->value;
      }
    } else if (section.name == "server") {
      if (auto error = ParseServer(file, section, config.server)) return *error;
    } else if (section.name == "tier") {
      ConfigResult<Tier> tier = ParseTier(file, section);
      if (!tier.ok()) return tier.error();
      if (auto error = CheckUnique(file, policy_names, tier.value().limit.name,
                                   "limit name", section.line)) {
        return *error;
      }
      const ConfigEntry* keys = section.Find("api_keys");
      for (const std::string& key : tier.value().api_keys) {
        // The message names the line, never the key: keys are secrets.
        if (api_keys.count(key) != 0) {
          return file.ErrorAt(keys->line,
                              "an API key on this line is also listed on "
                              "line " +
                                  std::to_string(api_keys[key]) +
                                  ": each key belongs to one tier");
        }
        api_keys[key] = keys->line;
      }
      if (tier.value().limit.name == "default") {
        default_tier = std::move(tier).value();
      } else {
        other_tiers.push_back(std::move(tier).value());
      }
    } else if (section.name == "route") {
      ConfigResult<Route> route = ParseRoute(file, section);
      if (!route.ok()) return route.error();
      if (auto error = CheckUnique(file, policy_names, route.value().limit.name,
                                   "limit name", section.line)) {
        return *error;
      }
      if (auto error = CheckUnique(file, paths, route.value().path,
                                   "route path", section.Find("path")->line)) {
        return *error;
      }
      config.routes.push_back(std::move(route).value());
    } else {
      return file.ErrorAt(section.line,
                          "unknown section " + section.Title() +
                              ": expected [service], [server], [tier NAME] "
                              "or [route NAME]");
    }
  }

  if (!default_tier) {
    return ConfigError{file.file_name() +
                       ": missing [tier default]: every client not listed in "
                       "another tier needs a limit"};
  }
  config.tiers.push_back(std::move(*default_tier));
  for (Tier& tier : other_tiers) config.tiers.push_back(std::move(tier));
  return config;
}

ConfigResult<ServiceConfig> LoadServiceConfig(const std::string& path) {
  ConfigResult<ConfigFile> file = ConfigFile::Load(path);
  if (!file.ok()) return file.error();
  return ParseServiceConfig(file.value());
}

}  // namespace rl::service
