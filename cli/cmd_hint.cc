// `labkit hint LAB EXERCISE [N] [--all]`: print graded hints, one at a time.

#include <cstdio>

#include "commands.h"
#include "hints.h"
#include "manifest.h"
#include "state.h"
#include "terminal.h"

namespace labkit::cli {

namespace {

void PrintHint(const std::vector<std::string>& hints, int number) {
  std::printf("%s\n%s\n", Paint(Color::kBold, "Hint " + std::to_string(number) + " of " +
                                                  std::to_string(hints.size()))
                              .c_str(),
              hints[number - 1].c_str());
}

}  // namespace

int RunHint(const Layout& layout, const HintOptions& options) {
  StatusOr<Lab> lab = LoadLab(layout, options.lab);
  if (!lab.ok()) {
    std::fprintf(stderr, "error: %s\n", lab.status().message().c_str());
    return kExitUsage;
  }
  StatusOr<std::vector<const Exercise*>> selected = SelectExercises(lab.value(), options.exercise);
  if (!selected.ok()) {
    std::fprintf(stderr, "error: %s\n", selected.status().message().c_str());
    return kExitUsage;
  }
  const Exercise& exercise = *selected.value()[0];
  StatusOr<std::vector<std::string>> hints = LoadHints(layout, lab.value(), exercise);
  if (!hints.ok()) {
    std::fprintf(stderr, "error: %s\n", hints.status().message().c_str());
    return kExitFailed;
  }
  const int count = static_cast<int>(hints.value().size());

  // --all prints every hint.
  LabState state = LabState::Load(layout, lab->name);
  ExerciseState& saved = state.For(exercise.name);
  if (options.all) {
    for (int number = 1; number <= count; ++number) {
      PrintHint(hints.value(), number);
      if (number < count) std::printf("\n");
    }
    saved.hints_shown = count;
    (void)state.Save();
    return kExitOk;
  }

  // Otherwise the requested hint, or the next one not shown yet.
  int number = options.number;
  if (number == 0) number = std::min(saved.hints_shown + 1, count);
  if (number < 1 || number > count) {
    std::fprintf(stderr, "error: hint %d does not exist for %s: it has hints 1 to %d\n",
                 options.number, exercise.name.c_str(), count);
    return kExitUsage;
  }
  PrintHint(hints.value(), number);
  if (number > saved.hints_shown) saved.hints_shown = number;
  (void)state.Save();

  std::printf("\n");
  if (number < count) {
    std::printf("Still stuck? ./labkit hint %s %s shows hint %d.\n", lab->name.c_str(),
                exercise.name.c_str(), number + 1);
  } else {
    std::printf("That was the last hint. The reference is one step away: ./labkit solution %s %s\n",
                lab->name.c_str(), exercise.name.c_str());
  }
  return kExitOk;
}

}  // namespace labkit::cli
