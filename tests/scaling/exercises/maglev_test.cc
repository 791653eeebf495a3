// Maglev exercise: the specification, step by step.
//
// The worked example is Table 1 of the Maglev paper (Eisenbud et al., NSDI
// 2016): three backends in a table of 7 entries.

#include "scaling/maglev.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace {

using scaling::kNoBackend;
using scaling::MaglevPermutation;
using scaling::MaglevPermutationFor;
using scaling::MaglevTable;
using scaling::PopulateMaglevTable;

std::vector<std::string> Backends(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back("backend-" + std::to_string(i));
  return names;
}

// Counts returns how many entries each backend owns.
std::vector<int> Counts(const MaglevTable& table) {
  std::vector<int> counts(table.backends().size(), 0);
  for (std::int32_t entry : table.entries()) ++counts[entry];
  return counts;
}

TEST(MaglevExerciseTest, FillsPaperExample) {
  // B0: offset 3, skip 4 -> 3 0 4 1 5 2 6
  // B1: offset 0, skip 2 -> 0 2 4 6 1 3 5
  // B2: offset 3, skip 1 -> 3 4 5 6 0 1 2
  const std::vector<MaglevPermutation> permutations = {{3, 4}, {0, 2}, {3, 1}};
  std::vector<std::int32_t> entries;
  const scaling::Status status = PopulateMaglevTable(permutations, 7, &entries);
  ASSERT_TRUE(status.ok()) << "the paper's example must fill: " << status.message();

  // Round 1: B0 takes 3, B1 takes 0, B2 finds 3 taken and takes 4.
  // Round 2: B0 finds 0 and 4 taken and takes 1, B1 takes 2, B2 takes 5.
  // Round 3: B0 finds 5 and 2 taken and takes 6, and the table is full.
  const std::vector<std::int32_t> expected = {1, 0, 1, 0, 2, 2, 0};
  EXPECT_EQ(entries, expected)
      << "in each round every backend in turn takes the next empty entry of "
         "its permutation; the paper's table is B1 B0 B1 B0 B2 B2 B0";
}

TEST(MaglevExerciseTest, PermutationStaysInRange) {
  for (std::uint64_t size : {7u, 13u, 65537u}) {
    for (const std::string& name : Backends(500)) {
      const MaglevPermutation p = MaglevPermutationFor(name, size);
      ASSERT_LT(p.offset, size) << name << ": offset must be below the table size "
                                << size;
      ASSERT_GE(p.skip, 1u) << name << ": skip must be at least 1, or the "
                               "permutation never leaves its first entry";
      ASSERT_LT(p.skip, size) << name << ": skip must be below the table size " << size;
    }
  }
}

TEST(MaglevExerciseTest, EveryEntryHasBackend) {
  MaglevTable table;
  const scaling::Status status = MaglevTable::Build(Backends(10), 65537, &table);
  ASSERT_TRUE(status.ok()) << "building 10 backends into 65537 entries must "
                              "succeed: " << status.message();
  ASSERT_EQ(table.entries().size(), 65537u) << "the table has 65537 entries";
  for (std::size_t i = 0; i < table.entries().size(); ++i) {
    ASSERT_GE(table.entries()[i], 0) << "entry " << i << " has no backend";
    ASSERT_LT(table.entries()[i], 10) << "entry " << i << " names backend "
                                      << table.entries()[i] << " of only 10";
  }
}

TEST(MaglevExerciseTest, BalancedWithinOnePercent) {
  // More than 100 entries per backend: the shares differ by at most 1%.
  for (int backends : {3, 10, 100, 500}) {
    MaglevTable table;
    ASSERT_TRUE(MaglevTable::Build(Backends(backends), 65537, &table).ok())
        << "building " << backends << " backends must succeed";
    const std::vector<int> counts = Counts(table);
    const auto [low, high] = std::minmax_element(counts.begin(), counts.end());
    const double mean = 65537.0 / backends;
    EXPECT_LE((*high - *low) / mean, 0.01)
        << backends << " backends: the busiest owns " << *high
        << " entries and the idlest " << *low << "; they must differ by at "
           "most 1% of the mean (" << mean << ")";
    EXPECT_LE(*high - *low, 1)
        << backends << " backends: filling in rounds gives every backend the "
           "same number of entries, give or take one";
  }
}

TEST(MaglevExerciseTest, RemovalMovesFewOtherEntries) {
  std::vector<std::string> names = Backends(10);
  MaglevTable before;
  ASSERT_TRUE(MaglevTable::Build(names, 65537, &before).ok()) << "build of 10 must succeed";
  names.erase(names.begin() + 4);
  MaglevTable after;
  ASSERT_TRUE(MaglevTable::Build(names, 65537, &after).ok()) << "build of 9 must succeed";

  int moved_from_others = 0;
  for (std::size_t i = 0; i < before.entries().size(); ++i) {
    const std::string& old_backend = before.backends()[before.entries()[i]];
    const std::string& new_backend = after.backends()[after.entries()[i]];
    if (old_backend == "backend-4") {
      ASSERT_NE(new_backend, "backend-4") << "entry " << i << " must leave the "
                                             "removed backend";
    } else if (old_backend != new_backend) {
      ++moved_from_others;
    }
  }

  // Maglev trades a little disruption for balance: a few percent of the
  // entries of the remaining backends move, never most of them.
  const double fraction = moved_from_others / 65537.0;
  EXPECT_LT(fraction, 0.05)
      << "removing 1 of 10 backends moved " << fraction * 100
      << "% of all entries between the other backends; Maglev keeps that small";
}

TEST(MaglevExerciseTest, RejectsBadInput) {
  std::vector<std::int32_t> entries = {42};
  EXPECT_FALSE(PopulateMaglevTable(std::vector<MaglevPermutation>(3), 2, &entries).ok())
      << "3 backends cannot fit in 2 entries";
  EXPECT_FALSE(PopulateMaglevTable(std::vector<MaglevPermutation>{{0, 0}}, 7, &entries).ok())
      << "skip 0 must be rejected: the permutation would never move";
  EXPECT_FALSE(PopulateMaglevTable(std::vector<MaglevPermutation>{{7, 1}}, 7, &entries).ok())
      << "offset 7 is outside a table of 7 entries";
  EXPECT_EQ(entries, std::vector<std::int32_t>{42}) << "a failed fill must leave "
                                                       "the entries alone";
  MaglevTable table;
  EXPECT_FALSE(MaglevTable::Build(Backends(3), 65536, &table).ok())
      << "65536 is not prime and must be rejected";
}

TEST(MaglevExerciseTest, NoBackendFillsEmptyTable) {
  std::vector<std::int32_t> entries;
  ASSERT_TRUE(PopulateMaglevTable({}, 7, &entries).ok()) << "no backend is valid";
  EXPECT_EQ(entries, std::vector<std::int32_t>(7, kNoBackend))
      << "with no backend every entry is kNoBackend";
  MaglevTable table;
  ASSERT_TRUE(MaglevTable::Build({}, 7, &table).ok()) << "no backend is valid";
  EXPECT_FALSE(table.BackendFor("flow-1").has_value())
      << "a table without backends must return std::nullopt";
}

}  // namespace
