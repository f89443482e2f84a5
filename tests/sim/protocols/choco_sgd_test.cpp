#include "sim/protocols/choco_sgd.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "sim/protocols/synchronous_consensus.h"
#include "tests/sim/protocols/baseline_fixture.h"
#include "tests/sim/protocols/top_k_reference.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::top_k_reference;
using testing::Vector;

namespace {

const LinkSpec kFastLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};

AlgorithmSpec choco(double learning_rate, double gamma, const std::string& compressor, std::size_t count = 0,
                    std::uint32_t levels = 0) {
  AlgorithmSpec algorithm;
  algorithm.kind = "choco_sgd";
  algorithm.learning_rate = learning_rate;
  algorithm.consensus_step_size = gamma;
  algorithm.compression.kind = compressor;
  algorithm.compression.count = count;
  algorithm.compression.levels = levels;
  return algorithm;
}

// CHOCO-SGD's recurrence in double, from x(0) = the fixture's start and x_hat(0) = 0:
//   q_j = top_k(x_j - x_hat_j);  x_hat_j += q_j;
//   x_j <- x_j + gamma sum_l W_jl (x_hat_l - x_hat_j) - alpha (x_j - b_j),
// checked against every observed step.
void check_choco_recurrence(const BaselineFixture& f, std::int64_t steps, double alpha, double gamma, std::size_t k,
                            double tolerance) {
  const std::size_t n = f.agents(), d = f.dimension();
  std::vector<Vector> x(n, Vector(f.initial.begin(), f.initial.end()));
  std::vector<Vector> x_hat(n, Vector(d, 0.0));
  for (std::int64_t step = 1; step <= steps; ++step) {
    for (std::size_t j = 0; j < n; ++j) {
      Vector difference(d);
      for (std::size_t i = 0; i < d; ++i) difference[i] = x[j][i] - x_hat[j][i];
      const Vector q = top_k_reference(difference, k);
      for (std::size_t i = 0; i < d; ++i) x_hat[j][i] += q[i];
    }
    std::vector<Vector> next = x;
    for (std::size_t j = 0; j < n; ++j) {
      for (const auto& entry : f.mixing.row(j)) {
        for (std::size_t i = 0; i < d; ++i) next[j][i] += gamma * entry.weight * (x_hat[entry.column][i] - x_hat[j][i]);
      }
      for (std::size_t i = 0; i < d; ++i) next[j][i] -= alpha * (x[j][i] - f.targets[j][i]);
    }
    x = next;
    const auto& observed = f.snapshots.at(static_cast<std::size_t>(step));
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < d; ++i) CHECK(observed[j][i] == doctest::Approx(x[j][i]).epsilon(tolerance).scale(1.0));
    }
  }
}

}  // namespace

TEST_CASE("CHOCO-SGD with the identity compressor and gamma = 1 is CDSGD, bit for bit") {
  // Quadratic agents whose parameters cross zero and shrink by orders of magnitude, where
  // x_hat + (x - x_hat) would round away from x; a schedule and an irregular graph so that
  // weights and step sizes are not short binary fractions.
  for (const bool overlap : {false, true}) {
    CAPTURE(overlap);
    AlgorithmSpec cdsgd;
    cdsgd.learning_rate = 0.37;
    cdsgd.overlap_communication = overlap;
    cdsgd.schedule.kind = "inverse_sqrt";
    AlgorithmSpec choco_spec = choco(0.37, 1.0, "identity");
    choco_spec.overlap_communication = overlap;
    choco_spec.schedule = cdsgd.schedule;
    std::vector<Edge> edges = ring_graph(7).edges();
    edges.push_back({0, 3});
    const Graph graph(7, edges);
    BaselineFixture choco_run(choco_spec, graph, 5, kFastLink);
    choco_run.run<ChocoSgd>(ComputeSpec{}, 60);
    BaselineFixture cdsgd_run(cdsgd, graph, 5, kFastLink);
    cdsgd_run.run<SynchronousConsensus>(ComputeSpec{}, 60);
    REQUIRE(choco_run.snapshots.size() == 61);
    CHECK(choco_run.snapshots == cdsgd_run.snapshots);
    CHECK(choco_run.times == cdsgd_run.times);  // the identity's messages are CDSGD's size
    CHECK(choco_run.network->stats().bytes_sent == cdsgd_run.network->stats().bytes_sent);
  }
}

TEST_CASE("CHOCO-SGD with top-k follows its recurrence computed directly") {
  for (double gamma : {1.0, 0.4}) {
    CAPTURE(gamma);
    BaselineFixture f(choco(0.1, gamma, "top_k", 2), ring_graph(6), 7, kFastLink);
    f.run<ChocoSgd>(ComputeSpec{}, 25);
    check_choco_recurrence(f, 25, 0.1, gamma, 2, 1e-4);
  }
}

TEST_CASE("whatever the compressor, the agents' mean follows gradient descent on the mean: x_bar <- x_bar - alpha (x_bar - b_bar)") {
  // Sum_j sum_l W_jl (x_hat_l - x_hat_j) = 0 for a symmetric W, so compression never moves the mean.
  for (const std::string kind : {"qsgd", "scaled_sign", "random_k"}) {
    CAPTURE(kind);
    AlgorithmSpec algorithm = choco(0.1, 0.3, kind);
    if (kind == "qsgd") algorithm.compression.levels = 3;
    if (kind == "random_k") algorithm.compression.count = 2;
    if (kind != "scaled_sign") algorithm.compression.unbiased = false;  // the contractive forms
    BaselineFixture f(algorithm, ring_graph(5), 6, kFastLink);
    f.run<ChocoSgd>(ComputeSpec{}, 30);
    const Vector b_bar = f.target_mean();
    Vector x_bar(f.initial.begin(), f.initial.end());
    for (std::int64_t step = 1; step <= 30; ++step) {
      for (std::size_t i = 0; i < x_bar.size(); ++i) x_bar[i] -= 0.1 * (x_bar[i] - b_bar[i]);
      for (std::size_t i = 0; i < x_bar.size(); ++i) {
        double mean = 0.0;
        for (const auto& agent : f.snapshots[static_cast<std::size_t>(step)]) mean += agent[i] / 5.0;
        CHECK(mean == doctest::Approx(x_bar[i]).epsilon(1e-4).scale(1.0));
      }
    }
  }
}

TEST_CASE("CHOCO-SGD with 4-bit QSGD converges to its fixed point (alpha I - gamma (W - I)) x = alpha b") {
  // At the fixed point x_hat = x (q -> 0 as x - x_hat -> 0), so x = x + gamma (W - I) x - alpha (x - b):
  // coordinate by coordinate, a linear system over the agents, solved here with Eigen.
  const double alpha = 0.05, gamma = 0.2;
  AlgorithmSpec algorithm = choco(alpha, gamma, "qsgd", 0, 7);
  algorithm.compression.unbiased = false;
  BaselineFixture f(algorithm, ring_graph(6), 8, kFastLink);
  f.run<ChocoSgd>(ComputeSpec{}, 800, 800);
  const std::size_t n = f.agents();
  Eigen::MatrixXd system = (alpha + gamma) * Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
  for (std::size_t j = 0; j < n; ++j) {
    for (const auto& entry : f.mixing.row(j)) system(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(entry.column)) -= gamma * entry.weight;
  }
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(system);
  for (std::size_t i = 0; i < f.dimension(); ++i) {
    Eigen::VectorXd b(static_cast<Eigen::Index>(n));
    for (std::size_t j = 0; j < n; ++j) b[static_cast<Eigen::Index>(j)] = alpha * f.targets[j][i];
    const Eigen::VectorXd fixed_point = lu.solve(b);
    for (std::size_t j = 0; j < n; ++j) {
      CHECK(f.snapshots.back()[j][i] == doctest::Approx(fixed_point[static_cast<Eigen::Index>(j)]).epsilon(1e-4).scale(1.0));
    }
  }
}

TEST_CASE("every CHOCO message has the compressed encoding's size, and links carry it at that size") {
  const std::size_t d = 40;
  BaselineFixture f(choco(0.1, 0.5, "scaled_sign"), ring_graph(5),
                    d, LinkSpec{SimTime::from_us(700), Bandwidth::from_bits_per_second(10'000'000)});
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(3);
  f.run<ChocoSgd>(compute, 9);
  // Header 24; compressed field: tag, length, then dimension 5, codes 1 + 1 + 5, bits_per_code 5, scale 5.
  const std::int64_t message_bytes = 24 + 1 + 1 + 5 + (1 + 1 + d / 8) + 5 + 5;
  const std::uint64_t messages = 9 * 2 * f.graph.edge_count();
  CHECK(f.network->stats().messages_sent == messages);
  CHECK(f.network->stats().bytes_sent.bytes() == static_cast<std::int64_t>(messages) * message_bytes);
  const std::int64_t transmission_ns = (message_bytes * 8 * 1'000'000'000 + 10'000'000 - 1) / 10'000'000;
  for (std::int64_t k = 0; k <= 9; ++k) CHECK(f.times[static_cast<std::size_t>(k)].ns() == k * (3'000'000 + 700'000 + transmission_ns));
}

TEST_CASE("CHOCO-SGD runs are a function of the seed") {
  auto run = [](std::uint64_t seed) {
    BaselineFixture f(choco(0.1, 0.5, "qsgd", 0, 2), ring_graph(5), 6, kFastLink, seed);
    f.run<ChocoSgd>(ComputeSpec{}, 10);
    return f.snapshots;
  };
  CHECK(run(3) == run(3));
  CHECK(run(3) != run(4));
}

TEST_CASE("CHOCO-SGD settings that make no sense name the field") {
  CHECK(testing::rejected_field<ChocoSgd>(choco(0.1, 0.0, "identity")) == "/consensus_step_size");
  CHECK(testing::rejected_field<ChocoSgd>(choco(0.1, 1.5, "identity")) == "/consensus_step_size");
  CHECK(testing::rejected_field<ChocoSgd>(choco(0.1, 0.5, "top_k")) == "/compression/count");
  CHECK(testing::rejected_field<ChocoSgd>(choco(0.1, 0.5, "zip")) == "/compression/kind");
  CHECK(testing::rejected_field<ChocoSgd>(choco(0.1, 0.5, "qsgd", 0, 4)) == "no error");
}
