// Network::change_link (faults.link_degrade) against transfer times computed by hand: on a
// changeable FIFO point-to-point link the message being sent finishes its remaining bits at
// the new rate and the queued ones take the new spec, in order; the shared-link model
// re-solves at once and agrees with it for a lone transfer; FaultyNetwork applies a
// scheduled change to both directions.
#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <utility>
#include <vector>

#include "core/rng.h"
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

// A network of one changeable link 0 -> 1 (and its committed reverse).
struct OneChangeableLink {
  explicit OneChangeableLink(Simulation& sim) : network(sim, 2, {{AgentId{0}, AgentId{1}}}, kLink) {
    network.make_changeable(forward());
  }
  std::size_t forward() const { return network.link_index(AgentId{0}, AgentId{1}); }
  PointToPointNetwork network;
};

TEST_CASE("a degraded FIFO link: the message being sent finishes at the new rate, the queued one takes the new spec") {
  Simulation sim(1);
  OneChangeableLink one(sim);
  PointToPointNetwork& network = one.network;
  std::vector<std::pair<std::int64_t, SimTime>> arrivals;
  std::vector<SimTime> starts;
  std::vector<SimTime> ends;
  network.set_delivery_handler([&](Message&& m) { arrivals.emplace_back(m.round, sim.now()); });
  NetworkObserver observer;
  observer.on_transmission_start = [&](const Message&, SimTime at, std::size_t) { starts.push_back(at); };
  observer.on_transmission_end = [&](const Message&, SimTime at, std::size_t) { ends.push_back(at); };
  network.add_observer(observer);
  sim.schedule_at(SimTime::zero(), [&] {
    network.send(make_message(0, 1, 1000, 0));
    network.send(make_message(0, 1, 1000, 1));
  });
  sim.schedule_at(SimTime::from_us(500), [&] { network.change_link(one.forward(), kSlower); });
  sim.run();
  REQUIRE(arrivals.size() == 2);
  // Round 0: half its 8000 bits are out at 0.5 ms; the other 4000 take 1 ms at 4 Mbit/s, so
  // the last bit leaves at 1.5 ms and arrives the latency it started with (1 ms) later.
  // Round 1 starts at 1.5 ms: 2 ms at 4 Mbit/s and the new 3 ms latency: 6.5 ms.
  CHECK(arrivals[0] == std::pair<std::int64_t, SimTime>{0, SimTime::from_us(2500)});
  CHECK(arrivals[1] == std::pair<std::int64_t, SimTime>{1, SimTime::from_us(6500)});
  // Observers see the transmissions as they really happened.
  CHECK(starts == std::vector<SimTime>{SimTime::zero(), SimTime::from_us(1500)});
  CHECK(ends == std::vector<SimTime>{SimTime::from_us(1500), SimTime::from_us(3500)});
  CHECK(network.link_spec(one.forward()).latency == SimTime::from_ms(3));
  // The other direction is its own link and keeps its spec.
  CHECK(network.link_spec(network.link_index(AgentId{1}, AgentId{0})).latency == SimTime::from_ms(1));
}

TEST_CASE("a faster FIFO link brings the message being sent and the queued ones forward") {
  Simulation sim(1);
  OneChangeableLink one(sim);
  std::vector<SimTime> arrivals;
  one.network.set_delivery_handler([&](Message&&) { arrivals.push_back(sim.now()); });
  sim.schedule_at(SimTime::zero(), [&] {
    for (int i = 0; i < 3; ++i) one.network.send(make_message(0, 1, 1000, i));
  });
  // At 0.25 ms, 2000 of the first message's 8000 bits are out; at 32 Mbit/s the other 6000
  // take 187.5 us (ending at 437.5 us); the next two take 250 us each.
  sim.schedule_at(SimTime::from_us(250), [&] {
    one.network.change_link(one.forward(), LinkChange{std::nullopt, Bandwidth::from_bits_per_second(32'000'000)});
  });
  sim.run();
  CHECK(arrivals == std::vector<SimTime>{SimTime::from_ns(1'437'500), SimTime::from_ns(1'687'500),
                                         SimTime::from_ns(1'937'500)});
}

TEST_CASE("after a latency cut a FIFO link still delivers in order: no message overtakes the one ahead") {
  Simulation sim(1);
  PointToPointNetwork network(sim, 2, {{AgentId{0}, AgentId{1}}},
                              LinkSpec{SimTime::from_ms(10), Bandwidth::from_bits_per_second(8'000'000)});
  network.make_changeable(network.link_index(AgentId{0}, AgentId{1}));
  std::vector<std::pair<std::int64_t, SimTime>> arrivals;
  network.set_delivery_handler([&](Message&& m) { arrivals.emplace_back(m.round, sim.now()); });
  sim.schedule_at(SimTime::zero(), [&] { network.send(make_message(0, 1, 1000, 0)); });
  sim.schedule_at(SimTime::from_ms(1), [&] {
    network.change_link(0, LinkChange{SimTime::from_ms(1), std::nullopt});
    network.send(make_message(0, 1, 1000, 1));
  });
  sim.schedule_at(SimTime::from_ms(20), [&] { network.send(make_message(0, 1, 1000, 2)); });
  sim.run();
  // Round 0 left at 1 ms with 10 ms to go: 11 ms. Round 1 left at 2 ms with the new 1 ms
  // latency, but waits behind round 0. Round 2, on an empty link: 20 + 1 + 1 ms.
  CHECK(arrivals == std::vector<std::pair<std::int64_t, SimTime>>{
                        {0, SimTime::from_ms(11)}, {1, SimTime::from_ms(11)}, {2, SimTime::from_ms(22)}});
}

namespace {

// Sends `sizes` from node 0 to 1 one after another (each when the one before arrives),
// changes the link's bandwidth to change_rates[i] at change_times[i], and returns the arrivals.
template <typename ChangeLink>
std::vector<SimTime> lone_transfers(Simulation& sim, Network& network, const std::vector<std::int64_t>& sizes,
                                    const std::vector<SimTime>& change_times,
                                    const std::vector<std::int64_t>& change_rates, ChangeLink change_link) {
  std::vector<SimTime> arrivals;
  network.set_delivery_handler([&](Message&& m) {
    arrivals.push_back(sim.now());
    const auto next = static_cast<std::size_t>(m.round) + 1;
    if (next < sizes.size()) network.send(make_message(0, 1, sizes[next], static_cast<std::int64_t>(next)));
  });
  sim.schedule_at(SimTime::zero(), [&] { network.send(make_message(0, 1, sizes[0], 0)); });
  for (std::size_t i = 0; i < change_times.size(); ++i) {
    sim.schedule_at(change_times[i], [&, i] {
      change_link(LinkChange{std::nullopt, Bandwidth::from_bits_per_second(change_rates[i])});
    });
  }
  sim.run();
  return arrivals;
}

}  // namespace

TEST_CASE("one transfer at a time through bandwidth changes takes as long on a FIFO link as on a shared link") {
  // Two implementations of the same physics for a lone flow: the FIFO link's exact integer
  // bookkeeping and the shared-link model's fluid re-solve in doubles, which rounds each
  // re-solved end up to a nanosecond: hence a tolerance of a nanosecond per change.
  Rng rng(7, 0, RngPurpose::kLoss);
  const std::vector<std::int64_t> rates{1'000'000, 3'000'000, 8'000'000, 25'000'000, 100'000'000};
  constexpr std::size_t kMessages = 20;
  constexpr std::size_t kChanges = 60;
  std::vector<SimTime> change_times;
  std::vector<std::int64_t> change_rates;
  for (std::size_t i = 0; i < kChanges; ++i) {
    change_times.push_back(SimTime::from_ns(static_cast<std::int64_t>(rng.uniform01() * 300e6)));
    change_rates.push_back(rates[static_cast<std::size_t>(rng.uniform01() * 5.0) % rates.size()]);
  }
  std::vector<std::int64_t> sizes;
  for (std::size_t i = 0; i < kMessages; ++i) sizes.push_back(1000 + static_cast<std::int64_t>(rng.uniform01() * 200e3));

  Simulation fifo_sim(1);
  OneChangeableLink fifo(fifo_sim);
  const std::vector<SimTime> fifo_arrivals =
      lone_transfers(fifo_sim, fifo.network, sizes, change_times, change_rates,
                     [&](const LinkChange& change) { fifo.network.change_link(fifo.forward(), change); });
  Simulation shared_sim(1);
  SharedLinkNetwork shared(shared_sim, 2, {SharedLinkNetwork::PhysicalLink{AgentId{0}, AgentId{1}, kLink}});
  const std::vector<SimTime> shared_arrivals =
      lone_transfers(shared_sim, shared, sizes, change_times, change_rates,
                     [&](const LinkChange& change) { shared.change_link(0, change); });

  REQUIRE(fifo_arrivals.size() == kMessages);
  REQUIRE(shared_arrivals.size() == kMessages);
  // The changes must have fallen inside transfers for the comparison to mean anything.
  CHECK(fifo_arrivals.back() > change_times[0]);
  for (std::size_t i = 0; i < kMessages; ++i) {
    CAPTURE(i);
    CHECK(std::llabs(fifo_arrivals[i].ns() - shared_arrivals[i].ns()) <= static_cast<long long>(kChanges));
  }
}

TEST_CASE("only a link made changeable before the first send can change") {
  Simulation sim(1);
  PointToPointNetwork network(sim, 3, {{AgentId{0}, AgentId{1}}, {AgentId{1}, AgentId{2}}}, kLink);
  network.make_changeable(network.link_index(AgentId{0}, AgentId{1}));
  CHECK_THROWS_AS(network.make_changeable(99), std::out_of_range);
  CHECK_THROWS_AS(network.change_link(network.link_index(AgentId{1}, AgentId{2}), kSlower), std::logic_error);
  CHECK_THROWS_AS(network.change_link(99, kSlower), std::out_of_range);
  network.set_delivery_handler([](Message&&) {});
  network.send(make_message(1, 2, 10));
  CHECK_THROWS_AS(network.make_changeable(network.link_index(AgentId{1}, AgentId{2})), std::logic_error);
  CHECK_NOTHROW(network.change_link(network.link_index(AgentId{0}, AgentId{1}), kSlower));
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
  inner->make_changeable(0);
  inner->make_changeable(1);
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
