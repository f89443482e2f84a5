// FedAvg and the parameter server under a round deadline (algorithm.timeout): the server
// closes the round with the answers it has, so a crashed client or worker is left out of
// the average; without a deadline its missing answer leaves the round open for ever.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "sim/protocols/federated_averaging.h"
#include "sim/protocols/parameter_server.h"
#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};

FaultSchedule crash_at_start(std::uint32_t agent) {
  FaultSchedule schedule;
  schedule.agents.push_back({SimTime::zero(), AgentId{agent}, false});
  return schedule;
}

ComputeSpec one_ms() {
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(1);
  return compute;
}

}  // namespace

TEST_CASE("a FedAvg round with a crashed client averages the others' models, weighted by their shards") {
  AlgorithmSpec algorithm;
  algorithm.kind = "fedavg";
  algorithm.batch_size = 10;
  algorithm.learning_rate = 0.2;
  algorithm.timeout = SimTime::from_ms(20);
  const std::vector<std::size_t> shards{10, 20, 30, 40};
  BaselineFixture f(algorithm, ring_graph(4), 3, kLink);
  f.set_shard_sizes(shards);
  f.inject_faults(crash_at_start(1));
  const std::int64_t rounds = 4;
  const auto protocol = f.run<FederatedAveraging>(one_ms(), rounds);

  // Clients 0, 2, 3 take n_j / 10 local steps of x <- x - 0.2 (x - b_j) from the global x;
  // the server averages them weighted by n_j; client 1 is left out.
  Vector x(f.initial.begin(), f.initial.end());
  for (std::int64_t r = 1; r <= rounds; ++r) {
    Vector next(3, 0.0);
    const double samples = 10.0 + 30.0 + 40.0;
    for (std::size_t j : {0u, 2u, 3u}) {
      Vector local = x;
      for (std::size_t step = 0; step < shards[j] / 10; ++step) {
        for (std::size_t i = 0; i < 3; ++i) local[i] -= 0.2 * (local[i] - f.targets[j][i]);
      }
      for (std::size_t i = 0; i < 3; ++i) next[i] += static_cast<double>(shards[j]) / samples * local[i];
    }
    x = next;
    testing::check_all_close(f.snapshots[static_cast<std::size_t>(r)], x, 1e-5);
    // Each round ends at its deadline: 20 ms after it began.
    CHECK(f.times[static_cast<std::size_t>(r)] == SimTime::from_ms(20 * r));
  }
  CHECK(protocol->deadline().rounds_closed_by_deadline == static_cast<std::uint64_t>(rounds));
  CHECK(protocol->deadline().missing_answers == static_cast<std::uint64_t>(rounds));
  CHECK(f.faulty->losses().messages_lost_agent_down == static_cast<std::uint64_t>(rounds));
}

TEST_CASE("a FedAvg round closed with no model keeps the global model") {
  AlgorithmSpec algorithm;
  algorithm.kind = "fedavg";
  algorithm.client_fraction = 0.5;  // one of two clients a round
  algorithm.batch_size = 1;
  algorithm.timeout = SimTime::from_ms(5);
  BaselineFixture f(algorithm, ring_graph(2), 2, kLink);
  FaultSchedule schedule = crash_at_start(0);
  schedule.agents.push_back({SimTime::zero(), AgentId{1}, false});
  f.inject_faults(schedule);
  f.run<FederatedAveraging>(one_ms(), 3);
  for (const auto& snapshot : f.snapshots) {
    testing::check_all_close(snapshot, Vector(f.initial.begin(), f.initial.end()), 1e-12);
  }
}

TEST_CASE("the parameter server with a crashed worker steps with the mean gradient of the others") {
  AlgorithmSpec algorithm;
  algorithm.kind = "sgd";
  algorithm.learning_rate = 0.3;
  algorithm.timeout = SimTime::from_ms(5);
  BaselineFixture f(algorithm, ring_graph(4), 3, kLink);
  f.inject_faults(crash_at_start(0));
  const std::int64_t steps = 5;
  const auto protocol = f.run<ParameterServer>(one_ms(), steps);
  // x <- x - 0.3 * mean over workers 1..3 of (x - b_j).
  Vector x(f.initial.begin(), f.initial.end());
  for (std::int64_t k = 1; k <= steps; ++k) {
    Vector mean(3, 0.0);
    for (std::size_t j = 1; j < 4; ++j) {
      for (std::size_t i = 0; i < 3; ++i) mean[i] += (x[i] - f.targets[j][i]) / 3.0;
    }
    for (std::size_t i = 0; i < 3; ++i) x[i] -= 0.3 * mean[i];
    const std::vector<float>& worker = f.snapshots[static_cast<std::size_t>(k)][1];
    testing::check_all_close({worker}, x, 1e-5);
  }
  CHECK(protocol->deadline().rounds_closed_by_deadline == static_cast<std::uint64_t>(steps));
  CHECK(protocol->deadline().missing_answers == static_cast<std::uint64_t>(steps));
}

TEST_CASE("without a round deadline a crashed FedAvg client leaves its round open: the events run out") {
  AlgorithmSpec algorithm;
  algorithm.kind = "fedavg";
  algorithm.batch_size = 1;
  BaselineFixture f(algorithm, ring_graph(3), 2, kLink);
  f.inject_faults(crash_at_start(2));
  const auto protocol = f.start<FederatedAveraging>(one_ms(), 3);
  f.simulation.run();
  CHECK(protocol->completed_steps() == 0);
}
