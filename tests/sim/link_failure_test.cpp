// Network::set_link_up (faults on a platform's physical links) on the shared-link model,
// against max-min rates and routes worked out by hand on a WAN triangle: three hosts, one
// per region, whose regions' switches are joined pairwise, so every WAN link has a detour
// through the third region. A failure loses exactly the flows crossing the link (the others
// get its share), later messages take the detour, a cut-off host's messages are lost with
// cause link_down, and after recovery the times are those of a network that never failed.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

#include "sim/platform.h"
#include "sim/shared_link_network.h"
#include "sim/simulation.h"
#include "tests/sim/test_messages.h"

using namespace cdsim;
using cdsim::testing::make_message;

namespace {

// Host h (node h) on switch 3 + h. Host links: 1 Mbit/s, no latency (the bottleneck).
// WAN links 1 Gbit/s with latencies 1 ms (3-4), 2 ms (3-5), 3 ms (4-5).
// Physical links, in order: 0-3, 1-4, 2-5, 3-4, 3-5, 4-5; physical link i is directed
// links 2i (listed order) and 2i + 1.
Platform triangle() {
  const LinkSpec host{SimTime::zero(), Bandwidth::from_bits_per_second(1'000'000)};
  const std::vector<std::vector<SimTime>> wan = {{SimTime::zero(), SimTime::from_ms(1), SimTime::from_ms(2)},
                                                 {SimTime::from_ms(1), SimTime::zero(), SimTime::from_ms(3)},
                                                 {SimTime::from_ms(2), SimTime::from_ms(3), SimTime::zero()}};
  return regions_platform(std::vector<DuplexLinkSpec>(3, DuplexLinkSpec{host, host}), wan,
                          Bandwidth::from_bits_per_second(1'000'000'000));
}

constexpr std::size_t kWan01 = 6;  // directed 3 -> 4
constexpr std::size_t kWan10 = 7;
constexpr std::size_t kWan02 = 8;  // 3 -> 5
constexpr std::size_t kWan20 = 9;

struct Lost {
  std::int64_t at_ns;
  LossCause cause;
};

// A run over the triangle recording arrivals and losses by round.
struct Run {
  Run() : network(sim, 3, {}) {
    add_platform(network, triangle());
    network.set_delivery_handler([this](Message&& m) { arrival[m.round] = sim.now().ns(); });
    NetworkObserver observer;
    observer.on_lost = [this](const Message& m, SimTime now, LossCause cause) { lost[m.round] = Lost{now.ns(), cause}; };
    observer.on_transmission_start = [this](const Message&, SimTime, std::size_t) { ++transmissions_started; };
    observer.on_transmission_end = [this](const Message&, SimTime, std::size_t) { ++transmissions_ended; };
    network.add_observer(std::move(observer));
  }
  // 1000 bytes (8000 bits: 8 ms alone on a host link) from -> to at `at_us`, labelled `round`.
  void send_at(std::int64_t at_us, std::uint32_t from, std::uint32_t to, std::int64_t round) {
    sim.schedule_at(SimTime::from_us(at_us), [this, from, to, round] { network.send(make_message(from, to, 1000, round)); });
  }
  // Both directions of a physical link go down (or up) at `at_us`.
  void set_at(std::int64_t at_us, std::size_t forward, bool up) {
    sim.schedule_at(SimTime::from_us(at_us), [this, forward, up] {
      network.set_link_up(forward, up);
      network.set_link_up(forward + 1, up);
    });
  }
  Simulation sim{1};
  SharedLinkNetwork network;
  std::map<std::int64_t, std::int64_t> arrival;
  std::map<std::int64_t, Lost> lost;
  int transmissions_started = 0;
  int transmissions_ended = 0;
};

}  // namespace

TEST_CASE("a failed WAN link loses exactly the flows crossing it, and the flows left share its bandwidth") {
  Run run;
  // Round 0: host 0 -> 1 over WAN 3-4; round 1: host 0 -> 2 over WAN 3-5. Both share host
  // 0's 1 Mbit/s uplink: 0.5 Mbit/s each. WAN 3-4 fails at 4 ms: round 0 stops then (lost
  // in flight); round 1 has sent 2000 bits and sends its 6000 left alone at 1 Mbit/s: done
  // at 4 + 6 = 10 ms, arriving after WAN 3-5's 2 ms at 12 ms (18 ms had nothing failed).
  run.send_at(0, 0, 1, 0);
  run.send_at(0, 0, 2, 1);
  run.set_at(4000, kWan01, false);
  run.sim.run();
  CHECK(run.arrival.count(0) == 0);
  REQUIRE(run.lost.count(0) == 1);
  CHECK(run.lost[0].at_ns == 4'000'000);
  CHECK(run.lost[0].cause == LossCause::kInFlight);
  CHECK(run.arrival.at(1) == 12'000'000);
  CHECK(run.lost.count(1) == 0);
  // Every transmission that started ends, stopped or done (a trace pairs them).
  CHECK(run.transmissions_started == run.transmissions_ended);
  // The stopped flow's links do not count it as carried.
  CHECK(run.network.link_load(0).messages == 1);  // host 0's uplink carried round 1 only
  CHECK(run.network.link_load(kWan01).messages == 0);
}

TEST_CASE("while a WAN link is down, messages take the detour through the third region at its max-min rates") {
  Run run;
  run.set_at(0, kWan01, false);
  // At 20 ms: round 0, host 0 -> 1 on the detour 0-3-5-4-1 (WAN latencies 2 + 3 ms);
  // round 1, host 2 -> 1 on 2-5-4-1. Both cross host 1's 1 Mbit/s downlink: 0.5 Mbit/s
  // each, 8000 bits in 16 ms. Round 0 arrives at 20 + 16 + 5 = 41 ms, round 1 (3 ms of
  // WAN) at 39 ms.
  run.send_at(20'000, 0, 1, 0);
  run.send_at(20'000, 2, 1, 1);
  run.sim.run();
  CHECK(run.arrival.at(0) == 41'000'000);
  CHECK(run.arrival.at(1) == 39'000'000);
  const std::vector<std::uint32_t> detour = {0, kWan02, 2 * 5 + 1, 3};  // 0->3, 3->5, 5->4, 4->1
  CHECK(run.network.route(AgentId{0}, AgentId{1}) == detour);
  CHECK(run.lost.empty());
}

TEST_CASE("after a WAN link comes back, routes and times are those of a network where it never failed") {
  Run failed;
  failed.set_at(0, kWan01, false);
  failed.send_at(10'000, 0, 1, 0);  // on the detour: 8 ms + 5 ms of latency
  failed.set_at(30'000, kWan01, true);
  failed.send_at(60'000, 0, 1, 1);
  failed.send_at(60'000, 1, 0, 2);
  failed.sim.run();
  Run never;
  never.send_at(60'000, 0, 1, 1);
  never.send_at(60'000, 1, 0, 2);
  never.sim.run();
  CHECK(failed.arrival.at(0) == 23'000'000);
  // Alone on their (disjoint) directions: 8 ms and the 1 ms of WAN 3-4.
  CHECK(never.arrival.at(1) == 69'000'000);
  CHECK(failed.arrival.at(1) == never.arrival.at(1));
  CHECK(failed.arrival.at(2) == never.arrival.at(2));
  const std::vector<std::uint32_t> direct = {0, kWan01, 3};
  CHECK(failed.network.route(AgentId{0}, AgentId{1}) == direct);
}

TEST_CASE("a message whose last bit has left is lost if a link of its route fails before it arrives") {
  // Round 0 (0 -> 1) is sent by 8 ms and arrives after WAN 3-4's 1 ms, at 9 ms; the link
  // fails at 8.5 ms: lost at the instant it would have arrived. Round 1, the same later,
  // arrives at 29 ms: the failure at 30 ms comes after it.
  Run run;
  run.send_at(0, 0, 1, 0);
  run.set_at(8500, kWan01, false);
  run.set_at(8600, kWan01, true);
  run.send_at(20'000, 0, 1, 1);
  run.set_at(30'000, kWan01, false);
  run.sim.run();
  REQUIRE(run.lost.count(0) == 1);
  CHECK(run.lost[0].at_ns == 9'000'000);
  CHECK(run.lost[0].cause == LossCause::kInFlight);
  CHECK(run.arrival.count(0) == 0);
  CHECK(run.arrival.at(1) == 29'000'000);
}

TEST_CASE("a host cut off by failed links loses what it sends with cause link_down; the others still talk") {
  Run run;
  run.set_at(0, kWan01, false);
  run.set_at(0, kWan02, false);
  run.send_at(1000, 0, 1, 0);
  run.send_at(1000, 2, 0, 1);
  run.send_at(1000, 1, 2, 2);  // 1-4-5-2: 8 ms and 3 ms of WAN
  run.sim.run();
  REQUIRE(run.lost.count(0) == 1);
  CHECK(run.lost[0].cause == LossCause::kLinkDown);
  CHECK(run.lost[0].at_ns == 1'000'000);
  REQUIRE(run.lost.count(1) == 1);
  CHECK(run.lost[1].cause == LossCause::kLinkDown);
  CHECK(run.arrival.at(2) == 12'000'000);
  CHECK(run.network.stats().messages_sent == 3);
  CHECK_THROWS_AS(run.network.route(AgentId{0}, AgentId{1}), std::logic_error);
}

TEST_CASE("a link state set twice is one change, and an unknown link is out of range") {
  Run run;
  run.network.set_link_up(kWan01, false);
  run.network.set_link_up(kWan01, false);
  CHECK_FALSE(run.network.link_up(kWan01));
  CHECK(run.network.link_up(kWan10));
  run.network.set_link_up(kWan01, true);
  CHECK(run.network.link_up(kWan01));
  CHECK_THROWS_AS(run.network.set_link_up(run.network.link_count(), false), std::out_of_range);
}
