// Platforms and NICs on the shared-link model: the generators' shapes, and completion times
// against max-min rates worked out by hand (progressive filling, written out per case).
#include "sim/platform.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "sim/shared_link_network.h"
#include "sim/simulation.h"
#include "tests/sim/test_messages.h"

using cdsim::AgentId;
using cdsim::Bandwidth;
using cdsim::DuplexLinkSpec;
using cdsim::LinkSpec;
using cdsim::Message;
using cdsim::Platform;
using cdsim::SharedLinkNetwork;
using cdsim::Simulation;
using cdsim::SimTime;
using cdsim::testing::make_message;

namespace {

LinkSpec spec(std::int64_t latency_ns, std::int64_t bits_per_second) {
  return LinkSpec{SimTime::from_ns(latency_ns), Bandwidth::from_bits_per_second(bits_per_second)};
}

std::vector<DuplexLinkSpec> same_links(std::size_t hosts, LinkSpec link) {
  return std::vector<DuplexLinkSpec>(hosts, DuplexLinkSpec{link, link});
}

// Nanoseconds to send `bits` at `bits_per_second`, rounded up (the model's rounding).
std::int64_t ns_for(std::int64_t bits, std::int64_t bits_per_second) {
  return (bits * 1'000'000'000 + bits_per_second - 1) / bits_per_second;
}

// A simulation over a platform, recording each message's arrival (by round).
struct Run {
  explicit Run(const Platform& platform) : network(sim, platform.host_count, {}) {
    cdsim::add_platform(network, platform);
    network.set_delivery_handler([this](Message&& m) { arrival[m.round] = sim.now().ns(); });
  }
  // Sends `bytes` from -> to at simulated time `at_ns`, labelled `round`.
  void send_at(std::int64_t at_ns, std::uint32_t from, std::uint32_t to, std::int64_t bytes, std::int64_t round) {
    sim.schedule_at(SimTime::from_ns(at_ns), [this, from, to, bytes, round] {
      network.send(make_message(from, to, bytes, round));
    });
  }
  Simulation sim{1};
  SharedLinkNetwork network;
  std::map<std::int64_t, std::int64_t> arrival;
};

}  // namespace

TEST_CASE("a tree's hosts hang off leaf switches in blocks, the leaves off one core switch") {
  const Platform tree = cdsim::two_level_tree_platform(same_links(5, spec(1, 1000)), 2, spec(7, 500));
  CHECK(tree.host_count == 5);
  CHECK(tree.switch_count() == 4);  // ceil(5 / 2) = 3 leaves and the core
  REQUIRE(tree.links.size() == 5 + 3);
  for (std::uint32_t h = 0; h < 5; ++h) CHECK(tree.links[h].b == AgentId{5 + h / 2});
  for (std::uint32_t leaf = 0; leaf < 3; ++leaf) {
    CHECK(tree.links[5 + leaf].a == AgentId{5 + leaf});
    CHECK(tree.links[5 + leaf].b == AgentId{8});
  }
  Run run(tree);
  CHECK(run.network.route(AgentId{0}, AgentId{1}).size() == 2);  // within a leaf
  CHECK(run.network.route(AgentId{0}, AgentId{4}).size() == 4);  // host, leaf, core, leaf, host
}

TEST_CASE("a dumbbell puts the first half of the hosts (rounded up) on one side") {
  const Platform dumbbell = cdsim::dumbbell_platform(same_links(5, spec(1, 1000)), spec(1, 10));
  CHECK(dumbbell.switch_count() == 2);
  for (std::uint32_t h = 0; h < 5; ++h) CHECK(dumbbell.links[h].b == AgentId{h < 3 ? 5u : 6u});
  CHECK(dumbbell.links.back().a == AgentId{5});
  CHECK(dumbbell.links.back().b == AgentId{6});
}

TEST_CASE("regions take contiguous blocks of hosts and a WAN link per pair of regions") {
  const std::vector<std::vector<SimTime>> wan = {{SimTime::zero(), SimTime::from_ms(10), SimTime::from_ms(80)},
                                                 {SimTime::from_ms(10), SimTime::zero(), SimTime::from_ms(30)},
                                                 {SimTime::from_ms(80), SimTime::from_ms(30), SimTime::zero()}};
  const Platform regions =
      cdsim::regions_platform(same_links(7, spec(1000, 8'000'000'000)), wan, Bandwidth::from_bits_per_second(1'000'000));
  // floor(h * 3 / 7): 0 0 0 1 1 2 2
  const std::uint32_t expected_region[] = {0, 0, 0, 1, 1, 2, 2};
  for (std::uint32_t h = 0; h < 7; ++h) CHECK(regions.links[h].b == AgentId{7 + expected_region[h]});
  REQUIRE(regions.links.size() == 7 + 3);
  CHECK(regions.links[7 + 1].spec.forward.latency == SimTime::from_ms(80));  // (0, 2)

  // Host 0 (region 0) to host 6 (region 2): two host links and the direct WAN link; the
  // 1 Mbit/s WAN link is the bottleneck.
  Run run(regions);
  run.send_at(0, 0, 6, 1000, 0);
  run.sim.run();
  CHECK(run.arrival.at(0) == ns_for(8000, 1'000'000) + 2 * 1000 + 80'000'000);

  auto asymmetric = wan;
  asymmetric[0][1] = SimTime::from_ms(11);
  CHECK_THROWS_AS(cdsim::regions_platform(same_links(7, spec(0, 1)), asymmetric, Bandwidth::from_bits_per_second(1)),
                  std::invalid_argument);
  CHECK_THROWS_AS(cdsim::regions_platform(same_links(2, spec(0, 1)), wan, Bandwidth::from_bits_per_second(1)),
                  std::invalid_argument);
}

TEST_CASE("k uploads into one server NIC each get downlink / k and end together") {
  // Hosts 0..k-1 upload S bytes each to the server, host k, over dedicated fast edges; the
  // server's downlink D is the only constraint they share: rate D / k each, so all end at
  // 8 S k / D (rounded up to the nanosecond) plus the edge latency.
  constexpr std::int64_t kBytes = 125'000;            // 1 Mbit
  constexpr std::int64_t kDownlink = 10'000'000;      // 10 Mbit/s
  constexpr std::int64_t kEdgeLatency = 20'000;       // 20 us
  for (const std::uint32_t k : {1u, 2u, 3u, 7u}) {
    const LinkSpec unlimited = spec(0, std::int64_t{1} << 62);
    std::vector<DuplexLinkSpec> nics(k + 1, DuplexLinkSpec{unlimited, unlimited});
    nics[k].backward = spec(0, kDownlink);  // the server's downlink
    std::vector<std::pair<AgentId, AgentId>> edges;
    for (std::uint32_t i = 0; i < k; ++i) edges.emplace_back(AgentId{i}, AgentId{k});
    const std::vector<DuplexLinkSpec> edge_links(k, DuplexLinkSpec{spec(kEdgeLatency, std::int64_t{1} << 61),
                                                                   spec(kEdgeLatency, std::int64_t{1} << 61)});
    Run run(cdsim::nic_platform(nics, edges, edge_links));
    for (std::uint32_t i = 0; i < k; ++i) run.send_at(0, i, k, kBytes, i);
    run.sim.run_until(SimTime::from_ns(1));
    for (const SharedLinkNetwork::FlowState& flow : run.network.active_flows()) {
      CHECK(flow.rate_bits_per_second == doctest::Approx(static_cast<double>(kDownlink) / k));
    }
    run.sim.run();
    for (std::uint32_t i = 0; i < k; ++i) CHECK(run.arrival.at(i) == ns_for(8 * kBytes * k, kDownlink) + kEdgeLatency);
  }
}

TEST_CASE("with one bottleneck NIC the other flows take what the bottleneck leaves") {
  // Host 0 (uplink 100 Mbit/s) sends to hosts 1 and 2; host 3 sends to host 1 (downlink
  // 120 Mbit/s). Progressive filling: host 0's uplink offers 100/2 = 50 per flow, host 1's
  // downlink 120/2 = 60, so the uplink is the bottleneck: 0->1 and 0->2 get 50; host 1's
  // downlink then has 120 - 50 = 70 left for 3->1. With S bytes each, 3->1 ends at 8S/70M;
  // then nothing changes for the other two (still 50 at the uplink), ending at 8S/50M.
  constexpr std::int64_t kBytes = 875'000;  // 7 Mbit: 0.1 s at 70 Mbit/s, 0.14 s at 50
  const LinkSpec unlimited = spec(0, std::int64_t{1} << 62);
  std::vector<DuplexLinkSpec> nics(4, DuplexLinkSpec{unlimited, unlimited});
  nics[0].forward = spec(0, 100'000'000);
  nics[1].backward = spec(0, 120'000'000);
  const std::vector<std::pair<AgentId, AgentId>> edges = {
      {AgentId{0}, AgentId{1}}, {AgentId{0}, AgentId{2}}, {AgentId{3}, AgentId{1}}};
  Run run(cdsim::nic_platform(nics, edges, std::vector<DuplexLinkSpec>(3, DuplexLinkSpec{unlimited, unlimited})));
  run.send_at(0, 0, 1, kBytes, 1);
  run.send_at(0, 0, 2, kBytes, 2);
  run.send_at(0, 3, 1, kBytes, 3);
  run.sim.run_until(SimTime::from_ns(1));
  const std::vector<SharedLinkNetwork::FlowState> flows = run.network.active_flows();
  REQUIRE(flows.size() == 3);
  CHECK(flows[0].rate_bits_per_second == doctest::Approx(50e6));
  CHECK(flows[1].rate_bits_per_second == doctest::Approx(50e6));
  CHECK(flows[2].rate_bits_per_second == doctest::Approx(70e6));
  run.sim.run();
  CHECK(run.arrival.at(3) == ns_for(8 * kBytes, 70'000'000));
  CHECK(run.arrival.at(1) == ns_for(8 * kBytes, 50'000'000));
  CHECK(run.arrival.at(2) == ns_for(8 * kBytes, 50'000'000));
}

TEST_CASE("an oversubscribed tree's core link is shared by the flows leaving a leaf") {
  // Two leaves of k = 4 hosts at B = 1 Gbit/s, oversubscription 4: the core links carry
  // k B / 4 = B. Four hosts of leaf 0 send to the four of leaf 1 at t = 0: each host link
  // offers B, the core link B / 4 per flow, so each flow gets B / 4 and all end at 32 S / B
  // plus two host links' and two core links' latency.
  constexpr std::int64_t kB = 1'000'000'000;
  constexpr std::int64_t kBytes = 1'000'000;
  const Platform tree = cdsim::two_level_tree_platform(same_links(8, spec(1000, kB)), 4, spec(5000, 4 * kB / 4));
  Run run(tree);
  for (std::uint32_t i = 0; i < 4; ++i) run.send_at(0, i, 4 + i, kBytes, i);
  run.sim.run();
  for (std::uint32_t i = 0; i < 4; ++i) CHECK(run.arrival.at(i) == ns_for(8 * kBytes * 4, kB) + 2 * 1000 + 2 * 5000);
}

TEST_CASE("the single-switch platform is the star the switch model always built") {
  // The switch model built node N as a hub with node n's access link added in node order;
  // the generator must give the same network: the same arrivals for the same random flows.
  constexpr std::uint32_t kHosts = 6;
  std::vector<DuplexLinkSpec> hosts;
  for (std::uint32_t h = 0; h < kHosts; ++h) {
    hosts.push_back(DuplexLinkSpec{spec(1000 * (h + 1), 1'000'000 * (h + 3)), spec(500 * h, 2'000'000 * (h + 1))});
  }
  auto random_traffic = [](auto& sim, auto& network) {
    cdsim::Rng rng(3, 0, cdsim::RngPurpose::kLinks);
    for (std::int64_t m = 0; m < 60; ++m) {
      const auto from = static_cast<std::uint32_t>(rng.uniform_index(kHosts));
      const auto to = static_cast<std::uint32_t>((from + 1 + rng.uniform_index(kHosts - 1)) % kHosts);
      const auto bytes = static_cast<std::int64_t>(1 + rng.uniform_index(50'000));
      const auto at = static_cast<std::int64_t>(rng.uniform_index(200'000'000));
      sim.schedule_at(SimTime::from_ns(at), [&network, from, to, bytes, m] {
        network.send(make_message(from, to, bytes, m));
      });
    }
  };
  Run platform(cdsim::single_switch_platform(hosts));
  random_traffic(platform.sim, platform.network);
  platform.sim.run();

  Simulation sim{1};
  SharedLinkNetwork star(sim, kHosts + 1, {});
  for (std::uint32_t h = 0; h < kHosts; ++h) star.add_link(AgentId{h}, AgentId{kHosts}, hosts[h].forward, hosts[h].backward);
  std::map<std::int64_t, std::int64_t> arrival;
  star.set_delivery_handler([&](Message&& m) { arrival[m.round] = sim.now().ns(); });
  random_traffic(sim, star);
  sim.run();
  REQUIRE(arrival.size() == 60);
  CHECK(platform.arrival == arrival);
}
