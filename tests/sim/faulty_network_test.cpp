#include "sim/faulty_network.h"

#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/point_to_point_network.h"
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
