// cdsim's side of bench/simgrid/validate_platforms.py: the platform of a case file built
// with sim/platform.h's generators into a SharedLinkNetwork, each flow sent at its start
// time; prints "flow I ARRIVAL_NS" per flow, in input order.
// Usage: cdsim_bench_platform_flows CASE_FILE
#include <cstdio>
#include <fstream>
#include <vector>

#include "bench/simgrid/platform_case.h"
#include "sim/platform.h"
#include "sim/shared_link_network.h"
#include "sim/simulation.h"

int main(int argc, char** argv) {
  cdsim::bench::PlatformCase c;
  if (!cdsim::bench::read_platform_case_argument(argc, argv, c)) return 2;
  const cdsim::LinkSpec host{cdsim::SimTime::from_ns(c.host_latency_ns), cdsim::Bandwidth::from_bits_per_second(c.host_bps)};
  const std::vector<cdsim::DuplexLinkSpec> hosts(c.hosts, cdsim::DuplexLinkSpec{host, host});
  const cdsim::Platform platform =
      c.kind == "star" ? cdsim::single_switch_platform(hosts)
                       : cdsim::two_level_tree_platform(hosts, c.hosts_per_switch,
                                                        cdsim::LinkSpec{cdsim::SimTime::from_ns(c.core_latency_ns),
                                                                        cdsim::Bandwidth::from_bits_per_second(c.core_bps)});
  cdsim::Simulation sim(1);
  cdsim::SharedLinkNetwork network(sim, c.hosts, {});
  cdsim::add_platform(network, platform);
  std::vector<std::int64_t> arrival(c.flows.size(), -1);
  network.set_delivery_handler([&](cdsim::Message&& m) { arrival[static_cast<std::size_t>(m.round)] = sim.now().ns(); });
  for (std::size_t i = 0; i < c.flows.size(); ++i) {
    const cdsim::bench::PlatformCase::Flow f = c.flows[i];
    sim.schedule_at(cdsim::SimTime::from_ns(f.start_ns), [&network, f, i] {
      cdsim::Message m;
      m.from = cdsim::AgentId{f.from};
      m.to = cdsim::AgentId{f.to};
      m.size = cdsim::ByteCount{static_cast<std::int64_t>(f.bytes)};
      m.round = static_cast<std::int64_t>(i);
      network.send(std::move(m));
    });
  }
  sim.run();
  for (std::size_t i = 0; i < arrival.size(); ++i) std::printf("flow %zu %lld\n", i, static_cast<long long>(arrival[i]));
  return 0;
}
