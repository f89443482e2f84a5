#include "sim/protocols/synchronous_consensus.h"

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include <Eigen/Dense>

#include "core/rng.h"
#include "sim/point_to_point_network.h"
#include "sim/protocols/wire_size.h"
#include "tests/sim/protocols/quadratic_learner.h"
#include "topologies/generators.h"
#include "topologies/mixing_matrix.h"
#include "topologies/spectral.h"

using namespace cdsim;

namespace {

using Vectors = std::vector<std::vector<double>>;

// Agents on `graph`, each a quadratic learner with a seeded random target, connected by
// identical links; runs a protocol and keeps every observed snapshot.
void check_close(const std::vector<std::vector<float>>& actual, const Vectors& expected, double tolerance) {
  for (std::size_t j = 0; j < expected.size(); ++j) {
    for (std::size_t i = 0; i < expected[j].size(); ++i) {
      CHECK(actual[j][i] == doctest::Approx(expected[j][i]).epsilon(tolerance).scale(1.0));
    }
  }
}

struct Fixture {
  Fixture(Graph g, std::size_t dimension, LinkSpec link, std::uint64_t seed = 7)
      : graph(std::move(g)), mixing(build_mixing_matrix(graph, MixingSpec{})), simulation(seed) {
    Rng rng(seed, 0, RngPurpose::kData);
    for (std::size_t j = 0; j < graph.vertex_count(); ++j) {
      std::vector<float> target(dimension);
      for (float& t : target) t = static_cast<float>(rng.normal());
      targets.emplace_back(target.begin(), target.end());
      learners.push_back(std::make_unique<testing::QuadraticLearner>(target));
    }
    initial.assign(dimension, 0.0f);
    std::vector<std::pair<AgentId, AgentId>> edges;
    for (const auto& [u, v] : graph.edges()) {
      edges.emplace_back(AgentId{static_cast<std::uint32_t>(u)}, AgentId{static_cast<std::uint32_t>(v)});
    }
    network = std::make_unique<PointToPointNetwork>(simulation, graph.vertex_count(), edges, link);
  }

  // Runs `steps` steps, observing every step unless `adjust` changes the context.
  void run(const AlgorithmSpec& algorithm, const ComputeSpec& compute_spec, std::int64_t steps,
           const std::function<void(ProtocolContext&)>& adjust = nullptr) {
    ComputeModel compute(compute_spec, graph.vertex_count(), 0.0, algorithm.batch_size, 1);
    ProtocolContext context{simulation, *network, mixing, learners, initial, initial.size(), algorithm, compute,
                            steps, 1, [&](const StepSnapshot& s) {
                              observed_steps.push_back(s.step);
                              times.push_back(s.time);
                              snapshots.emplace_back(s.parameters.begin(), s.parameters.end());
                            }};
    if (adjust) adjust(context);
    SynchronousConsensus protocol(context);
    protocol.start();
    simulation.run();
    REQUIRE(protocol.completed_steps() == steps);
  }

  // x <- W x applied to every agent's vector, with W the mixing matrix, in double.
  Vectors mix_reference(const Vectors& x) const {
    Vectors next(x.size(), std::vector<double>(x.front().size(), 0.0));
    for (std::size_t j = 0; j < x.size(); ++j) {
      for (const auto& entry : mixing.row(j)) {
        for (std::size_t i = 0; i < x[j].size(); ++i) next[j][i] += entry.weight * x[entry.column][i];
      }
    }
    return next;
  }

  // Checks the observed steps 1..steps against x <- mix(x) - alpha (x - b), from x = 0,
  // where `mix` applies the mixing the protocol should use (W, W^tau, ...).
  void check_cdsgd_recurrence(std::int64_t steps, double alpha, const std::function<Vectors(const Vectors&)>& mix) {
    Vectors x(targets.size(), std::vector<double>(targets.front().size(), 0.0));
    for (std::int64_t k = 1; k <= steps; ++k) {
      Vectors next = mix(x);
      for (std::size_t j = 0; j < x.size(); ++j) {
        for (std::size_t i = 0; i < x[j].size(); ++i) next[j][i] -= alpha * (x[j][i] - targets[j][i]);
      }
      x = next;
      check_close(snapshots[static_cast<std::size_t>(k)], x, 1e-4);
    }
  }

  Graph graph;
  MixingMatrix mixing;
  Simulation simulation;
  std::unique_ptr<PointToPointNetwork> network;
  std::vector<std::unique_ptr<LocalLearner>> learners;
  Vectors targets;
  std::vector<float> initial;
  std::vector<std::int64_t> observed_steps;
  std::vector<SimTime> times;
  std::vector<std::vector<std::vector<float>>> snapshots;
};

const LinkSpec kFastLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};


double disagreement(const std::vector<std::vector<float>>& x) {
  std::vector<double> mean(x.front().size(), 0.0);
  for (const auto& v : x) for (std::size_t i = 0; i < v.size(); ++i) mean[i] += v[i] / x.size();
  double total = 0.0;
  for (const auto& v : x) for (std::size_t i = 0; i < v.size(); ++i) total += (v[i] - mean[i]) * (v[i] - mean[i]);
  return total;
}

std::int64_t transmission_ns(std::size_t values, std::int64_t bits_per_s) {
  const std::int64_t bytes = parameter_message_size(AgentId{0}, AgentId{1}, 0, PayloadKind::kParameters, values).bytes();
  return (bytes * 8 * 1'000'000'000 + bits_per_s - 1) / bits_per_s;
}

}  // namespace

TEST_CASE("each synchronous step takes compute + latency + transmission time on idle links") {
  Fixture f(ring_graph(6), 8, LinkSpec{SimTime::from_us(700), Bandwidth::from_bits_per_second(10'000'000)});
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(3);
  const AlgorithmSpec cdsgd;
  f.run(cdsgd, compute, 10);
  REQUIRE(f.times.size() == 11);
  const std::int64_t step_ns = 3'000'000 + 700'000 + transmission_ns(8, 10'000'000);
  for (std::int64_t k = 0; k <= 10; ++k) CHECK(f.times[k].ns() == k * step_ns);
}

TEST_CASE("time-based evaluation observes the first step finished after each multiple of the interval") {
  Fixture f(ring_graph(4), 8, LinkSpec{SimTime::from_us(700), Bandwidth::from_bits_per_second(10'000'000)});
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(3);
  const AlgorithmSpec cdsgd;
  std::vector<std::int64_t> completed;
  f.run(cdsgd, compute, 20, [&](ProtocolContext& context) {
    context.observe_every_steps = 1000;
    context.observe_every_time = SimTime::from_ms(10);
    context.on_step_complete = [&](std::int64_t step) { completed.push_back(step); };
  });
  const std::int64_t step_ns = 3'000'000 + 700'000 + transmission_ns(8, 10'000'000);
  // Reference: step k ends at k * step_ns; observe k when it is the first to end at or after
  // the next multiple of 10 ms.
  std::vector<std::int64_t> expected = {0};
  std::int64_t next_ns = 10'000'000;
  for (std::int64_t k = 1; k <= 20; ++k) {
    const bool by_time = k * step_ns >= next_ns;
    while (next_ns <= k * step_ns) next_ns += 10'000'000;
    if (by_time || k == 20) expected.push_back(k);
  }
  CHECK(f.observed_steps == expected);
  // Progress hears of every step once, in order.
  REQUIRE(completed.size() == 20);
  for (std::int64_t k = 1; k <= 20; ++k) CHECK(completed[static_cast<std::size_t>(k - 1)] == k);
}

TEST_CASE("overlapping communication with computation makes a step cost the longer of the two") {
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(3);
  AlgorithmSpec overlap;
  overlap.overlap_communication = true;
  SUBCASE("compute-bound") {
    Fixture f(ring_graph(5), 8, LinkSpec{SimTime::from_us(700), Bandwidth::from_bits_per_second(10'000'000)});
    f.run(overlap, compute, 6);
    for (std::int64_t k = 0; k <= 6; ++k) CHECK(f.times[k].ns() == k * 3'000'000);
  }
  SUBCASE("network-bound") {
    Fixture f(ring_graph(5), 8, LinkSpec{SimTime::from_ms(5), Bandwidth::from_bits_per_second(10'000'000)});
    f.run(overlap, compute, 6);
    const std::int64_t step_ns = 5'000'000 + transmission_ns(8, 10'000'000);
    for (std::int64_t k = 0; k <= 6; ++k) CHECK(f.times[k].ns() == k * step_ns);
  }
}

TEST_CASE("every step sends one message per edge direction and mixing round, each of the schema's size") {
  Fixture f(ring_graph(5), 8, kFastLink);
  AlgorithmSpec algorithm;
  algorithm.consensus_steps = 3;
  f.run(algorithm, ComputeSpec{}, 7);
  const std::uint64_t messages = 7 * 3 * 2 * f.graph.edge_count();
  CHECK(f.network->stats().messages_sent == messages);
  CHECK(f.network->stats().messages_delivered == messages);
  const std::int64_t size = parameter_message_size(AgentId{0}, AgentId{1}, 0, PayloadKind::kParameters, 8).bytes();
  CHECK(f.network->stats().bytes_sent.bytes() == static_cast<std::int64_t>(messages) * size);
}

TEST_CASE("CDSGD over the network equals x <- W x - alpha (x - b) computed directly") {
  Fixture f(ring_graph(7), 5, kFastLink);
  AlgorithmSpec algorithm;
  algorithm.learning_rate = 0.2;
  f.run(algorithm, ComputeSpec{}, 12);
  f.check_cdsgd_recurrence(12, 0.2, [&](const Vectors& x) { return f.mix_reference(x); });
}

TEST_CASE("tau mixing rounds per step apply W^tau before the gradient step") {
  Fixture f(ring_graph(6), 4, kFastLink);
  AlgorithmSpec algorithm;
  algorithm.learning_rate = 0.1;
  algorithm.consensus_steps = 3;
  f.run(algorithm, ComputeSpec{}, 5);
  f.check_cdsgd_recurrence(5, 0.1, [&](const Vectors& x) { return f.mix_reference(f.mix_reference(f.mix_reference(x))); });
}

TEST_CASE("a consensus weight omega mixes with omega W + (1 - omega) I") {
  Fixture f(ring_graph(5), 3, kFastLink);
  AlgorithmSpec algorithm;
  algorithm.learning_rate = 0.3;
  algorithm.consensus_weight = 0.4;
  f.run(algorithm, ComputeSpec{}, 6);
  f.check_cdsgd_recurrence(6, 0.3, [&](const Vectors& x) {
    Vectors blended = f.mix_reference(x);
    for (std::size_t j = 0; j < x.size(); ++j) {
      for (std::size_t i = 0; i < x[j].size(); ++i) blended[j][i] = 0.4 * blended[j][i] + 0.6 * x[j][i];
    }
    return blended;
  });
}

TEST_CASE("CDMSGD in Keras-Nesterov form follows m <- mu m - a g, x <- W x + mu m - a g") {
  Fixture f(complete_graph(4), 3, kFastLink);
  AlgorithmSpec algorithm;
  algorithm.kind = "cdmsgd";
  algorithm.learning_rate = 0.05;
  algorithm.momentum = 0.9;
  f.run(algorithm, ComputeSpec{}, 10);
  Vectors x(4, std::vector<double>(3, 0.0)), m = x;
  for (std::size_t k = 1; k <= 10; ++k) {
    Vectors next = f.mix_reference(x);
    for (std::size_t j = 0; j < 4; ++j) {
      for (std::size_t i = 0; i < 3; ++i) {
        const double g = x[j][i] - f.targets[j][i];
        m[j][i] = 0.9 * m[j][i] - 0.05 * g;
        next[j][i] += 0.9 * m[j][i] - 0.05 * g;
      }
    }
    x = next;
    check_close(f.snapshots[k], x, 1e-4);
  }
}

TEST_CASE("CDMSGD in two-sequence form follows v' = W x - a g, x = v' + mu (v' - v)") {
  Fixture f(ring_graph(5), 3, kFastLink);
  AlgorithmSpec algorithm;
  algorithm.kind = "cdmsgd_two_sequence";
  algorithm.learning_rate = 0.05;
  algorithm.momentum = 0.8;
  f.run(algorithm, ComputeSpec{}, 10);
  Vectors x(5, std::vector<double>(3, 0.0)), v = x;
  for (std::size_t k = 1; k <= 10; ++k) {
    Vectors v_next = f.mix_reference(x);
    Vectors next = x;
    for (std::size_t j = 0; j < 5; ++j) {
      for (std::size_t i = 0; i < 3; ++i) {
        v_next[j][i] -= 0.05 * (x[j][i] - f.targets[j][i]);
        next[j][i] = v_next[j][i] + 0.8 * (v_next[j][i] - v[j][i]);
      }
    }
    v = v_next;
    x = next;
    check_close(f.snapshots[k], x, 1e-4);
  }
}

TEST_CASE("with a fixed step the average converges to the optimum and agents stay within a neighbourhood") {
  Fixture f(ring_graph(8), 4, kFastLink);
  AlgorithmSpec algorithm;
  algorithm.learning_rate = 0.05;
  f.run(algorithm, ComputeSpec{}, 600);
  const auto& final_x = f.snapshots.back();
  // The mean iterate follows x_bar <- x_bar - alpha (x_bar - b_bar) exactly (W doubly
  // stochastic, gradients linear), so it converges to b_bar.
  for (std::size_t i = 0; i < 4; ++i) {
    double target_mean = 0.0, x_mean = 0.0;
    for (std::size_t j = 0; j < 8; ++j) {
      target_mean += f.targets[j][i] / 8.0;
      x_mean += final_x[j][i] / 8.0;
    }
    CHECK(x_mean == doctest::Approx(target_mean).epsilon(1e-4));
  }
  CHECK(disagreement(final_x) > 0.0);
  CHECK(disagreement(final_x) < 0.5);
}

TEST_CASE("pure mixing shrinks disagreement by at most the contraction squared each step") {
  Fixture f(ring_graph(9), 6, kFastLink);
  const double contraction = analyze_spectrum(f.mixing).consensus_contraction;
  Vectors x = f.targets;
  for (int step = 0; step < 5; ++step) {
    const Vectors next = f.mix_reference(x);
    std::vector<std::vector<float>> as_float_before, as_float_after;
    for (std::size_t j = 0; j < 9; ++j) {
      as_float_before.emplace_back(x[j].begin(), x[j].end());
      as_float_after.emplace_back(next[j].begin(), next[j].end());
    }
    CHECK(disagreement(as_float_after) <= contraction * contraction * disagreement(as_float_before) * (1 + 1e-5));
    x = next;
  }
}

TEST_CASE("the same seed and inputs give identical parameters and times") {
  auto run_once = [] {
    Fixture f(ring_graph(7), 6, LinkSpec{SimTime::from_us(300), Bandwidth::from_bits_per_second(50'000'000)});
    AlgorithmSpec algorithm;
    algorithm.kind = "cdmsgd";
    ComputeSpec compute;
    compute.straggler_probability = 0.3;
    f.run(algorithm, compute, 20);
    std::vector<float> all;
    for (std::size_t k = 0; k < f.snapshots.size(); ++k) {
      all.push_back(static_cast<float>(f.times[k].ns()));
      for (const auto& x : f.snapshots[k]) all.insert(all.end(), x.begin(), x.end());
    }
    return all;
  };
  CHECK(run_once() == run_once());
}

namespace {

// The exact fixed point of CDSGD on the quadratics 0.5 ||x - b_j||^2 with a fixed step:
// x = W x - alpha (x - b), i.e. ((1 + alpha) I - W) x = alpha b, solved per coordinate.
Vectors cdsgd_fixed_point(const MixingMatrix& mixing, const Vectors& targets, double alpha) {
  const auto n = static_cast<Eigen::Index>(targets.size());
  Eigen::MatrixXd system = (1.0 + alpha) * Eigen::MatrixXd::Identity(n, n);
  for (std::size_t j = 0; j < targets.size(); ++j) {
    for (const auto& entry : mixing.row(j)) {
      system(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(entry.column)) -= entry.weight;
    }
  }
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(system);
  Vectors x(targets.size(), std::vector<double>(targets.front().size()));
  for (std::size_t i = 0; i < targets.front().size(); ++i) {
    Eigen::VectorXd b(n);
    for (Eigen::Index j = 0; j < n; ++j) b(j) = alpha * targets[static_cast<std::size_t>(j)][i];
    const Eigen::VectorXd solution = lu.solve(b);
    for (Eigen::Index j = 0; j < n; ++j) x[static_cast<std::size_t>(j)][i] = solution(j);
  }
  return x;
}

double disagreement(const Vectors& x) {
  std::vector<std::vector<float>> as_float;
  for (const auto& v : x) as_float.emplace_back(v.begin(), v.end());
  return disagreement(as_float);
}

}  // namespace

TEST_CASE("steady-state disagreement matches the exact fixed point and the alpha/(1 + alpha - lambda2) bound") {
  struct Topology {
    const char* name;
    Graph graph;
  };
  const Topology topologies[] = {{"ring 8", ring_graph(8)},
                                 {"ring 16", ring_graph(16)},
                                 {"complete 8", complete_graph(8)},
                                 {"torus 4x4", torus_graph(4, 4)}};
  const double alpha = 0.05;
  for (const Topology& topology : topologies) {
    CAPTURE(topology.name);
    Fixture f(topology.graph, 3, kFastLink);
    AlgorithmSpec algorithm;
    algorithm.learning_rate = alpha;
    f.run(algorithm, ComputeSpec{}, 800, [](ProtocolContext& context) { context.observe_every_steps = 800; });
    const Vectors exact = cdsgd_fixed_point(f.mixing, f.targets, alpha);
    const double simulated = disagreement(f.snapshots.back());
    CHECK(simulated == doctest::Approx(disagreement(exact)).epsilon(2e-3));
    // Every non-consensus eigen-direction of b is damped by alpha / (1 + alpha - lambda_k).
    const double lambda2 = analyze_spectrum(f.mixing).lambda2;
    const double factor = alpha / (1.0 + alpha - lambda2);
    CHECK(simulated <= factor * factor * disagreement(f.targets) * (1 + 1e-3));
  }
}

TEST_CASE("steady-state disagreement grows like alpha squared for steps small against the spectral gap") {
  // Ring of 8 with Metropolis-Hastings weights: 1 - lambda2 = 0.195, so alpha = 0.002 is small.
  auto steady = [](double alpha) {
    Fixture f(ring_graph(8), 3, kFastLink);
    AlgorithmSpec algorithm;
    algorithm.learning_rate = alpha;
    f.run(algorithm, ComputeSpec{}, 400, [](ProtocolContext& context) { context.observe_every_steps = 400; });
    return disagreement(f.snapshots.back());
  };
  // Squared distances: halving alpha divides them by (alpha/(1 + alpha - lambda_k))^2 ratios,
  // which tend to 4 as alpha -> 0 (here 3.96 for the slowest mode).
  const double ratio = steady(0.002) / steady(0.001);
  CHECK(ratio > 3.9);
  CHECK(ratio < 4.01);
}

TEST_CASE("the agents' mean converges linearly, at rate 1 - alpha, to the optimum") {
  Fixture f(ring_graph(6), 2, kFastLink);
  AlgorithmSpec algorithm;
  algorithm.learning_rate = 0.1;
  f.run(algorithm, ComputeSpec{}, 30);
  std::vector<double> optimum(2, 0.0);
  for (const auto& b : f.targets) for (std::size_t i = 0; i < 2; ++i) optimum[i] += b[i] / 6.0;
  auto error = [&](std::size_t k) {
    double e = 0.0;
    for (std::size_t i = 0; i < 2; ++i) {
      double mean = 0.0;
      for (const auto& x : f.snapshots[k]) mean += x[i] / 6.0;
      e += (mean - optimum[i]) * (mean - optimum[i]);
    }
    return std::sqrt(e);
  };
  for (std::size_t k = 1; k <= 30; ++k) CHECK(error(k) == doctest::Approx(0.9 * error(k - 1)).epsilon(1e-3));
}

TEST_CASE("with a diminishing step the agents reach consensus") {
  auto final_disagreement = [](const StepSizeSchedule& schedule) {
    Fixture f(ring_graph(8), 3, kFastLink);
    AlgorithmSpec algorithm;
    algorithm.learning_rate = 0.2;
    algorithm.schedule = schedule;
    f.run(algorithm, ComputeSpec{}, 3000, [](ProtocolContext& context) { context.observe_every_steps = 3000; });
    return disagreement(f.snapshots.back());
  };
  const double fixed = final_disagreement(StepSizeSchedule{});
  StepSizeSchedule diminishing;
  diminishing.kind = "power";
  diminishing.exponent = 1.0;  // alpha_k = 0.2 / (k + 1)
  const double shrinking = final_disagreement(diminishing);
  CHECK(fixed > 1e-3);
  // alpha_3000 is 0.2 / 3001: disagreement ~ (alpha_k / (1 - lambda2))^2 is ~1e-7 of the fixed-step one.
  CHECK(shrinking < 1e-5 * fixed);
}

TEST_CASE("on a one-peer exponential schedule step k mixes with W_k, whatever the agents' speeds") {
  const std::size_t n = 8;
  const MixingSchedule schedule = one_peer_exponential_schedule(n);
  for (const double spread : {0.0, 0.8}) {
    CAPTURE(spread);
    Fixture f(schedule.union_graph, 3, kFastLink);
    ComputeSpec compute;
    compute.step_time = SimTime::from_ms(1);
    compute.speed_spread = spread;  // agents of different speeds run rounds ahead of others
    AlgorithmSpec cdsgd;
    cdsgd.learning_rate = 0.1;
    f.run(cdsgd, compute, 9, [&](ProtocolContext& context) { context.schedule = &schedule; });
    // One message per agent per step: each agent sends only to i + 2^(k mod 3).
    CHECK(f.network->stats().messages_sent == 9 * n);
    Vectors x(n, std::vector<double>(3, 0.0));
    for (std::int64_t k = 0; k < 9; ++k) {
      Vectors next(n, std::vector<double>(3, 0.0));
      const std::size_t offset = std::size_t{1} << (k % 3);
      for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t i = 0; i < 3; ++i) {
          next[j][i] = 0.5 * x[j][i] + 0.5 * x[(j + n - offset) % n][i] - 0.1 * (x[j][i] - f.targets[j][i]);
        }
      }
      x = next;
      check_close(f.snapshots[static_cast<std::size_t>(k + 1)], x, 1e-5);
    }
  }
}
