// Synchronous consensus with a timeout on a network with faults: an agent that has not
// heard from a neighbour within algorithm.timeout mixes over what it has and gives the
// missing weight to itself.
#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "core/rng.h"
#include "sim/faulty_network.h"
#include "sim/point_to_point_network.h"
#include "sim/protocols/synchronous_consensus.h"
#include "tests/sim/protocols/quadratic_learner.h"
#include "topologies/generators.h"
#include "topologies/mixing_matrix.h"

using namespace cdsim;

TEST_CASE("with a link down for good, timeout mixing follows x <- W' x - a (x - b), W' the missing weight on self") {
  const Graph ring = ring_graph(5);
  const MixingMatrix w = build_mixing_matrix(ring, MixingSpec{});
  const std::size_t dimension = 3;
  Simulation simulation(5);
  std::vector<std::unique_ptr<LocalLearner>> learners;
  std::vector<std::vector<double>> targets;
  Rng rng(5, 0, RngPurpose::kData);
  for (std::size_t j = 0; j < 5; ++j) {
    std::vector<float> target(dimension);
    for (float& t : target) t = static_cast<float>(rng.normal());
    targets.emplace_back(target.begin(), target.end());
    learners.push_back(std::make_unique<testing::QuadraticLearner>(target));
  }
  std::vector<PointToPointNetwork::Edge> edges;
  for (const auto& [u, v] : ring.edges()) edges.emplace_back(AgentId{static_cast<std::uint32_t>(u)}, AgentId{static_cast<std::uint32_t>(v)});
  auto inner = std::make_unique<PointToPointNetwork>(
      simulation, 5, edges, LinkSpec{SimTime::from_us(100), Bandwidth::from_bits_per_second(1'000'000'000)});
  FaultyNetwork network(simulation, std::move(inner), {LinkStateChange{SimTime::zero(), AgentId{0}, AgentId{1}, false}},
                        0.0, 1);
  const std::vector<float> initial(dimension, 0.0f);
  AlgorithmSpec algorithm;
  algorithm.learning_rate = 0.1;
  algorithm.timeout = SimTime::from_ms(2);
  ComputeSpec compute_spec;
  compute_spec.step_time = SimTime::from_ms(1);
  ComputeModel compute(compute_spec, 5, 0.0, algorithm.batch_size, 1);
  std::vector<std::vector<std::vector<float>>> snapshots;
  std::vector<SimTime> times;
  const std::int64_t steps = 6;
  ProtocolContext context{simulation, network, w, learners, initial, initial.size(), algorithm, compute, steps, 1,
                          [&](const StepSnapshot& s) {
                            snapshots.emplace_back(s.parameters.begin(), s.parameters.end());
                            times.push_back(s.time);
                          }};
  SynchronousConsensus protocol(context);
  protocol.start();
  simulation.run();
  REQUIRE(protocol.completed_steps() == steps);

  // The reference: W' = W with W'[0][1] and W'[1][0] moved onto the diagonal.
  auto weight = [&](std::size_t i, std::size_t j) {
    if ((i == 0 && j == 1) || (i == 1 && j == 0)) return 0.0;
    if (i == j && (i == 0 || i == 1)) return w.weight(i, i) + w.weight(0, 1);
    return w.weight(i, j);
  };
  std::vector<std::vector<double>> x(5, std::vector<double>(dimension, 0.0));
  for (std::int64_t k = 1; k <= steps; ++k) {
    std::vector<std::vector<double>> next(5, std::vector<double>(dimension, 0.0));
    for (std::size_t i = 0; i < 5; ++i) {
      for (std::size_t d = 0; d < dimension; ++d) {
        for (std::size_t j = 0; j < 5; ++j) next[i][d] += weight(i, j) * x[j][d];
        next[i][d] -= 0.1 * (x[i][d] - targets[i][d]);
      }
    }
    x = next;
    for (std::size_t i = 0; i < 5; ++i) {
      for (std::size_t d = 0; d < dimension; ++d) {
        CHECK(snapshots[static_cast<std::size_t>(k)][i][d] == doctest::Approx(x[i][d]).epsilon(1e-5));
      }
    }
  }
  // Agents 0 and 1 wait the whole timeout every step: 2 messages lost a step.
  CHECK(network.losses().messages_lost_link_down == 2 * steps);
  CHECK(protocol.waiting().timeouts == 2 * steps);
  CHECK(times.back() >= SimTime::from_ms(3 * steps));
}
