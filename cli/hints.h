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

// ParseHints returns the hint sections of a hints file's text, ordered by
// their number, each without its heading and surrounding blank lines. A
// "# " or other "## " heading ends a section. Hints numbered other than
// 1, 2, 3 ... in some order (a gap, a repeat, a 0) are an error naming the
// numbers. No section at all is an empty list.
StatusOr<std::vector<std::string>> ParseHints(const std::string& text);

// LoadHints returns the hints in order (element 0 is "## Hint 1"). A missing
// file or a file without hint sections is an error naming the file.
StatusOr<std::vector<std::string>> LoadHints(const Layout& layout, const Lab& lab,
                                             const Exercise& exercise);

}  // namespace labkit::cli
