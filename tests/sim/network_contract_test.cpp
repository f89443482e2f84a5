// The behaviour every Network implementation shares, checked against each of them: what
// send() accepts and rejects, the counters, the observers and the delivery order.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.h"
#include "sim/point_to_point_network.h"
#include "sim/shared_link_network.h"
#include "sim/simulation.h"
#include "tests/sim/test_messages.h"

using cdsim::AgentId;
using cdsim::ByteCount;
using cdsim::Message;
using cdsim::Network;
using cdsim::Simulation;
using cdsim::SimTime;
using cdsim::testing::make_message;

namespace {

const cdsim::LinkSpec kLink{SimTime::from_us(20), cdsim::Bandwidth::from_bits_per_second(10'000'000)};

// Builds each implementation on the path 0 - 1 - 2.
struct PointToPoint {
  static std::unique_ptr<Network> make(Simulation& sim) {
    return std::make_unique<cdsim::PointToPointNetwork>(
        sim, 3, std::vector<cdsim::PointToPointNetwork::Edge>{{AgentId{0}, AgentId{1}}, {AgentId{1}, AgentId{2}}},
        kLink);
  }
};
struct SharedLinks {
  static std::unique_ptr<Network> make(Simulation& sim) {
    using Link = cdsim::SharedLinkNetwork::PhysicalLink;
    return std::make_unique<cdsim::SharedLinkNetwork>(
        sim, 3, std::vector<Link>{Link{AgentId{0}, AgentId{1}, kLink}, Link{AgentId{1}, AgentId{2}, kLink}});
  }
};

// Random traffic between neighbours of the path; returns the observers' trace.
std::vector<std::string> trace_of_random_traffic(Simulation& sim, Network& network) {
  std::vector<std::string> trace;
  cdsim::NetworkObserver observer;
  observer.on_send = [&trace](const Message& m, SimTime t) {
    trace.push_back("send " + std::to_string(m.round) + " " + cdsim::to_string(t));
  };
  observer.on_delivered = [&trace](const Message& m, SimTime t) {
    trace.push_back("delivered " + std::to_string(m.round) + " " + cdsim::to_string(t));
  };
  network.add_observer(std::move(observer));
  network.set_delivery_handler([](Message&&) {});
  cdsim::Rng rng = sim.rng(0, cdsim::RngPurpose::kSampling);
  for (std::int64_t round = 0; round < 200; ++round) {
    const auto from = static_cast<std::uint32_t>(rng.uniform_index(3));
    const std::uint32_t to = from == 1 ? 2 * static_cast<std::uint32_t>(rng.uniform_index(2)) : 1;
    Message m = make_message(from, to, static_cast<std::int64_t>(rng.uniform_index(20'000)), round);
    sim.schedule_at(SimTime::from_ns(static_cast<std::int64_t>(rng.uniform_index(100'000'000))),
                    [&network, m = std::move(m)]() mutable { network.send(std::move(m)); });
  }
  sim.run();
  return trace;
}

}  // namespace

TEST_CASE_TEMPLATE("every network delivers each message once, later than it was sent", Model, PointToPoint,
                   SharedLinks) {
  Simulation sim(1);
  std::unique_ptr<Network> network = Model::make(sim);
  CHECK(network->node_count() == 3);
  CHECK(network->link_count() == 4);
  std::vector<std::int64_t> delivered_rounds;
  network->set_delivery_handler([&](Message&& m) {
    CHECK(sim.now() >= kLink.latency);
    delivered_rounds.push_back(m.round);
  });
  network->send(make_message(0, 1, 1000, 1));
  network->send(make_message(2, 1, 2000, 2));
  network->send(make_message(1, 0, 3000, 3));
  sim.run();
  std::sort(delivered_rounds.begin(), delivered_rounds.end());
  CHECK(delivered_rounds == std::vector<std::int64_t>{1, 2, 3});
  CHECK(network->stats().messages_sent == 3);
  CHECK(network->stats().messages_delivered == 3);
  CHECK(network->stats().bytes_sent == ByteCount{6000});
  CHECK(network->stats().bytes_delivered == ByteCount{6000});
  CHECK(network->bytes_sent_by(AgentId{1}) == ByteCount{3000});
  CHECK(network->bytes_sent_by(AgentId{7}) == ByteCount{0});
}

TEST_CASE_TEMPLATE("every network rejects what it cannot carry before changing anything", Model, PointToPoint,
                   SharedLinks) {
  Simulation sim(1);
  std::unique_ptr<Network> network = Model::make(sim);
  CHECK_THROWS_AS(network->send(make_message(0, 1, 10)), std::logic_error);  // no delivery handler
  network->set_delivery_handler([](Message&&) {});
  CHECK_THROWS_AS(network->send(make_message(0, 1, -1)), std::logic_error);
  CHECK_THROWS_AS(network->send(make_message(0, 5, 10)), std::logic_error);
  CHECK_THROWS_AS(network->send(make_message(1, 1, 10)), std::logic_error);
  CHECK(network->stats().messages_sent == 0);
  CHECK(sim.pending_events() == 0);
}

TEST_CASE_TEMPLATE("every network shares the payload snapshot instead of copying it", Model, PointToPoint,
                   SharedLinks) {
  Simulation sim(1);
  std::unique_ptr<Network> network = Model::make(sim);
  auto snapshot = std::make_shared<const std::vector<float>>(100, 0.5f);
  const std::vector<float>* received = nullptr;
  network->set_delivery_handler([&](Message&& m) { received = m.payload.get(); });
  Message m = make_message(2, 1, 400);
  m.payload = snapshot;
  network->send(std::move(m));
  sim.run();
  CHECK(received == snapshot.get());
}

TEST_CASE_TEMPLATE("every network gives the same trace for the same seed", Model, PointToPoint, SharedLinks) {
  Simulation first_sim(9);
  Simulation second_sim(9);
  Simulation other_sim(10);
  std::unique_ptr<Network> first = Model::make(first_sim);
  std::unique_ptr<Network> second = Model::make(second_sim);
  std::unique_ptr<Network> other = Model::make(other_sim);
  const std::vector<std::string> trace = trace_of_random_traffic(first_sim, *first);
  CHECK(trace.size() == 400);
  CHECK(trace == trace_of_random_traffic(second_sim, *second));
  CHECK(trace != trace_of_random_traffic(other_sim, *other));
}
