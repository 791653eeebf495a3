// The steps beyond one load balancer on one machine: the sharding schemes
// (scaling/shard_report.h) and the load-balancing simulator
// (scaling/simulator.h).

#include <cstdio>
#include <fstream>
#include <iostream>
#include <vector>

#include "demo_steps.h"
#include "scaling/balancer.h"
#include "scaling/shard_report.h"
#include "scaling/simulator.h"

namespace scaling::demo {

std::optional<std::string> RunSharding(const DemoConfig& config) {
  ShardReportOptions options;
  options.keys = config.quick ? 20'000 : 100'000;
  options.nodes = 10;
  std::printf(
      "\n== Sharding: which node owns a key ==\n"
      "  %lld keys over %d nodes for each scheme; keys moved when an 11th\n"
      "  node is added and when the 10th is removed; lookup time per key.\n\n",
      static_cast<long long>(options.keys), options.nodes);
  std::fflush(stdout);

  std::vector<ShardRow> rows;
  if (Status status = MeasureSharding(options, &rows); !status.ok()) {
    return status.message();
  }
  const std::vector<RingBalanceRow> balance =
      MeasureRingBalance(/*servers=*/3, options.keys);
  PrintShardTable(options, rows, balance, std::cout);
  std::cout.flush();

  const std::string data = config.output_dir + "/sharding.dat";
  std::ofstream out(data);
  WriteShardData(options, rows, balance, out);
  out.close();
  std::printf(
      "\n  Reading: an ideal scheme gives busiest/mean 1.0 and moves 1/11 of\n"
      "  the keys when a node joins. Jump hash and Maglev are the most even\n"
      "  and fastest but number their nodes; the ring and rendezvous take\n"
      "  any node names; bounded loads caps the busiest node at (1 + epsilon)\n"
      "  times the mean by moving a few more keys.\n");
  return DrawChart(config, "sharding.gp", "sharding.png", {"data='" + data + "'"});
}

std::optional<std::string> RunSimulation(const DemoConfig& config) {
  SimulationConfig sim;
  sim.servers = 200;
  sim.utilisation = 0.9;
  sim.requests = config.quick ? 100'000 : 1'000'000;
  sim.distribution = ServiceDistribution::kLognormal;
  std::printf(
      "\n== Beyond one machine: a simulated balancer over %d servers ==\n"
      "  %lld requests at %.0f%% utilisation, lognormal service times with a\n"
      "  1 ms mean (a long tail), the same arrivals for every policy.\n",
      sim.servers, static_cast<long long>(sim.requests), sim.utilisation * 100);

  const std::string data = config.output_dir + "/simulation.dat";
  std::ofstream out(data);
  out << "# policy p50_ms p99_ms p999_ms\n";
  for (PolicyKind kind : kAllPolicies) {
    ModelResult<SimulationResult> result = Simulate(sim, kind);
    if (!result.ok()) return result.error();
    const SimulationResult& r = result.value();
    std::printf("  %-20s p50 %7.3f ms   p99 %7.3f ms   p99.9 %7.3f ms\n",
                r.policy.c_str(), r.p50 * 1e3, r.p99 * 1e3, r.p999 * 1e3);
    out << '"' << r.policy << "\" " << r.p50 * 1e3 << ' ' << r.p99 * 1e3 << ' '
        << r.p999 * 1e3 << '\n';
  }
  out.close();
  std::printf(
      "  Reading: round robin and random ignore queue lengths, so a server\n"
      "  stuck on a long request keeps receiving work and the p99 grows.\n"
      "  Asking just two random servers and picking the shorter queue (power\n"
      "  of two choices) comes close to least connections, which must know\n"
      "  every server's queue.\n");
  return DrawChart(config, "simulation.gp", "simulation.png", {"data='" + data + "'"});
}

}  // namespace scaling::demo
