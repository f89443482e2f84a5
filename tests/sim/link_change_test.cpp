// Network::change_link (faults.link_degrade) against transfer times computed by hand: a
// FIFO point-to-point link keeps the times of messages sent before the change and gives the
// new latency and bandwidth to those sent after; the shared-link model re-solves at once,
// so a transfer in progress sends its remaining bits at the new rate; FaultyNetwork applies
// a scheduled change to both directions.
#include <doctest/doctest.h>

#include <memory>
#include <utility>
#include <vector>

#include "sim/faulty_network.h"
#include "sim/point_to_point_network.h"
#include "sim/shared_link_network.h"
#include "sim/simulation.h"
#include "tests/sim/test_messages.h"

using namespace cdsim;
using cdsim::testing::make_message;

namespace {

// 1 ms latency; 1000 bytes take 1 ms at 8 Mbit/s.
const LinkSpec kLink{SimTime::from_ms(1), Bandwidth::from_bits_per_second(8'000'000)};
const LinkChange kSlower{SimTime::from_ms(3), Bandwidth::from_bits_per_second(4'000'000)};

}  // namespace

TEST_CASE("a degraded FIFO link: messages sent before keep their times, later ones take the new rate and latency") {
  Simulation sim(1);
  PointToPointNetwork network(sim, 2, {{AgentId{0}, AgentId{1}}}, kLink);
  std::vector<std::pair<std::int64_t, SimTime>> arrivals;
  network.set_delivery_handler([&](Message&& m) { arrivals.emplace_back(m.round, sim.now()); });
  sim.schedule_at(SimTime::from_us(9500), [&] { network.send(make_message(0, 1, 1000, 0)); });
  sim.schedule_at(SimTime::from_ms(10), [&] { network.change_link(network.link_index(AgentId{0}, AgentId{1}), kSlower); });
  sim.schedule_at(SimTime::from_ms(10), [&] { network.send(make_message(0, 1, 1000, 1)); });
  sim.run();
  REQUIRE(arrivals.size() == 2);
  // Round 0: 9.5 + 1 (transmission) + 1 (latency) ms. Round 1 waits for the link to be free
  // at 10.5 ms, then 2 ms at 4 Mbit/s and 3 ms of latency: 15.5 ms.
  CHECK(arrivals[0] == std::pair<std::int64_t, SimTime>{0, SimTime::from_us(11500)});
  CHECK(arrivals[1] == std::pair<std::int64_t, SimTime>{1, SimTime::from_us(15500)});
  CHECK(network.link_spec(network.link_index(AgentId{0}, AgentId{1})).latency == SimTime::from_ms(3));
  // The other direction is its own link and keeps its spec.
  CHECK(network.link_spec(network.link_index(AgentId{1}, AgentId{0})).latency == SimTime::from_ms(1));
}

TEST_CASE("a degraded shared link re-solves at once: the remaining bits of a transfer go at the new rate") {
  Simulation sim(1);
  SharedLinkNetwork network(sim, 2, {SharedLinkNetwork::PhysicalLink{AgentId{0}, AgentId{1}, kLink}});
  std::vector<SimTime> arrivals;
  network.set_delivery_handler([&](Message&&) { arrivals.push_back(sim.now()); });
  sim.schedule_at(SimTime::zero(), [&] { network.send(make_message(0, 1, 1000, 0)); });
  // Half the bits are out at 0.5 ms; the other 4000 bits take 1 ms at 4 Mbit/s: the last bit
  // leaves at 1.5 ms and arrives a latency (1 ms, the one it started with) later.
  sim.schedule_at(SimTime::from_us(500), [&] {
    network.change_link(0, LinkChange{std::nullopt, Bandwidth::from_bits_per_second(4'000'000)});
  });
  sim.run();
  REQUIRE(arrivals.size() == 1);
  CHECK(arrivals[0] == SimTime::from_us(2500));
}

TEST_CASE("FaultyNetwork applies a scheduled link change to both directions of the link") {
  Simulation sim(1);
  auto inner = std::make_unique<PointToPointNetwork>(sim, 2, std::vector<PointToPointNetwork::Edge>{{AgentId{0}, AgentId{1}}},
                                                     kLink);
  FaultSchedule schedule;
  schedule.rates.push_back(LinkRateChange{SimTime::from_ms(2), AgentId{1}, AgentId{0}, kSlower});
  FaultyNetwork network(sim, std::move(inner), schedule, 1);
  std::vector<std::pair<std::uint32_t, SimTime>> arrivals;
  network.set_delivery_handler([&](Message&& m) { arrivals.emplace_back(m.to.value, sim.now()); });
  sim.schedule_at(SimTime::from_ms(2), [&] {
    network.send(make_message(0, 1, 1000, 0));
    network.send(make_message(1, 0, 500, 0));
  });
  sim.run();
  REQUIRE(arrivals.size() == 2);
  // 1000 bytes: 2 + 2 + 3 ms; 500 bytes: 2 + 1 + 3 ms.
  CHECK(arrivals[0] == std::pair<std::uint32_t, SimTime>{0, SimTime::from_ms(6)});
  CHECK(arrivals[1] == std::pair<std::uint32_t, SimTime>{1, SimTime::from_ms(7)});
}
