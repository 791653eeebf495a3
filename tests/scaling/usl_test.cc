// Unit tests of the USL model beside the fit: the throughput formula, the
// peak, R^2, the CSV loader and its errors. The fit itself is specified by
// tests/scaling/exercises/usl_fit_test.cc.

#include "scaling/usl.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace {

using scaling::ParseUslCsv;
using scaling::UslFit;
using scaling::UslParameters;
using scaling::UslPoint;
using ::testing::HasSubstr;

TEST(UslModelTest, ThroughputFormula) {
  const UslParameters p{0.1, 0.01, 100};
  EXPECT_DOUBLE_EQ(scaling::UslThroughput(p, 1), 100)
      << "X(1) is lambda whatever sigma and kappa are";
  // X(10) = 100 * 10 / (1 + 0.1 * 9 + 0.01 * 10 * 9) = 1000 / 2.8.
  EXPECT_DOUBLE_EQ(scaling::UslThroughput(p, 10), 1000 / 2.8);
}

TEST(UslModelTest, PeakOfCoherencyLimitedSystem) {
  UslFit fit;
  fit.parameters = {0.02, 0.0005, 1000};
  scaling::UslPeak(&fit);

  EXPECT_DOUBLE_EQ(fit.peak_concurrency, std::sqrt(0.98 / 0.0005));
  EXPECT_DOUBLE_EQ(fit.peak_throughput,
                   scaling::UslThroughput(fit.parameters, fit.peak_concurrency));
  EXPECT_GT(fit.peak_throughput,
            scaling::UslThroughput(fit.parameters, fit.peak_concurrency + 1))
      << "throughput must fall after the peak";
  EXPECT_GT(fit.peak_throughput,
            scaling::UslThroughput(fit.parameters, fit.peak_concurrency - 1))
      << "throughput must rise up to the peak";
}

TEST(UslModelTest, AmdahlHasNoPeak) {
  UslFit fit;
  fit.parameters = {0.05, 0.0, 200};
  scaling::UslPeak(&fit);

  EXPECT_TRUE(std::isinf(fit.peak_concurrency))
      << "with kappa 0 throughput never falls, so there is no finite peak";
  EXPECT_DOUBLE_EQ(fit.peak_throughput, 200 / 0.05)
      << "with kappa 0 throughput approaches lambda / sigma";
}

TEST(UslModelTest, RSquaredOfExactAndFlatData) {
  const UslParameters p{0.1, 0.01, 100};
  std::vector<UslPoint> exact;
  for (double n : {1.0, 2.0, 4.0, 8.0}) {
    exact.push_back({n, scaling::UslThroughput(p, n)});
  }
  EXPECT_DOUBLE_EQ(scaling::UslRSquared(p, exact), 1.0)
      << "points on the curve fit perfectly";

  const std::vector<UslPoint> flat = {{1, 5}, {2, 5}, {3, 5}};
  EXPECT_DOUBLE_EQ(scaling::UslRSquared(p, flat), 0.0)
      << "flat data that the model misses has R^2 0, not a division by 0";
}

TEST(UslCsvTest, SkipsCommentsBlankLinesAndHeader) {
  const std::string text =
      "# a comment\n"
      "concurrency,throughput\n"
      "\n"
      "1,955.16\r\n"
      " 2 , 1878.91 \n"
      "# another comment\n"
      "3,2688.01";
  auto points = ParseUslCsv(text, "data.csv");
  ASSERT_TRUE(points.ok()) << points.error();
  ASSERT_EQ(points.value().size(), 3u)
      << "three data rows, with the header, comments and blank line skipped";
  EXPECT_DOUBLE_EQ(points.value()[1].concurrency, 2);
  EXPECT_DOUBLE_EQ(points.value()[1].throughput, 1878.91);
  EXPECT_DOUBLE_EQ(points.value()[2].throughput, 2688.01)
      << "the last row needs no newline";
}

TEST(UslCsvTest, BadNumberNamesFileLineAndValue) {
  auto points = ParseUslCsv("1,100\n2,200\n8,abc\n", "data.csv");
  ASSERT_FALSE(points.ok());
  EXPECT_THAT(points.error(), HasSubstr("data.csv:3"));
  EXPECT_THAT(points.error(), HasSubstr("'abc'"));
  EXPECT_THAT(points.error(), HasSubstr("throughput"));
}

TEST(UslCsvTest, HeaderOnlyAllowedFirst) {
  auto points = ParseUslCsv("1,100\nconcurrency,throughput\n", "data.csv");
  ASSERT_FALSE(points.ok())
      << "a row of words after data is an invalid row, not a header";
  EXPECT_THAT(points.error(), HasSubstr("data.csv:2"));
}

TEST(UslCsvTest, WrongFieldCountIsError) {
  auto three = ParseUslCsv("1,100,7\n", "data.csv");
  ASSERT_FALSE(three.ok());
  EXPECT_THAT(three.error(), HasSubstr("data.csv:1"));
  EXPECT_THAT(three.error(), HasSubstr("'1,100,7'"));

  auto one = ParseUslCsv("# header comment\n100\n", "data.csv");
  ASSERT_FALSE(one.ok());
  EXPECT_THAT(one.error(), HasSubstr("data.csv:2"));
}

TEST(UslCsvTest, TrailingGarbageIsError) {
  auto points = ParseUslCsv("1,100x\n", "data.csv");
  ASSERT_FALSE(points.ok()) << "'100x' is not a number";
  EXPECT_THAT(points.error(), HasSubstr("'100x'"));
}

TEST(UslCsvTest, LoadsCiscoFile) {
  auto points = scaling::LoadUslCsv(LABKIT_USL_CISCO_CSV);
  ASSERT_TRUE(points.ok()) << points.error();
  ASSERT_EQ(points.value().size(), 32u);
  EXPECT_DOUBLE_EQ(points.value().front().concurrency, 1);
  EXPECT_DOUBLE_EQ(points.value().front().throughput, 955.16);
  EXPECT_DOUBLE_EQ(points.value().back().concurrency, 32);
  EXPECT_DOUBLE_EQ(points.value().back().throughput, 12074.39);

  auto fit = scaling::FitUsl(points.value());
  ASSERT_TRUE(fit.ok()) << fit.error();
  EXPECT_NEAR(fit.value().parameters.sigma, 0.02671591, 0.02671591 * 2e-4);
  EXPECT_NEAR(fit.value().parameters.kappa, 7.690945e-4, 7.690945e-4 * 2e-4);
  EXPECT_NEAR(fit.value().parameters.lambda, 995.6486, 995.6486 * 2e-4);
}

TEST(UslCsvTest, MissingAndEmptyFilesAreErrors) {
  auto missing = scaling::LoadUslCsv("/nonexistent/usl.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error(), HasSubstr("/nonexistent/usl.csv"));

  const std::string empty_path =
      ::testing::TempDir() + "usl_test_empty.csv";
  std::ofstream(empty_path) << "# only a comment\nconcurrency,throughput\n";
  auto empty = scaling::LoadUslCsv(empty_path);
  std::remove(empty_path.c_str());
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error(), HasSubstr("contains no rows"));
}

TEST(UslFitTest, NonConvergenceNamesIterations) {
  auto points = scaling::LoadUslCsv(LABKIT_USL_CISCO_CSV);
  ASSERT_TRUE(points.ok()) << points.error();
  auto fit = scaling::FitUsl(points.value(), /*max_iterations=*/2);
  ASSERT_FALSE(fit.ok());
  EXPECT_THAT(fit.error(), HasSubstr("did not converge within 2 iterations"));
}

TEST(UslFitTest, BadPointNamesIndexAndValue) {
  const std::vector<UslPoint> points = {{1, 100}, {2, 190}, {3, -4}};
  auto fit = scaling::FitUsl(points);
  ASSERT_FALSE(fit.ok());
  EXPECT_THAT(fit.error(), HasSubstr("point 2"));
  EXPECT_THAT(fit.error(), HasSubstr("-4"));
}

}  // namespace
