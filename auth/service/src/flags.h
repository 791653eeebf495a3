// Command-line checks of auth-service and auth-demo: the kit's shared
// validators (labkit/flags.h), under this program's namespace.
#pragma once

#include "labkit/flags.h"

namespace auth::service {

using labkit::ExistingFile;
using labkit::OneOf;
using labkit::ParseFlags;
using labkit::WholeNumber;

}  // namespace auth::service
