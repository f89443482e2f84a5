// A test bench for the baseline protocols: N quadratic learners with seeded random targets
// b_j (agent j minimizes 0.5 ||x - b_j||^2) and a seeded random common start, on the nodes
// and links protocol_links gives the algorithm, all links alike. Runs one protocol and
// keeps every observed snapshot, with double-precision helpers for the reference recurrences.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "core/invalid_input.h"
#include "core/rng.h"
#include "sim/point_to_point_network.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/wire_size.h"
#include "tests/sim/protocols/quadratic_learner.h"
#include "topologies/generators.h"
#include "topologies/mixing_matrix.h"

namespace cdsim::testing {

using Vector = std::vector<double>;

struct BaselineFixture {
  BaselineFixture(AlgorithmSpec algorithm_spec, Graph g, std::size_t dimension, LinkSpec link,
                  std::uint64_t seed = 7)
      : algorithm(std::move(algorithm_spec)),
        graph(std::move(g)),
        mixing(build_mixing_matrix(graph, MixingSpec{})),
        simulation(seed) {
    Rng rng(seed, 0, RngPurpose::kData);
    for (std::size_t j = 0; j < graph.vertex_count(); ++j) {
      std::vector<float> target(dimension);
      for (float& t : target) t = static_cast<float>(rng.normal());
      targets.emplace_back(target.begin(), target.end());
      learners.push_back(std::make_unique<QuadraticLearner>(target));
    }
    for (std::size_t i = 0; i < dimension; ++i) initial.push_back(static_cast<float>(rng.normal()));
    wire_parameters = dimension;
    const ProtocolLinks links = protocol_links(algorithm, graph);
    network = std::make_unique<PointToPointNetwork>(simulation, links.node_count, links.edges, link);
  }

  std::size_t agents() const { return graph.vertex_count(); }
  std::size_t dimension() const { return wire_parameters; }

  // Gives agent j a shard of `samples` samples (the quadratic ignores the data itself).
  void set_shard_sizes(const std::vector<std::size_t>& samples) {
    learners.clear();
    for (std::size_t j = 0; j < agents(); ++j) {
      learners.push_back(std::make_unique<QuadraticLearner>(std::vector<float>(targets[j].begin(), targets[j].end()),
                                                            samples[j]));
    }
  }

  // Turns the bench into a communication-only replay of the same model size: empty vectors,
  // learners without math (ReplayLearner), messages still sized for dimension() values.
  void make_replay() {
    learners.clear();
    for (std::size_t j = 0; j < agents(); ++j) learners.push_back(std::make_unique<ReplayLearner>(algorithm.batch_size));
    initial.clear();
  }

  // Builds protocol P (make_protocol's choice when P is Protocol) for `steps` steps,
  // observing every `observe_every`-th, and starts it without running the simulation.
  template <typename P = Protocol>
  std::unique_ptr<P> start(const ComputeSpec& compute_spec, std::int64_t steps, std::int64_t observe_every = 1) {
    compute.emplace(compute_spec, agents(), 0.0, algorithm.batch_size, 1);
    ProtocolContext context{.simulation = simulation,
                            .network = *network,
                            .mixing = mixing,
                            .learners = learners,
                            .initial_parameters = initial,
                            .wire_parameters = wire_parameters,
                            .algorithm = algorithm,
                            .compute = *compute,
                            .total_steps = steps,
                            .observe_every_steps = observe_every,
                            .observer = [this](const StepSnapshot& s) {
                              observed_steps.push_back(s.step);
                              times.push_back(s.time);
                              snapshots.emplace_back(s.parameters.begin(), s.parameters.end());
                              client_snapshots.emplace_back(s.client_parameters.begin(), s.client_parameters.end());
                            },
                            .observe_every_time = observe_every_time,
                            .on_step_complete = [this](std::int64_t step) { completed.push_back(step); },
                            .schedule = schedule,
                            .workers = workers};
    std::unique_ptr<P> protocol;
    if constexpr (std::is_same_v<P, Protocol>) {
      protocol = make_protocol(std::move(context));
    } else {
      protocol = std::make_unique<P>(std::move(context));
    }
    protocol->start();
    return protocol;
  }

  // start(), then runs the simulation to its end and checks every step was completed.
  template <typename P = Protocol>
  std::unique_ptr<P> run(const ComputeSpec& compute_spec, std::int64_t steps, std::int64_t observe_every = 1) {
    std::unique_ptr<P> protocol = start<P>(compute_spec, steps, observe_every);
    simulation.run();
    REQUIRE(protocol->completed_steps() == steps);
    return protocol;
  }

  // The mean of the targets: the optimum of the sum of the agents' objectives.
  Vector target_mean() const {
    Vector mean(dimension(), 0.0);
    for (const Vector& b : targets) {
      for (std::size_t i = 0; i < b.size(); ++i) mean[i] += b[i] / static_cast<double>(agents());
    }
    return mean;
  }

  AlgorithmSpec algorithm;
  Graph graph;
  MixingMatrix mixing;
  Simulation simulation;
  std::unique_ptr<PointToPointNetwork> network;
  std::vector<std::unique_ptr<LocalLearner>> learners;
  std::vector<Vector> targets;
  std::vector<float> initial;
  std::size_t wire_parameters = 0;  // the model size messages are sized for
  std::optional<ComputeModel> compute;
  SimTime observe_every_time = SimTime::zero();  // > 0: also observe by simulated time
  WorkerPool* workers = nullptr;                  // where the agents' math runs; null: inline
  const MixingSchedule* schedule = nullptr;       // a time-varying topology, for the protocols that take one
  std::vector<std::int64_t> completed;           // every step, as the protocol reports it complete
  std::vector<std::int64_t> observed_steps;
  std::vector<SimTime> times;
  std::vector<std::vector<std::vector<float>>> snapshots;
  std::vector<std::vector<std::vector<float>>> client_snapshots;  // FedAvg's pre-average models, by observation
};

// The field named by the InvalidInput that protocol P throws for `algorithm` on a ring of
// three agents, or "no error".
template <typename P>
std::string rejected_field(const AlgorithmSpec& algorithm) {
  try {
    BaselineFixture f(algorithm, ring_graph(3), 2, LinkSpec{SimTime::from_us(1), Bandwidth::from_bits_per_second(1'000'000)});
    f.run<P>(ComputeSpec{}, 1);
  } catch (const InvalidInput& error) {
    return error.field();
  }
  return "no error";
}

// Every agent's vector in `actual` equals `expected`, relatively within `tolerance`.
inline void check_all_close(const std::vector<std::vector<float>>& actual, const Vector& expected, double tolerance) {
  for (const std::vector<float>& x : actual) {
    REQUIRE(x.size() == expected.size());
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(x[i] == doctest::Approx(expected[i]).epsilon(tolerance).scale(1.0));
  }
}

// Transmission time of a message of `values` floats on a link of `bits_per_s`, rounded up.
inline std::int64_t transmission_ns(std::size_t values, std::int64_t bits_per_s) {
  const std::int64_t bytes = parameter_message_size(AgentId{0}, AgentId{1}, 0, PayloadKind::kParameters, values).bytes();
  return (bytes * 8 * 1'000'000'000 + bits_per_s - 1) / bits_per_s;
}

inline std::int64_t message_bytes(std::size_t values) {
  return parameter_message_size(AgentId{0}, AgentId{1}, 0, PayloadKind::kGradient, values).bytes();
}

}  // namespace cdsim::testing
