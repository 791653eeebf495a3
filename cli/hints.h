// Hints: the graded hints of an exercise, from its Markdown file.
//
// The file has sections headed "## Hint 1", "## Hint 2" and so on. Each
// section runs to the next "## " heading. Hints go from a nudge to nearly the answer.
#pragma once

#include <string>
#include <vector>

#include "layout.h"
#include "manifest.h"
#include "status.h"

namespace labkit::cli {

// LoadHints returns the hints in order (element 0 is "## Hint 1"). A missing
// file or a file without hint sections is an error naming the file.
StatusOr<std::vector<std::string>> LoadHints(const Layout& layout, const Lab& lab,
                                             const Exercise& exercise);

}  // namespace labkit::cli
