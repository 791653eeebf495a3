// Command-line checks of rl-service and rl-demo: the kit's shared
// validators (labkit/flags.h), plus the --store check of this lab.
#pragma once

#include <string>

#include "labkit/flags.h"
#include "rate_limiter/service/store_factory.h"

namespace rl::service {

using labkit::ExistingFile;
using labkit::OneOf;
using labkit::ParseFlags;
using labkit::WholeNumber;

// StoreSpec returns a validator for a --store value: "memory" or a Redis
// URL that this build can use. Reaching that Redis is checked later.
inline CLI::Validator StoreSpec() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return CheckStoreSpec(text).value_or("");
      },
      "");
}

}  // namespace rl::service
