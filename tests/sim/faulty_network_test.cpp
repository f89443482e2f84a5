#include "sim/faulty_network.h"

#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/platform.h"
#include "sim/point_to_point_network.h"
#include "sim/shared_link_network.h"
#include "sim/simulation.h"
#include "tests/sim/test_messages.h"

using namespace cdsim;
using cdsim::testing::make_message;

namespace {

// Two nodes, one link: 1 ms latency, 1000 bytes take 1 ms (8 Mbit/s).
struct Fixture {
  explicit Fixture(std::vector<LinkStateChange> changes, double loss = 0.0) {
    auto inner = std::make_unique<PointToPointNetwork>(
        sim, 2, std::vector<PointToPointNetwork::Edge>{{AgentId{0}, AgentId{1}}},
        LinkSpec{SimTime::from_ms(1), Bandwidth::from_bits_per_second(8'000'000)});
    network = std::make_unique<FaultyNetwork>(sim, std::move(inner), changes, loss, 3);
    network->set_delivery_handler([this](Message&& m) { arrivals.emplace_back(m.round, sim.now()); });
  }
  void send_at(SimTime at, std::int64_t round) {
    sim.schedule_at(at, [this, round] { network->send(make_message(0, 1, 1000, round)); });
  }
  Simulation sim{1};
  std::unique_ptr<FaultyNetwork> network;
  std::vector<std::pair<std::int64_t, SimTime>> arrivals;
};

// Hosts 0 and 1 on switches 2 and 3 (0 - 2 - 3 - 1), every link 8 Mbit/s without latency.
std::unique_ptr<SharedLinkNetwork> dumbbell(Simulation& sim) {
  const LinkSpec link{SimTime::zero(), Bandwidth::from_bits_per_second(8'000'000)};
  auto network = std::make_unique<SharedLinkNetwork>(sim, 2, std::vector<SharedLinkNetwork::PhysicalLink>{});
  add_platform(*network, dumbbell_platform(std::vector<DuplexLinkSpec>(2, DuplexLinkSpec{link, link}), link));
  return network;
}

}  // namespace

TEST_CASE("a link failure at t loses exactly the messages on the link at t; sends while down are lost too") {
  Fixture f({LinkStateChange{SimTime::from_us(2500), AgentId{0}, AgentId{1}, false},
             LinkStateChange{SimTime::from_ms(5), AgentId{1}, AgentId{0}, true}});
  // Rounds 0, 1, 2 sent together: transmitted over [0, 1], [1, 2], [2, 3] ms, arriving at
  // 2, 3 and 4 ms. The failure at 2.5 ms catches 1 (propagating) and 2 (transmitting).
  for (std::int64_t r = 0; r < 3; ++r) f.send_at(SimTime::zero(), r);
  f.send_at(SimTime::from_us(2600), 3);  // the link is down: lost at once
  f.send_at(SimTime::from_ms(5), 4);     // back up: 1 ms to transmit, 1 ms to propagate
  f.sim.run();
  REQUIRE(f.arrivals.size() == 2);
  CHECK(f.arrivals[0] == std::pair<std::int64_t, SimTime>{0, SimTime::from_ms(2)});
  CHECK(f.arrivals[1] == std::pair<std::int64_t, SimTime>{4, SimTime::from_ms(7)});
  const LossStats& losses = f.network->losses();
  CHECK(losses.messages_lost_in_flight == 2);
  CHECK(losses.messages_lost_link_down == 1);
  CHECK(losses.bytes_lost_in_flight == ByteCount{2000});
  CHECK(f.network->stats().messages_sent == 5);
  CHECK(f.network->stats().messages_delivered == 2);
  CHECK(f.network->stats().messages_sent == f.network->stats().messages_delivered + losses.messages_lost());
}

TEST_CASE("random loss with probability p loses a count within the binomial bound, the same for a seed") {
  const double p = 0.1;
  const int messages = 20'000;
  auto lost_count = [&] {
    Fixture f({}, p);
    for (int k = 0; k < messages; ++k) f.send_at(SimTime::from_ms(k), k);
    f.sim.run();
    CHECK(f.network->stats().messages_delivered + f.network->losses().messages_lost_random == messages);
    return f.network->losses().messages_lost_random;
  };
  const auto lost = static_cast<double>(lost_count());
  const double sigma = std::sqrt(messages * p * (1 - p));
  CHECK(std::abs(lost - messages * p) <= 5 * sigma);
  CHECK(lost_count() == static_cast<std::uint64_t>(lost));
}

TEST_CASE("a link's own loss probability overrides the global one on that link, within the binomial bound") {
  // A star 0-1, 0-2: link 0-1 loses with 0.3 (its own), link 0-2 with the global 0.05.
  Simulation sim(1);
  auto inner = std::make_unique<PointToPointNetwork>(
      sim, 3, std::vector<PointToPointNetwork::Edge>{{AgentId{0}, AgentId{1}}, {AgentId{0}, AgentId{2}}},
      LinkSpec{SimTime::from_us(1), Bandwidth::from_bits_per_second(8'000'000'000)});
  FaultSchedule schedule;
  schedule.loss_probability = 0.05;
  schedule.link_loss.push_back({AgentId{1}, AgentId{0}, 0.3});
  FaultyNetwork network(sim, std::move(inner), schedule, 9);
  std::vector<std::size_t> arrived(3, 0);
  network.set_delivery_handler([&](Message&& m) { ++arrived[m.to.value]; });
  const int messages = 20000;
  for (int i = 0; i < messages; ++i) {
    sim.schedule_at(SimTime::from_us(i), [&network] {
      network.send(make_message(0, 1, 10, 0));
      network.send(make_message(0, 2, 10, 0));
    });
  }
  sim.run();
  for (const auto& [to, p] : {std::pair{1, 0.3}, std::pair{2, 0.05}}) {
    const double lost = messages - static_cast<double>(arrived[static_cast<std::size_t>(to)]);
    const double sigma = std::sqrt(messages * p * (1 - p));
    CHECK(std::abs(lost - messages * p) < 5 * sigma);
  }
  CHECK(network.losses().messages_lost_random == 2 * messages - arrived[1] - arrived[2]);
}

TEST_CASE("a crashed agent's messages are lost when sent and when they arrive, and it hears again once recovered") {
  Fixture f({});
  FaultSchedule schedule;
  // Agent 1 (the receiver) is down over [1.5 ms, 4 ms).
  schedule.agents = {{SimTime::from_us(1500), AgentId{1}, false}, {SimTime::from_ms(4), AgentId{1}, true}};
  auto inner = std::make_unique<PointToPointNetwork>(
      f.sim, 2, std::vector<PointToPointNetwork::Edge>{{AgentId{0}, AgentId{1}}},
      LinkSpec{SimTime::from_ms(1), Bandwidth::from_bits_per_second(8'000'000)});
  f.network = std::make_unique<FaultyNetwork>(f.sim, std::move(inner), schedule, 3);
  f.network->set_delivery_handler([&f](Message&& m) { f.arrivals.emplace_back(m.round, f.sim.now()); });
  f.send_at(SimTime::zero(), 0);          // arrives at 2 ms: the receiver is down, lost
  f.send_at(SimTime::from_ms(2), 1);      // sent to a down agent: lost at once
  f.send_at(SimTime::from_ms(4), 2);      // sent as it recovers: arrives at 6 ms
  f.sim.run();
  REQUIRE(f.arrivals.size() == 1);
  CHECK(f.arrivals[0] == std::pair<std::int64_t, SimTime>{2, SimTime::from_ms(6)});
  CHECK(f.network->losses().messages_lost_agent_down == 2);
  CHECK(f.network->losses().bytes_lost_agent_down.bytes() == 2000);
}

TEST_CASE("observers see each loss with its cause and time, and a link's state changes once per real change") {
  // Down at 2.5 ms twice (overlapping, as two partitions), up at 5 ms once (still down),
  // up again at 6 ms (now up).
  Fixture f({LinkStateChange{SimTime::from_us(2500), AgentId{0}, AgentId{1}, false},
             LinkStateChange{SimTime::from_us(2500), AgentId{1}, AgentId{0}, false},
             LinkStateChange{SimTime::from_ms(5), AgentId{0}, AgentId{1}, true},
             LinkStateChange{SimTime::from_ms(6), AgentId{0}, AgentId{1}, true}});
  std::vector<std::tuple<std::int64_t, SimTime, LossCause>> lost;
  std::vector<std::pair<bool, SimTime>> states;
  NetworkObserver observer;
  observer.on_lost = [&lost](const Message& m, SimTime now, LossCause cause) { lost.emplace_back(m.round, now, cause); };
  observer.on_link_state = [&states](AgentId a, AgentId b, bool up, SimTime now) {
    CHECK(((a == AgentId{0} && b == AgentId{1}) || (a == AgentId{1} && b == AgentId{0})));
    states.emplace_back(up, now);
  };
  f.network->add_observer(observer);
  // As in the first test, rounds 0..2 would arrive at 2, 3 and 4 ms: 0 is in at 2.5 ms,
  // 1 and 2 are on the link then and are dropped when they would have arrived.
  for (std::int64_t r = 0; r < 3; ++r) f.send_at(SimTime::zero(), r);
  f.send_at(SimTime::from_us(5500), 3);  // still down after the first "up": lost at send
  f.send_at(SimTime::from_ms(6), 4);     // up again
  f.sim.run();
  using Lost = std::tuple<std::int64_t, SimTime, LossCause>;
  const std::vector<Lost> expected = {Lost{1, SimTime::from_ms(3), LossCause::kInFlight},
                                      Lost{2, SimTime::from_ms(4), LossCause::kInFlight},
                                      Lost{3, SimTime::from_us(5500), LossCause::kLinkDown}};
  CHECK(lost == expected);
  const std::vector<std::pair<bool, SimTime>> expected_states = {{false, SimTime::from_us(2500)},
                                                                 {true, SimTime::from_ms(6)}};
  CHECK(states == expected_states);
  CHECK(f.arrivals.size() == 2);
  CHECK(f.network->losses().messages_lost() == lost.size());
}

TEST_CASE("a platform link's failure is counted by cause: in flight on it, and link_down with no route left") {
  // Two hosts on two switches (dumbbell: 0 - 2 - 3 - 1), 8 Mbit/s everywhere, no latency:
  // 1000 bytes take 1 ms. The switch link 2-3 fails at 0.5 ms and comes back at 3 ms.
  Simulation sim(1);
  auto inner = dumbbell(sim);
  FaultSchedule schedule;
  schedule.network_links = {LinkStateChange{SimTime::from_us(500), AgentId{2}, AgentId{3}, false},
                            LinkStateChange{SimTime::from_ms(3), AgentId{3}, AgentId{2}, true}};
  FaultyNetwork network(sim, std::move(inner), schedule, 1);
  std::vector<std::pair<std::int64_t, SimTime>> arrivals;
  std::vector<std::tuple<std::uint32_t, std::uint32_t, bool>> states;
  network.set_delivery_handler([&](Message&& m) { arrivals.emplace_back(m.round, sim.now()); });
  NetworkObserver observer;
  observer.on_link_state = [&](AgentId a, AgentId b, bool up, SimTime) { states.emplace_back(a.value, b.value, up); };
  network.add_observer(std::move(observer));
  sim.schedule_at(SimTime::zero(), [&] { network.send(make_message(0, 1, 1000, 0)); });   // on 2-3 at 0.5 ms
  sim.schedule_at(SimTime::from_ms(1), [&] { network.send(make_message(1, 0, 1000, 1)); });  // no route
  sim.schedule_at(SimTime::from_ms(4), [&] { network.send(make_message(0, 1, 1000, 2)); });  // back: 1 ms
  sim.run();
  REQUIRE(arrivals.size() == 1);
  CHECK(arrivals[0] == std::pair<std::int64_t, SimTime>{2, SimTime::from_ms(5)});
  const LossStats& losses = network.losses();
  CHECK(losses.messages_lost_in_flight == 1);
  CHECK(losses.messages_lost_link_down == 1);
  CHECK(losses.bytes_lost() == ByteCount{2000});
  CHECK(network.stats().messages_sent == network.stats().messages_delivered + losses.messages_lost());
  CHECK(states == std::vector<std::tuple<std::uint32_t, std::uint32_t, bool>>{{2, 3, false}, {3, 2, true}});
}

TEST_CASE("agent-pair link changes and platform link changes in one schedule are refused") {
  Simulation sim(1);
  const LinkSpec link{SimTime::zero(), Bandwidth::from_bits_per_second(8'000'000)};
  auto inner = std::make_unique<SharedLinkNetwork>(sim, 2, std::vector<SharedLinkNetwork::PhysicalLink>{});
  add_platform(*inner, single_switch_platform(std::vector<DuplexLinkSpec>(2, DuplexLinkSpec{link, link})));
  FaultSchedule schedule;
  schedule.links = {LinkStateChange{SimTime::zero(), AgentId{0}, AgentId{1}, false}};
  schedule.network_links = {LinkStateChange{SimTime::zero(), AgentId{0}, AgentId{2}, false}};
  CHECK_THROWS_AS(FaultyNetwork(sim, std::move(inner), schedule, 1), std::invalid_argument);
}

TEST_CASE("a platform link named by its nodes degrades in both directions, re-timing the flow on it") {
  // The dumbbell 0 - 2 - 3 - 1 at 8 Mbit/s, no latency. 1000 bytes from 0 to 1 at 0 and
  // from 1 to 0 at 0: 4000 bits each are out at 0.5 ms, when the bottleneck 2-3 drops to
  // 4 Mbit/s; the 4000 bits left take 1 ms more: both arrive at 1.5 ms.
  Simulation sim(1);
  auto inner = dumbbell(sim);
  FaultSchedule schedule;
  schedule.rates = {LinkRateChange{SimTime::from_us(500), AgentId{3}, AgentId{2},
                                   LinkChange{std::nullopt, Bandwidth::from_bits_per_second(4'000'000)}}};
  FaultyNetwork network(sim, std::move(inner), schedule, 1);
  std::vector<std::pair<std::int64_t, SimTime>> arrivals;
  network.set_delivery_handler([&](Message&& m) { arrivals.emplace_back(m.round, sim.now()); });
  sim.schedule_at(SimTime::zero(), [&] {
    network.send(make_message(0, 1, 1000, 0));
    network.send(make_message(1, 0, 1000, 1));
  });
  sim.run();
  REQUIRE(arrivals.size() == 2);
  CHECK(arrivals[0].second == SimTime::from_us(1500));
  CHECK(arrivals[1].second == SimTime::from_us(1500));
}
