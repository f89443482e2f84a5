#include "sim/point_to_point_network.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/simulation.h"
#include "tests/sim/test_messages.h"

using cdsim::AgentId;
using cdsim::Bandwidth;
using cdsim::ByteCount;
using cdsim::LinkSpec;
using cdsim::Message;
using cdsim::PointToPointNetwork;
using cdsim::Simulation;
using cdsim::SimTime;
using cdsim::testing::make_message;

namespace {

// Independent truth for the transmission time: ceil(bytes * 8e9 / bits_per_second) ns.
std::int64_t expected_transmission_ns(std::int64_t bytes, std::int64_t bits_per_second) {
  const std::int64_t bit_ns = bytes * 8 * 1'000'000'000;  // small sizes only: fits in 64 bits
  return bit_ns / bits_per_second + (bit_ns % bits_per_second != 0 ? 1 : 0);
}

// A delivered message with the time it arrived.
struct Arrival {
  std::uint32_t from;
  std::uint32_t to;
  std::int64_t round;
  std::int64_t time_ns;
};

// A simulation with a network on `edges` and a handler recording every arrival.
struct Fixture {
  Fixture(std::size_t nodes, const std::vector<PointToPointNetwork::Edge>& edges, LinkSpec spec)
      : network(sim, nodes, edges, spec) {
    network.set_delivery_handler([this](Message&& m) {
      arrivals.push_back(Arrival{m.from.value, m.to.value, m.round, sim.now().ns()});
      last_payload = m.payload;
    });
  }
  Simulation sim{1};
  PointToPointNetwork network;
  std::vector<Arrival> arrivals;
  std::shared_ptr<const std::vector<float>> last_payload;
};

const LinkSpec kSpec{SimTime::from_us(50), Bandwidth::from_bits_per_second(3'000'000)};  // 3 Mbps: uneven divisions
const std::vector<PointToPointNetwork::Edge> kPath{{AgentId{0}, AgentId{1}}, {AgentId{1}, AgentId{2}}};

}  // namespace

TEST_CASE("a message arrives after its exact transmission time, rounded up, plus the latency") {
  for (const std::int64_t bytes : {0LL, 1LL, 1000LL, 12'345LL, 400'000LL}) {
    Fixture f(3, kPath, kSpec);
    f.network.send(make_message(0, 1, bytes));
    f.sim.run();
    REQUIRE(f.arrivals.size() == 1);
    CHECK(f.arrivals[0].time_ns == 50'000 + expected_transmission_ns(bytes, 3'000'000));
  }
  // 1 byte at 3 bps: 8/3 s = 2666666666.67 ns, rounded up.
  Fixture slow(2, {{AgentId{0}, AgentId{1}}}, LinkSpec{SimTime::zero(), Bandwidth::from_bits_per_second(3)});
  slow.network.send(make_message(0, 1, 1));
  slow.sim.run();
  CHECK(slow.arrivals.at(0).time_ns == 2'666'666'667);
}

TEST_CASE("messages queue on a busy link and leave it one transmission time apart, in order") {
  Fixture f(3, kPath, kSpec);
  const std::int64_t tx = expected_transmission_ns(10'000, 3'000'000);
  f.network.send(make_message(0, 1, 10'000, 1));
  f.network.send(make_message(0, 1, 10'000, 2));
  // A third one sent while the link is still busy with the second.
  f.sim.schedule_at(SimTime::from_ns(tx + 10), [&f] { f.network.send(make_message(0, 1, 10'000, 3)); });
  f.sim.run();
  REQUIRE(f.arrivals.size() == 3);
  CHECK(f.arrivals[0].round == 1);
  CHECK(f.arrivals[1].round == 2);
  CHECK(f.arrivals[2].round == 3);
  CHECK(f.arrivals[0].time_ns == tx + 50'000);
  CHECK(f.arrivals[1].time_ns == f.arrivals[0].time_ns + tx);
  CHECK(f.arrivals[2].time_ns == f.arrivals[1].time_ns + tx);
}

TEST_CASE("a link that has gone idle starts the next message at its send time") {
  Fixture f(3, kPath, kSpec);
  const std::int64_t tx = expected_transmission_ns(1000, 3'000'000);
  f.network.send(make_message(0, 1, 1000));
  f.sim.schedule_at(SimTime::from_ms(500), [&f] { f.network.send(make_message(0, 1, 1000)); });
  f.sim.run();
  REQUIRE(f.arrivals.size() == 2);
  CHECK(f.arrivals[1].time_ns == 500'000'000 + tx + 50'000);
}

TEST_CASE("the two directions of a link and links of the same node are independent") {
  Fixture f(3, kPath, kSpec);
  const std::int64_t arrival = 50'000 + expected_transmission_ns(20'000, 3'000'000);
  f.network.send(make_message(0, 1, 20'000));
  f.network.send(make_message(1, 0, 20'000));
  f.network.send(make_message(1, 2, 20'000));
  f.sim.run();
  REQUIRE(f.arrivals.size() == 3);
  for (const Arrival& a : f.arrivals) CHECK(a.time_ns == arrival);
}

TEST_CASE("stats count bytes and messages sent, delivered and per sender") {
  Fixture f(3, kPath, kSpec);
  f.network.send(make_message(0, 1, 100));
  f.network.send(make_message(1, 2, 250));
  f.network.send(make_message(1, 0, 50));
  CHECK(f.network.stats().messages_sent == 3);
  CHECK(f.network.stats().bytes_sent == ByteCount{400});
  CHECK(f.network.stats().messages_delivered == 0);
  CHECK(f.network.bytes_sent_by(AgentId{0}) == ByteCount{100});
  CHECK(f.network.bytes_sent_by(AgentId{1}) == ByteCount{300});
  CHECK(f.network.bytes_sent_by(AgentId{2}) == ByteCount{0});
  f.sim.run();
  CHECK(f.network.stats().messages_delivered == 3);
  CHECK(f.network.stats().bytes_delivered == ByteCount{400});
}

TEST_CASE("sending between nodes without a link throws a logic error naming both") {
  Fixture f(3, kPath, kSpec);
  CHECK_THROWS_AS(f.network.send(make_message(0, 2, 10)), std::logic_error);
  CHECK_THROWS_WITH(f.network.send(make_message(0, 2, 10)), doctest::Contains("from node 0 to node 2"));
  CHECK_THROWS_AS(f.network.send(make_message(1, 1, 10)), std::logic_error);
  CHECK_THROWS_AS(f.network.send(make_message(0, 9, 10)), std::logic_error);
  CHECK(f.network.stats().messages_sent == 0);
  CHECK(f.sim.pending_events() == 0);
}

TEST_CASE("the payload snapshot is shared with the receiver, not copied") {
  Fixture f(3, kPath, kSpec);
  auto snapshot = std::make_shared<const std::vector<float>>(std::vector<float>{1.0f, 2.0f});
  Message m = make_message(0, 1, 8);
  m.payload = snapshot;
  f.network.send(std::move(m));
  f.sim.run();
  CHECK(f.last_payload.get() == snapshot.get());
}

TEST_CASE("a parameter server node can be added and wired to every agent with its own links") {
  Fixture f(3, {}, kSpec);
  const AgentId server = f.network.add_node();
  CHECK(server == AgentId{3});
  CHECK(f.network.node_count() == 4);
  const LinkSpec fast{SimTime::from_us(1), Bandwidth::from_bits_per_second(1'000'000'000)};
  for (std::uint32_t agent = 0; agent < 3; ++agent) f.network.add_link(AgentId{agent}, server, fast);
  CHECK(f.network.link_count() == 6);
  for (std::uint32_t agent = 0; agent < 3; ++agent) f.network.send(make_message(agent, 3, 125));
  f.network.send(make_message(3, 2, 125));
  f.sim.run();
  REQUIRE(f.arrivals.size() == 4);
  for (const Arrival& a : f.arrivals) CHECK(a.time_ns == 1'000 + 1'000);  // 1000 bits at 1 Gbps
  CHECK_THROWS_AS(f.network.add_link(AgentId{0}, AgentId{7}, fast), std::invalid_argument);
}

TEST_CASE("each edge can have its own latency and bandwidth") {
  Simulation sim(1);
  const std::vector<LinkSpec> specs{{SimTime::from_ms(1), Bandwidth::from_bits_per_second(8'000)},
                                    {SimTime::from_ms(3), Bandwidth::from_bits_per_second(16'000)}};
  PointToPointNetwork network(sim, 3, kPath, specs);
  std::vector<std::int64_t> arrivals;
  network.set_delivery_handler([&](Message&&) { arrivals.push_back(sim.now().ns()); });
  network.send(make_message(1, 0, 1000));  // 1 s + 1 ms
  network.send(make_message(1, 2, 1000));  // 0.5 s + 3 ms
  sim.run();
  CHECK(arrivals == std::vector<std::int64_t>{503'000'000, 1'001'000'000});
  CHECK(network.link_spec(network.link_index(AgentId{2}, AgentId{1})).latency == SimTime::from_ms(3));
  CHECK_THROWS_AS(PointToPointNetwork(sim, 3, kPath, std::vector<LinkSpec>{specs[0]}), std::invalid_argument);
}

TEST_CASE("bad edges are rejected at construction") {
  Simulation sim(1);
  using Edges = std::vector<PointToPointNetwork::Edge>;
  CHECK_THROWS_AS(PointToPointNetwork(sim, 2, Edges{{AgentId{0}, AgentId{2}}}, kSpec), std::invalid_argument);
  CHECK_THROWS_AS(PointToPointNetwork(sim, 2, Edges{{AgentId{1}, AgentId{1}}}, kSpec), std::invalid_argument);
  CHECK_THROWS_AS(PointToPointNetwork(sim, 2, Edges{{AgentId{0}, AgentId{1}}, {AgentId{1}, AgentId{0}}}, kSpec),
                  std::invalid_argument);
  CHECK_THROWS_AS(PointToPointNetwork(sim, 2, Edges{{AgentId{0}, AgentId{1}}},
                                      LinkSpec{SimTime::from_ns(-1), kSpec.bandwidth}),
                  std::invalid_argument);
}

TEST_CASE("sending without a delivery handler is a logic error") {
  Simulation sim(1);
  PointToPointNetwork network(sim, 3, kPath, kSpec);
  CHECK_THROWS_AS(network.send(make_message(0, 1, 10)), std::logic_error);
  CHECK(sim.pending_events() == 0);
}

TEST_CASE("observers see the send, the transmission start on the right link and the delivery") {
  Fixture f(3, kPath, kSpec);
  std::vector<std::string> log;
  cdsim::NetworkObserver observer;
  observer.on_send = [&](const Message& m, SimTime t) {
    log.push_back("send " + std::to_string(m.round) + " @" + cdsim::to_string(t));
  };
  observer.on_transmission_start = [&](const Message& m, SimTime t, std::size_t link) {
    const cdsim::LinkEndpoints ends = f.network.link_endpoints(link);
    log.push_back("start " + std::to_string(m.round) + " @" + cdsim::to_string(t) + " on " +
                  std::to_string(ends.from.value) + "->" + std::to_string(ends.to.value));
  };
  observer.on_delivered = [&](const Message& m, SimTime t) {
    log.push_back("delivered " + std::to_string(m.round) + " @" + cdsim::to_string(t));
  };
  f.network.add_observer(observer);
  const LinkSpec spec{SimTime::from_us(10), Bandwidth::from_bits_per_second(8'000'000)};  // 1 us per byte
  Fixture g(2, {{AgentId{0}, AgentId{1}}}, spec);
  g.network.add_observer(observer);
  g.network.send(make_message(1, 0, 100, 1));
  g.network.send(make_message(1, 0, 100, 2));
  g.sim.run();
  CHECK(log == std::vector<std::string>{"send 1 @0s", "start 1 @0s on 1->0", "send 2 @0s", "start 2 @100us on 1->0",
                                        "delivered 1 @110us", "delivered 2 @210us"});
}
