// `labkit broker [args...]`: build queue-broker (the embedded Kafka-protocol
// broker of the queue lab) and replace the CLI with it.

#include <cstdio>

#include "build_step.h"
#include "commands.h"
#include "process.h"

namespace labkit::cli {

namespace {

constexpr const char* kBrokerTarget = "queue-broker";

}  // namespace

int RunBroker(const Layout& layout, const std::vector<std::string>& args) {
  // Build the broker program.
  if (Status status = EnsureConfigured(layout, kDefaultPreset); !status.ok()) {
    std::fprintf(stderr, "error: %s\n", status.message().c_str());
    return kExitFailed;
  }
  StepResult build = BuildTargets(layout, kDefaultPreset, {kBrokerTarget}, "broker-build",
                                  std::string("building ") + kBrokerTarget, /*keep_going=*/false);
  if (Interrupted()) return kExitInterrupted;
  if (!build.ok()) {
    PrintStepFailure(layout, std::string("building ") + kBrokerTarget + " failed", build);
    return kExitFailed;
  }
  StatusOr<fs::path> executable = FindBuiltExecutable(layout, kDefaultPreset, kBrokerTarget);
  if (!executable.ok()) {
    std::fprintf(stderr, "error: %s\n", executable.status().message().c_str());
    return kExitFailed;
  }

  // Replace the CLI rather than wait for a child, so SIGTERM sent to this
  // process stops the broker too, and its exit code is the CLI's.
  std::vector<std::string> argv = {executable->string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::fflush(stdout);
  const std::string failure = ExecReplacing(argv, {{"LABKIT_ROOT", layout.root.string()}});
  std::fprintf(stderr, "error: cannot run %s: %s\n", layout.Relative(executable.value()).c_str(),
               failure.c_str());
  return kExitFailed;
}

}  // namespace labkit::cli
