// scaling-shard-report: the sharding table of the scaling lab. Its schemes
// are a ring with virtual nodes, jump hash, rendezvous, Maglev and bounded
// loads. For each it prints the busiest node's keys over the mean, the
// fraction of keys moved when a node is added or removed, and the lookup
// time. A second table shows a 3-server ring's balance by hash and points.
//
//   scaling-shard-report [--keys N] [--nodes N] [--virtual-nodes N]
//                        [--table-size PRIME] [--epsilon E] [--data FILE]
//
// --data FILE also writes both tables for gnuplot; the format is described
// at WriteShardData in scaling/shard_report.h.

#include <cstdio>
#include <fstream>
#include <iostream>

#include "labkit/flags.h"
#include "scaling/shard_report.h"

int main(int argc, char** argv) {
  scaling::ShardReportOptions options;
  std::string data_path;

  CLI::App app(
      "Print the sharding table: for each scheme, the busiest node's keys "
      "over the mean, the keys moved when a node is added or removed, and "
      "the lookup time; then a 3-server ring's balance by hash and points.");
  app.add_option("--keys", options.keys, "Number of keys to place")
      ->check(labkit::WholeNumber(1, 10'000'000, "a number of keys"));
  app.add_option("--nodes", options.nodes, "Number of nodes")
      ->check(labkit::WholeNumber(2, 10'000, "a number of nodes"));
  app.add_option("--virtual-nodes", options.virtual_nodes,
                 "Points per node on the ring")
      ->check(labkit::WholeNumber(1, 10'000, "a number of points"));
  app.add_option("--table-size", options.table_size,
                 "Maglev table entries (a prime above the node count)")
      ->check(labkit::WholeNumber(3, 100'000'007, "a prime table size"));
  app.add_option("--epsilon", options.epsilon,
                 "Bounded loads: a node holds at most ceil((1 + epsilon) * "
                 "mean) keys");
  app.add_option("--data", data_path,
                 "Also write both tables to FILE for gnuplot (index 0: "
                 "scheme nodes busiest_over_mean moved_on_add "
                 "moved_on_remove lookup_ns; index 1: hash points servers "
                 "busiest_over_mean max_share)");
  if (std::optional<int> exit_status = labkit::ParseFlags(app, argc, argv)) {
    return *exit_status;
  }

  std::vector<scaling::ShardRow> rows;
  const scaling::Status status = scaling::MeasureSharding(options, &rows);
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", app.get_name().c_str(),
                 status.message().c_str());
    return 2;
  }
  const std::vector<scaling::RingBalanceRow> balance =
      scaling::MeasureRingBalance(/*servers=*/3, options.keys);
  scaling::PrintShardTable(options, rows, balance, std::cout);

  if (!data_path.empty()) {
    std::ofstream data(data_path);
    scaling::WriteShardData(options, rows, balance, data);
    data.close();
    if (!data) {
      std::fprintf(stderr, "%s: writing '%s' failed. Check that its folder "
                   "exists and is writable\n",
                   app.get_name().c_str(), data_path.c_str());
      return 1;
    }
    std::printf("\nwrote %s\n", data_path.c_str());
  }
  return 0;
}
