// SimGrid 3.32's side of bench/simgrid/validate_platforms.py: the platform of a case file
// (bench/simgrid/platform_case.h) as split-duplex links in a full routing zone with
// explicit routes (host link up, [leaf's core link up, other leaf's core link down,] host
// link down), each flow a Comm::sendto started at its time by an actor of its own. CM02
// made ideal as in simgrid_ring_replay.cpp: no latency or bandwidth factors, weight-S 0,
// no TCP window cap, no cross-traffic. Prints "flow I ARRIVAL_SECONDS" per flow (%.17g).
// Usage: cdsim_bench_simgrid_platform_flows CASE_FILE
#include <simgrid/s4u.hpp>

#include "bench/simgrid/ideal_cm02.h"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "bench/simgrid/platform_case.h"

namespace sg4 = simgrid::s4u;

int main(int argc, char** argv) {
  sg4::Engine engine(&argc, argv);
  cdsim::bench::PlatformCase c;
  if (!cdsim::bench::read_platform_case_argument(argc, argv, c)) return 2;
  cdsim::bench::configure_ideal_cm02();

  sg4::NetZone* zone = sg4::create_full_zone("platform");
  std::vector<sg4::Host*> hosts;
  std::vector<sg4::SplitDuplexLink*> host_links;  // UP: host -> switch
  for (std::uint32_t h = 0; h < c.hosts; ++h) {
    hosts.push_back(zone->create_host("h" + std::to_string(h), 1e9));
    sg4::SplitDuplexLink* link = zone->create_split_duplex_link("l" + std::to_string(h), c.host_bps / 8.0);
    link->set_latency(c.host_latency_ns * 1e-9);
    link->seal();
    host_links.push_back(link);
  }
  std::vector<sg4::SplitDuplexLink*> core_links;  // tree: UP leaf -> core
  if (c.kind == "tree") {
    for (std::uint32_t leaf = 0; leaf < c.leaves(); ++leaf) {
      sg4::SplitDuplexLink* link = zone->create_split_duplex_link("c" + std::to_string(leaf), c.core_bps / 8.0);
      link->set_latency(c.core_latency_ns * 1e-9);
      link->seal();
      core_links.push_back(link);
    }
  }
  using Dir = sg4::LinkInRoute::Direction;
  for (std::uint32_t a = 0; a < c.hosts; ++a) {
    for (std::uint32_t b = 0; b < c.hosts; ++b) {
      if (a == b) continue;
      std::vector<sg4::LinkInRoute> route{sg4::LinkInRoute(host_links[a], Dir::UP)};
      if (c.kind == "tree" && c.leaf_of(a) != c.leaf_of(b)) {
        route.emplace_back(core_links[c.leaf_of(a)], Dir::UP);
        route.emplace_back(core_links[c.leaf_of(b)], Dir::DOWN);
      }
      route.emplace_back(host_links[b], Dir::DOWN);
      zone->add_route(hosts[a]->get_netpoint(), hosts[b]->get_netpoint(), nullptr, nullptr, route, false);
    }
  }
  zone->seal();
  std::vector<double> arrival(c.flows.size(), -1.0);
  for (std::size_t i = 0; i < c.flows.size(); ++i) {
    const cdsim::bench::PlatformCase::Flow f = c.flows[i];
    sg4::Actor::create("flow" + std::to_string(i), hosts[f.from], [&hosts, &arrival, f, i] {
      sg4::this_actor::sleep_until(static_cast<double>(f.start_ns) * 1e-9);
      sg4::Comm::sendto(hosts[f.from], hosts[f.to], f.bytes);
      arrival[i] = sg4::Engine::get_clock();
    });
  }
  engine.run();
  for (std::size_t i = 0; i < arrival.size(); ++i) std::printf("flow %zu %.17g\n", i, arrival[i]);
  return 0;
}
