#include "scaling/shard_report.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <functional>
#include <string>

#include <time.h>

#include "scaling/bounded_load.h"
#include "scaling/hash_ring.h"
#include "scaling/jump_hash.h"
#include "scaling/key_hash.h"
#include "scaling/maglev.h"
#include "scaling/rendezvous.h"

namespace scaling {
namespace {

// A placement: the index of each key's node in the node list.
using Placement = std::vector<int>;

// Keys is the workload: key names and their KeyHash values.
struct Keys {
  std::vector<std::string> names;
  std::vector<std::uint64_t> hashes;
};

Keys MakeKeys(std::int64_t count) {
  Keys keys;
  keys.names.reserve(count);
  keys.hashes.reserve(count);
  for (std::int64_t i = 0; i < count; ++i) {
    keys.names.push_back("key-" + std::to_string(i));
    keys.hashes.push_back(KeyHash(keys.names.back()));
  }
  return keys;
}

std::vector<std::string> NodeNames(const std::string& prefix, int first,
                                   int count) {
  std::vector<std::string> names;
  for (int i = first; i < first + count; ++i) {
    names.push_back(prefix + std::to_string(i));
  }
  return names;
}

// IndexOf returns the position of `name` in `nodes`, which is short.
int IndexOf(const std::vector<std::string>& nodes, std::string_view name) {
  return static_cast<int>(std::find(nodes.begin(), nodes.end(), name) -
                          nodes.begin());
}

// CpuNanos returns the CPU time this thread has used, in nanoseconds. CPU
// time rather than wall time, so other processes on a busy machine do not
// inflate the lookup times.
double CpuNanos() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// NanosPerCall runs `pass` (which makes `calls` lookups) once to warm the
// caches, then until at least 200 ms of CPU time have passed, and returns
// the mean CPU nanoseconds per lookup.
double NanosPerCall(std::int64_t calls, const std::function<void()>& pass) {
  pass();
  const double start = CpuNanos();
  std::int64_t total = 0;
  double elapsed = 0;
  do {
    pass();
    total += calls;
    elapsed = CpuNanos() - start;
  } while (elapsed < 200e6);
  return elapsed / static_cast<double>(total);
}

// A scheme places every key on a node list, and times its lookups on it.
struct Scheme {
  std::string name;
  std::function<Placement(const std::vector<std::string>&, const Keys&)> place;
  std::function<double(const std::vector<std::string>&, const Keys&)> time;
};

// sink keeps timed lookups from being optimized away.
volatile std::uint64_t sink = 0;

std::vector<Scheme> MakeSchemes(const ShardReportOptions& options) {
  std::vector<Scheme> schemes;

  auto make_ring = [options](const std::vector<std::string>& nodes) {
    HashRing ring(options.virtual_nodes);
    for (const std::string& node : nodes) ring.AddNode(node);
    return ring;
  };
  schemes.push_back(
      {"ring",
       [make_ring](const std::vector<std::string>& nodes, const Keys& keys) {
         const HashRing ring = make_ring(nodes);
         Placement placement;
         for (std::uint64_t h : keys.hashes) {
           placement.push_back(IndexOf(nodes, *ring.NodeForHash(h)));
         }
         return placement;
       },
       [make_ring](const std::vector<std::string>& nodes, const Keys& keys) {
         const HashRing ring = make_ring(nodes);
         return NanosPerCall(keys.hashes.size(), [&] {
           for (std::uint64_t h : keys.hashes) sink = ring.NodeForHash(h)->size();
         });
       }});

  schemes.push_back(
      {"jump",
       [](const std::vector<std::string>& nodes, const Keys& keys) {
         Placement placement;
         const auto count = static_cast<std::int32_t>(nodes.size());
         for (std::uint64_t h : keys.hashes) placement.push_back(JumpHash(h, count));
         return placement;
       },
       [](const std::vector<std::string>& nodes, const Keys& keys) {
         const auto count = static_cast<std::int32_t>(nodes.size());
         return NanosPerCall(keys.hashes.size(), [&] {
           for (std::uint64_t h : keys.hashes) sink = JumpHash(h, count);
         });
       }});

  auto make_rendezvous = [](const std::vector<std::string>& nodes) {
    RendezvousHash rendezvous;
    for (const std::string& node : nodes) rendezvous.AddNode(node);
    return rendezvous;
  };
  schemes.push_back(
      {"rendezvous",
       [make_rendezvous](const std::vector<std::string>& nodes, const Keys& keys) {
         const RendezvousHash rendezvous = make_rendezvous(nodes);
         Placement placement;
         for (std::uint64_t h : keys.hashes) {
           placement.push_back(IndexOf(nodes, *rendezvous.NodeForHash(h)));
         }
         return placement;
       },
       [make_rendezvous](const std::vector<std::string>& nodes, const Keys& keys) {
         const RendezvousHash rendezvous = make_rendezvous(nodes);
         return NanosPerCall(keys.hashes.size(), [&] {
           for (std::uint64_t h : keys.hashes) {
             sink = rendezvous.NodeForHash(h)->size();
           }
         });
       }});

  auto make_maglev = [options](const std::vector<std::string>& nodes) {
    MaglevTable table;
    MaglevTable::Build(nodes, options.table_size, &table);
    return table;
  };
  schemes.push_back(
      {"maglev",
       [make_maglev](const std::vector<std::string>& nodes, const Keys& keys) {
         const MaglevTable table = make_maglev(nodes);
         Placement placement;
         for (std::uint64_t h : keys.hashes) {
           placement.push_back(table.entries()[h % table.entries().size()]);
         }
         return placement;
       },
       [make_maglev](const std::vector<std::string>& nodes, const Keys& keys) {
         const MaglevTable table = make_maglev(nodes);
         return NanosPerCall(keys.hashes.size(), [&] {
           for (std::uint64_t h : keys.hashes) {
             sink = table.BackendForHash(h)->size();
           }
         });
       }});

  // Bounded loads place the keys in order, so its lookup time is the time
  // of Assign, including the walk past full nodes.
  const double epsilon = options.epsilon;
  schemes.push_back(
      {"bounded-load",
       [make_ring, epsilon](const std::vector<std::string>& nodes, const Keys& keys) {
         const HashRing ring = make_ring(nodes);
         BoundedLoadAssigner assigner(&ring, epsilon);
         Placement placement;
         for (const std::string& key : keys.names) {
           placement.push_back(IndexOf(nodes, *assigner.Assign(key)));
         }
         return placement;
       },
       [make_ring, epsilon](const std::vector<std::string>& nodes, const Keys& keys) {
         const HashRing ring = make_ring(nodes);
         return NanosPerCall(keys.names.size(), [&] {
           BoundedLoadAssigner assigner(&ring, epsilon);
           for (const std::string& key : keys.names) {
             sink = assigner.Assign(key)->size();
           }
         });
       }});
  return schemes;
}

double BusiestOverMean(const Placement& placement, int nodes) {
  std::vector<std::int64_t> counts(nodes, 0);
  for (int node : placement) ++counts[node];
  const double mean = static_cast<double>(placement.size()) / nodes;
  return static_cast<double>(*std::max_element(counts.begin(), counts.end())) /
         mean;
}

double FractionMoved(const Placement& before, const Placement& after) {
  std::int64_t moved = 0;
  for (std::size_t i = 0; i < before.size(); ++i) {
    moved += before[i] != after[i];
  }
  return static_cast<double>(moved) / static_cast<double>(before.size());
}

Status CheckOptions(const ShardReportOptions& options) {
  if (options.keys < 1) {
    return Status::Error("invalid keys " + std::to_string(options.keys) +
                         ": use at least 1 key");
  }
  if (options.nodes < 2) {
    return Status::Error("invalid nodes " + std::to_string(options.nodes) +
                         ": use at least 2 nodes, so one can be removed");
  }
  if (options.virtual_nodes < 1) {
    return Status::Error("invalid virtual nodes " +
                         std::to_string(options.virtual_nodes) +
                         ": use at least 1 point per node");
  }
  if (!(options.epsilon > 0)) {
    return Status::Error("invalid epsilon " + std::to_string(options.epsilon) +
                         ": epsilon must be greater than 0, such as 0.25");
  }
  if (!IsPrime(options.table_size) ||
      options.table_size < static_cast<std::uint64_t>(options.nodes) + 1) {
    return Status::Error("invalid table size " +
                         std::to_string(options.table_size) +
                         ": use a prime above the node count, such as 65537");
  }
  return Status::Ok();
}

}  // namespace

Status MeasureSharding(const ShardReportOptions& options,
                       std::vector<ShardRow>* rows) {
  Status status = CheckOptions(options);
  if (!status.ok()) return status;

  const Keys keys = MakeKeys(options.keys);
  const std::vector<std::string> base = NodeNames("node-", 0, options.nodes);
  const std::vector<std::string> added = NodeNames("node-", 0, options.nodes + 1);
  const std::vector<std::string> removed =
      NodeNames("node-", 0, options.nodes - 1);

  rows->clear();
  for (const Scheme& scheme : MakeSchemes(options)) {
    const Placement before = scheme.place(base, keys);
    ShardRow row;
    row.scheme = scheme.name;
    row.nodes = options.nodes;
    row.busiest_over_mean = BusiestOverMean(before, options.nodes);
    row.moved_on_add = FractionMoved(before, scheme.place(added, keys));
    row.moved_on_remove = FractionMoved(before, scheme.place(removed, keys));
    row.lookup_ns = scheme.time(base, keys);
    rows->push_back(row);
  }
  return Status::Ok();
}

std::vector<RingBalanceRow> MeasureRingBalance(int servers, std::int64_t keys) {
  struct Config {
    const char* hash_name;
    HashFunction hash;
    int points;
  };
  const Config configs[] = {{"crc32", Crc32, 20},    {"key_hash", KeyHash, 10},
                            {"key_hash", KeyHash, 20}, {"key_hash", KeyHash, 100},
                            {"key_hash", KeyHash, 1000}};
  const std::vector<std::string> names = NodeNames("server-", 1, servers);

  std::vector<RingBalanceRow> rows;
  for (const Config& config : configs) {
    HashRing ring(config.points, config.hash);
    for (const std::string& name : names) ring.AddNode(name);

    Placement placement;
    for (std::int64_t i = 0; i < keys; ++i) {
      placement.push_back(IndexOf(names, *ring.NodeFor("key-" + std::to_string(i))));
    }
    const double busiest = BusiestOverMean(placement, servers);
    rows.push_back({config.hash_name, config.points, servers, busiest,
                    busiest / servers});
  }
  return rows;
}

void PrintShardTable(const ShardReportOptions& options,
                     const std::vector<ShardRow>& rows,
                     const std::vector<RingBalanceRow>& balance,
                     std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%" PRId64 " keys on %d nodes (ring: %d virtual nodes each; "
                "maglev: %" PRIu64 " entries; bounded-load: epsilon %g)\n\n",
                options.keys, options.nodes, options.virtual_nodes,
                options.table_size, options.epsilon);
  out << line;
  out << "| scheme       | busiest/mean | moved on add | moved on remove | lookup ns |\n"
         "|--------------|-------------:|-------------:|----------------:|----------:|\n";
  for (const ShardRow& row : rows) {
    std::snprintf(line, sizeof line, "| %-12s | %12.3f | %11.2f%% | %14.2f%% | %9.1f |\n",
                  row.scheme.c_str(), row.busiest_over_mean,
                  100 * row.moved_on_add, 100 * row.moved_on_remove, row.lookup_ns);
    out << line;
  }
  std::snprintf(line, sizeof line,
                "| ideal        | %12.3f | %11.2f%% | %14.2f%% |           |\n\n",
                1.0, 100.0 / (options.nodes + 1), 100.0 / options.nodes);
  out << line;

  if (balance.empty()) return;
  std::snprintf(line, sizeof line,
                "Ring balance: %d servers, %" PRId64 " keys\n\n",
                balance.front().servers, options.keys);
  out << line;
  out << "| hash     | points per server | busiest/mean | largest share |\n"
         "|----------|------------------:|-------------:|--------------:|\n";
  for (const RingBalanceRow& row : balance) {
    std::snprintf(line, sizeof line, "| %-8s | %17d | %12.3f | %12.1f%% |\n",
                  row.hash.c_str(), row.points, row.busiest_over_mean,
                  100 * row.max_share);
    out << line;
  }
}

void WriteShardData(const ShardReportOptions& options,
                    const std::vector<ShardRow>& rows,
                    const std::vector<RingBalanceRow>& balance,
                    std::ostream& out) {
  char line[256];
  std::snprintf(line, sizeof line,
                "# scaling-shard-report: %" PRId64 " keys, %d nodes\n",
                options.keys, options.nodes);
  out << line;
  out << "# index 0: scheme nodes busiest_over_mean moved_on_add "
         "moved_on_remove lookup_ns\n";
  for (const ShardRow& row : rows) {
    std::snprintf(line, sizeof line, "%s %d %.6f %.6f %.6f %.3f\n",
                  row.scheme.c_str(), row.nodes, row.busiest_over_mean,
                  row.moved_on_add, row.moved_on_remove, row.lookup_ns);
    out << line;
  }
  out << "\n\n# index 1: hash points servers busiest_over_mean max_share\n";
  for (const RingBalanceRow& row : balance) {
    std::snprintf(line, sizeof line, "%s %d %d %.6f %.6f\n", row.hash.c_str(),
                  row.points, row.servers, row.busiest_over_mean, row.max_share);
    out << line;
  }
}

}  // namespace scaling
