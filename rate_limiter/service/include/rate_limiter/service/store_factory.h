// MakeStore: the Store that rl-service and rl-demo use, chosen by a
// command-line value: "memory" (this process only) or "redis://HOST:PORT"
// (shared by every instance that uses the same Redis).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rate_limiter/service/service_config.h"
#include "rate_limiter/store.h"

namespace rl::service {

struct StoreSetup {
  std::unique_ptr<Store> store;
  // errors returns how many decisions the store could not make itself and
  // left to its failure policy (always 0 for memory).
  std::function<std::uint64_t()> errors;
};

// CheckStoreSpec returns why `spec` is not a store this build can open, or
// nullopt. It checks the form only ("memory", or a Redis URL such as
// redis://127.0.0.1:6379), without connecting.
std::optional<std::string> CheckStoreSpec(std::string_view spec);

// MakeStore returns the store for `spec`. With a Redis store, fail_open
// allows requests while Redis is unreachable and !fail_open rejects them.
// On failure `store` is null and *error names the invalid value.
StoreSetup MakeStore(std::string_view spec, bool fail_open,
                     std::string* error);

// CheckConfigForStore returns why `config` cannot run on the store `spec`,
// or nullopt. The Redis store has no sliding_counter, and the limits of one
// request (a tier and a route) must use the same Redis script: fixed_window,
// sliding_log, or gcra/token_bucket.
std::optional<std::string> CheckConfigForStore(const ServiceConfig& config,
                                               std::string_view spec);

}  // namespace rl::service
