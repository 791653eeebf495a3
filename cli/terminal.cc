#include "terminal.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/ioctl.h>
#include <unistd.h>

namespace labkit::cli {

namespace {

int TerminalWidth() {
  winsize size{};
  if (::ioctl(::fileno(HumanOutput()), TIOCGWINSZ, &size) == 0 && size.ws_col > 20) return size.ws_col;
  return 80;
}

std::string FormatSeconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.0f s", seconds);
  return text;
}

}  // namespace

namespace {
FILE* g_human_output = nullptr;
}  // namespace

FILE* HumanOutput() { return g_human_output != nullptr ? g_human_output : stdout; }

void SendHumanOutputToStderr() { g_human_output = stderr; }

bool HumanOutputIsTerminal() {
  const char* term = std::getenv("TERM");
  return ::isatty(::fileno(HumanOutput())) == 1 &&
         (term == nullptr || std::strcmp(term, "dumb") != 0);
}

std::string Paint(Color color, std::string_view text) {
  const bool enabled = HumanOutputIsTerminal() && std::getenv("NO_COLOR") == nullptr;
  if (!enabled) return std::string(text);
  const char* code = "";
  switch (color) {
    case Color::kRed: code = "\033[31m"; break;
    case Color::kGreen: code = "\033[32m"; break;
    case Color::kYellow: code = "\033[33m"; break;
    case Color::kBold: code = "\033[1m"; break;
    case Color::kDim: code = "\033[2m"; break;
  }
  return std::string(code) + std::string(text) + "\033[0m";
}

Progress::Progress(std::string label)
    : label_(std::move(label)),
      terminal_(HumanOutputIsTerminal()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_),
      last_plain_line_(start_) {
  if (terminal_) {
    Draw();
  } else {
    std::fprintf(HumanOutput(), "%s ...\n", label_.c_str());
    std::fflush(HumanOutput());
  }
}

Progress::~Progress() { Finish(); }

double Progress::ElapsedSeconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Update(int done, int total, std::string_view detail) {
  done_ = done;
  total_ = total;
  detail_ = std::string(detail);
  if (terminal_) {
    // Redraw at most about 20 times a second.
    if (std::chrono::steady_clock::now() - last_draw_ > std::chrono::milliseconds(50)) Draw();
    return;
  }

  // Plain output: one line each time the work crosses another 10%. A new
  // total (cmake's regeneration step, then the build) starts over.
  if (total != plain_total_) {
    plain_total_ = total;
    last_printed_decile_ = 0;
  }
  if (total <= 0 || done <= 0) return;
  const int decile = done * 10 / total;
  if (decile > last_printed_decile_) {
    last_printed_decile_ = decile;
    last_plain_line_ = std::chrono::steady_clock::now();
    std::fprintf(HumanOutput(), "%s: %d%% (%d/%d)\n", label_.c_str(), done * 100 / total, done, total);
    std::fflush(HumanOutput());
  }
}

void Progress::Tick() {
  const auto now = std::chrono::steady_clock::now();
  if (terminal_) {
    if (now - last_draw_ > std::chrono::milliseconds(500)) Draw();
    return;
  }
  if (now - last_plain_line_ > std::chrono::seconds(10)) {
    last_plain_line_ = now;
    std::fprintf(HumanOutput(), "%s: still running (%s)\n", label_.c_str(), FormatSeconds(ElapsedSeconds()).c_str());
    std::fflush(HumanOutput());
  }
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (terminal_) {
    std::fprintf(HumanOutput(), "\r\033[K");
    std::fflush(HumanOutput());
  }
}

void Progress::Draw() {
  last_draw_ = std::chrono::steady_clock::now();
  std::string line = label_;
  if (total_ > 0) {
    line += " [" + std::to_string(done_) + "/" + std::to_string(total_) + "] " +
            std::to_string(done_ * 100 / total_) + "%";
  }
  line += " (" + FormatSeconds(ElapsedSeconds()) + ")";
  if (!detail_.empty()) line += "  " + detail_;

  // Keep to one line: a wrapped line cannot be redrawn in place.
  const size_t width = static_cast<size_t>(TerminalWidth()) - 1;
  if (line.size() > width) line = line.substr(0, width - 3) + "...";
  std::fprintf(HumanOutput(), "\r\033[K%s", line.c_str());
  std::fflush(HumanOutput());
}

}  // namespace labkit::cli
