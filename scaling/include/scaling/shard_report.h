// The sharding report: how evenly each scheme spreads keys over nodes, how
// many keys move when a node is added or removed, and how long a lookup
// takes. scaling-shard-report prints it, and the scaling demo charts it.
//
// The schemes, all on KeyHash of the keys "key-0", "key-1", ... and the
// nodes "node-0", "node-1", ...:
//   ring          HashRing with options.virtual_nodes points per node
//   jump          JumpHash over the node indexes
//   rendezvous    RendezvousHash, every weight 1
//   maglev        MaglevTable of options.table_size entries
//   bounded-load  BoundedLoadAssigner on the ring, options.epsilon
//
// Keys moved on add: the fraction of keys whose node differs between
// `nodes` and `nodes + 1` nodes (ideal 1 / (nodes + 1)). Keys moved on
// remove: the same between `nodes` and `nodes - 1` nodes, removing the last
// node, the only one that jump hash can remove (ideal 1 / nodes).
// Lookup time: CPU nanoseconds per lookup of an already hashed key, after
// one warm-up pass over the keys, over repeated passes of at least 200 ms
// of the thread's CPU time. It is a figure of this machine, and
// bench_scaling_hashing measures each scheme more carefully.
//
// Thread-safety: the functions are reentrant.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "scaling/status.h"

namespace scaling {

struct ShardReportOptions {
  std::int64_t keys = 100'000;
  int nodes = 10;
  int virtual_nodes = 100;
  std::uint64_t table_size = 65537;  // prime
  double epsilon = 0.25;
};

// ShardRow is one scheme's line of the report.
struct ShardRow {
  std::string scheme;
  int nodes = 0;
  double busiest_over_mean = 0;  // the largest node's keys / (keys / nodes)
  double moved_on_add = 0;       // fraction of all keys, 0 to 1
  double moved_on_remove = 0;    // fraction of all keys, 0 to 1
  double lookup_ns = 0;
};

// RingBalanceRow is the balance of one ring of a few servers.
struct RingBalanceRow {
  std::string hash;  // "crc32" or "key_hash"
  int points = 0;    // virtual nodes per server
  int servers = 0;
  double busiest_over_mean = 0;
  double max_share = 0;  // the largest server's fraction of the keys
};

// MeasureSharding fills `rows` with one row per scheme. It fails when an
// option is out of range (keys < 1, nodes < 2, virtual_nodes < 1, epsilon
// <= 0, table_size not prime or below nodes + 1), naming the option.
Status MeasureSharding(const ShardReportOptions& options,
                       std::vector<ShardRow>* rows);

// MeasureRingBalance places `keys` keys on rings of `servers` servers,
// "server-1" to "server-N": CRC32 with 20 points each, then KeyHash with
// 10, 20, 100 and 1000 points each. REQUIRES: keys >= 1, servers >= 1.
std::vector<RingBalanceRow> MeasureRingBalance(int servers, std::int64_t keys);

// PrintShardTable writes both tables for people, as Markdown tables.
void PrintShardTable(const ShardReportOptions& options,
                     const std::vector<ShardRow>& rows,
                     const std::vector<RingBalanceRow>& balance,
                     std::ostream& out);

// WriteShardData writes both tables for gnuplot, after '#' comment lines.
// Data block 0 has one line per scheme with the ShardRow fields in order:
//   scheme nodes busiest_over_mean moved_on_add moved_on_remove lookup_ns
// Two blank lines follow, then data block 1 with one line per ring:
//   hash points servers busiest_over_mean max_share
// Fields are separated by one space, and gnuplot selects a block with
// `index 0` or `index 1`.
void WriteShardData(const ShardReportOptions& options,
                    const std::vector<ShardRow>& rows,
                    const std::vector<RingBalanceRow>& balance,
                    std::ostream& out);

}  // namespace scaling
