// Terminal: colors when stdout is a terminal, and a progress display for
// long steps.
//
// On a terminal, Progress redraws ONE line in place ("building ... [12/40]
// 30%"). Otherwise (a pipe, a CI log) it prints a line at each 10% step, or
// every 10 s for a step with no known total, so a reader never faces a silent
// wait. Not thread-safe: one Progress at a time writes to stdout.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace labkit::cli {

// HumanOutput is the stream for progress and messages: stdout, unless
// SendHumanOutputToStderr() moved it because stdout carries JSON.
FILE* HumanOutput();
void SendHumanOutputToStderr();

// HumanOutputIsTerminal is true when HumanOutput() is a terminal and TERM is
// not "dumb".
bool HumanOutputIsTerminal();

// Paint wraps text in an ANSI color when HumanOutput() is a terminal and
// NO_COLOR is unset; otherwise it returns the text unchanged.
enum class Color { kRed, kGreen, kYellow, kBold, kDim };
std::string Paint(Color color, std::string_view text);

class Progress {
 public:
  // `label` names the work, for example "building token_bucket".
  explicit Progress(std::string label);
  ~Progress();

  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Update records `done` of `total` units, with the current item's text.
  void Update(int done, int total, std::string_view detail);
  // Tick redraws the elapsed time when nothing else changed.
  void Tick();
  // Finish clears the line on a terminal. The destructor calls it.
  void Finish();

  double ElapsedSeconds() const;

 private:
  void Draw();

  std::string label_;
  std::string detail_;
  int done_ = 0;
  int total_ = 0;
  int plain_total_ = 0;
  int last_printed_decile_ = 0;
  bool terminal_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::chrono::steady_clock::time_point last_plain_line_;
};

}  // namespace labkit::cli
