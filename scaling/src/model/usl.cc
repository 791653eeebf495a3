// The USL model itself, its peak, R^2 and the CSV loader. The fit is in
// usl_fit.cc, the file the usl_fit exercise replaces.

#include "scaling/usl.h"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

namespace scaling {

double UslThroughput(const UslParameters& parameters, double n) {
  const double denominator = 1.0 + parameters.sigma * (n - 1.0) +
                             parameters.kappa * n * (n - 1.0);
  return parameters.lambda * n / denominator;
}

void UslPeak(UslFit* fit) {
  const UslParameters& p = fit->parameters;
  constexpr double kInfinity = std::numeric_limits<double>::infinity();

  if (p.kappa > 0 && p.sigma < 1) {
    fit->peak_concurrency = std::sqrt((1.0 - p.sigma) / p.kappa);
    fit->peak_throughput = UslThroughput(p, fit->peak_concurrency);
    return;
  }

  // No interior peak: X(N) rises towards lambda / sigma, or without bound.
  fit->peak_concurrency = kInfinity;
  fit->peak_throughput = p.sigma > 0 ? p.lambda / p.sigma : kInfinity;
}

double UslRSquared(const UslParameters& parameters,
                   std::span<const UslPoint> points) {
  if (points.empty()) return 0;

  double mean = 0;
  for (const UslPoint& point : points) mean += point.throughput;
  mean /= static_cast<double>(points.size());

  double residual_sum = 0;
  double total_sum = 0;
  for (const UslPoint& point : points) {
    const double residual =
        point.throughput - UslThroughput(parameters, point.concurrency);
    residual_sum += residual * residual;
    total_sum += (point.throughput - mean) * (point.throughput - mean);
  }
  if (total_sum == 0) return residual_sum == 0 ? 1.0 : 0.0;
  return 1.0 - residual_sum / total_sum;
}

namespace {

std::string_view Trim(std::string_view text) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r';
  };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// ParseNumber returns true and sets *value when `field` is one whole
// decimal number.
bool ParseNumber(std::string_view field, double* value) {
  field = Trim(field);
  if (field.empty()) return false;
  const char* end = field.data() + field.size();
  auto [stop, ec] = std::from_chars(field.data(), end, *value);
  return ec == std::errc() && stop == end;
}

std::string Location(std::string_view source, int line) {
  return std::string(source) + ":" + std::to_string(line);
}

}  // namespace

ModelResult<std::vector<UslPoint>> ParseUslCsv(std::string_view text,
                                               std::string_view source) {
  std::vector<UslPoint> points;
  bool first_row = true;
  int line_number = 0;

  while (!text.empty()) {
    // Take one line.
    const size_t newline = text.find('\n');
    std::string_view line = Trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size()
                                                         : newline + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;

    // Split it into exactly two fields.
    const size_t comma = line.find(',');
    if (comma == std::string_view::npos ||
        line.find(',', comma + 1) != std::string_view::npos) {
      return ModelError{Location(source, line_number) + ": invalid row '" +
                        std::string(line) +
                        "': expected two fields, concurrency,throughput"};
    }
    const std::string_view first = Trim(line.substr(0, comma));
    const std::string_view second = Trim(line.substr(comma + 1));

    // Parse both, allowing one header row before any data.
    UslPoint point;
    const bool first_ok = ParseNumber(first, &point.concurrency);
    const bool second_ok = ParseNumber(second, &point.throughput);
    const bool is_header = first_row && !first_ok && !second_ok;
    first_row = false;
    if (is_header) continue;
    if (!first_ok || !second_ok) {
      const bool bad_first = !first_ok;
      return ModelError{Location(source, line_number) + ": invalid row '" +
                        std::string(line) + "': the " +
                        (bad_first ? "concurrency" : "throughput") + " '" +
                        std::string(bad_first ? first : second) +
                        "' is not a number"};
    }
    points.push_back(point);
  }
  return points;
}

ModelResult<std::vector<UslPoint>> LoadUslCsv(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return ModelError{"cannot read USL data file '" + path +
                      "': it is missing or unreadable"};
  }
  std::ostringstream contents;
  contents << file.rdbuf();

  ModelResult<std::vector<UslPoint>> points = ParseUslCsv(contents.str(), path);
  if (points.ok() && points.value().empty()) {
    return ModelError{"USL data file '" + path +
                      "' contains no rows: expected lines of "
                      "concurrency,throughput"};
  }
  return points;
}

}  // namespace scaling
