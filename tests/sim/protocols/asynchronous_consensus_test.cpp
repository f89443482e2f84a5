#include "sim/protocols/asynchronous_consensus.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/protocols/synchronous_consensus.h"
#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kFastLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};

AlgorithmSpec async_cdsgd(double learning_rate) {
  AlgorithmSpec algorithm;
  algorithm.kind = "async_cdsgd";
  algorithm.learning_rate = learning_rate;
  return algorithm;
}

ComputeSpec fixed_compute(std::int64_t step_ms) {
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(step_ms);
  return compute;
}

}  // namespace

TEST_CASE("asynchronous agents never wait: with identical agents every step takes exactly the compute time") {
  // Links far slower than a step: a synchronous agent would wait 10 ms each step.
  BaselineFixture f(async_cdsgd(0.1), ring_graph(6), 8, LinkSpec{SimTime::from_ms(10), Bandwidth::from_bits_per_second(1'000'000)});
  const auto protocol = f.run<AsynchronousConsensus>(fixed_compute(3), 20);
  REQUIRE(f.times.size() == 21);
  for (std::int64_t k = 0; k <= 20; ++k) CHECK(f.times[k].ns() == k * 3'000'000);
  CHECK(protocol->staleness().max >= 3);
  CHECK(f.network->stats().messages_sent == 20 * 2 * f.graph.edge_count());
}

TEST_CASE("when every vector arrives within a step, asynchronous CDSGD is synchronous CDSGD bit for bit") {
  BaselineFixture async_run(async_cdsgd(0.2), ring_graph(7), 5, kFastLink);
  const auto protocol = async_run.run<AsynchronousConsensus>(ComputeSpec{}, 15);
  CHECK(protocol->staleness().max == 0);
  CHECK(protocol->staleness().mean == 0.0);
  CHECK(protocol->staleness().samples == 15 * 7 * 2);

  AlgorithmSpec cdsgd = async_cdsgd(0.2);
  cdsgd.kind = "cdsgd";
  BaselineFixture sync_run(cdsgd, ring_graph(7), 5, kFastLink);
  sync_run.run<SynchronousConsensus>(ComputeSpec{}, 15);
  CHECK(async_run.snapshots == sync_run.snapshots);
}

TEST_CASE("with links slower than one step and faster than two, every neighbour's vector is one step old") {
  // Compute 2 ms, delay 3 ms + 464 ns: the mix ending step k (at 2(k+1) ms) has x_l(k-1).
  const std::size_t n = 5, dimension = 4, steps = 12;
  const double alpha = 0.1;
  BaselineFixture f(async_cdsgd(alpha), ring_graph(n), dimension, LinkSpec{SimTime::from_ms(3), Bandwidth::from_bits_per_second(1'000'000'000)});
  const auto protocol = f.run<AsynchronousConsensus>(fixed_compute(2), steps);
  // x_j(k+1) = Pi_jj x_j(k) + sum_{l != j} Pi_jl x_l(max(k - 1, 0)) - alpha (x_j(k) - b_j)
  std::vector<std::vector<Vector>> x{std::vector<Vector>(n, Vector(f.initial.begin(), f.initial.end()))};
  for (std::size_t k = 0; k < steps; ++k) {
    const std::vector<Vector>& now = x[k];
    const std::vector<Vector>& stale = x[k == 0 ? 0 : k - 1];
    std::vector<Vector> next(n, Vector(dimension, 0.0));
    for (std::size_t j = 0; j < n; ++j) {
      for (const auto& entry : f.mixing.row(j)) {
        const Vector& source = entry.column == j ? now[j] : stale[entry.column];
        for (std::size_t i = 0; i < dimension; ++i) next[j][i] += entry.weight * source[i];
      }
      for (std::size_t i = 0; i < dimension; ++i) next[j][i] -= alpha * (now[j][i] - f.targets[j][i]);
    }
    x.push_back(next);
  }
  for (std::size_t k = 0; k <= steps; ++k) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < dimension; ++i) {
        CHECK(f.snapshots[k][j][i] == doctest::Approx(x[k][j][i]).epsilon(1e-5).scale(1.0));
      }
    }
  }
  CHECK(protocol->staleness().max == 1);
  CHECK(protocol->staleness().mean == doctest::Approx(static_cast<double>(steps - 1) / steps));
}

TEST_CASE("a slow agent does not hold the fast ones back, and their vectors reach it stale") {
  BaselineFixture f(async_cdsgd(0.05), ring_graph(6), 3, kFastLink);
  ComputeSpec compute = fixed_compute(4);
  compute.speed_spread = 0.6;
  const auto protocol = f.start<AsynchronousConsensus>(compute, 40);
  std::int64_t fastest_ns = INT64_MAX, slowest_ns = 0;
  for (std::size_t j = 0; j < 6; ++j) {
    fastest_ns = std::min(fastest_ns, f.compute->nominal_step_time(j).ns());
    slowest_ns = std::max(slowest_ns, f.compute->nominal_step_time(j).ns());
  }
  REQUIRE(slowest_ns > 2 * fastest_ns);
  // Midway, agent j has made exactly floor(t / its step time) steps.
  const SimTime midway = SimTime::from_ns(20 * slowest_ns + slowest_ns / 2);
  f.simulation.run_until(midway);
  for (std::size_t j = 0; j < 6; ++j) {
    CHECK(protocol->steps_taken(j) == std::min<std::int64_t>(40, midway.ns() / f.compute->nominal_step_time(j).ns()));
  }
  f.simulation.run();
  REQUIRE(protocol->completed_steps() == 40);
  // Step k is complete when the slowest agent finishes it, at k times its step time.
  for (std::int64_t k = 0; k <= 40; ++k) CHECK(f.times[k].ns() == k * slowest_ns);
  REQUIRE(f.completed.size() == 40);
  for (std::int64_t k = 1; k <= 40; ++k) CHECK(f.completed[static_cast<std::size_t>(k - 1)] == k);
  CHECK(protocol->staleness().max > 1);
  CHECK(protocol->staleness().mean > 0.0);
}

TEST_CASE("asynchronous CDSGD on quadratics converges to synchronous CDSGD's fixed point, whose mean is the optimum") {
  // Staleness changes the path, not the fixed point x* = W x* - alpha (x* - b).
  ComputeSpec compute = fixed_compute(5);
  compute.speed_spread = 0.4;
  BaselineFixture async_run(async_cdsgd(0.1), ring_graph(8), 4, LinkSpec{SimTime::from_ms(7), Bandwidth::from_bits_per_second(1'000'000'000)});
  const auto protocol = async_run.run<AsynchronousConsensus>(compute, 500, 500);
  CHECK(protocol->staleness().max > 0);
  AlgorithmSpec cdsgd = async_cdsgd(0.1);
  cdsgd.kind = "cdsgd";
  BaselineFixture sync_run(cdsgd, ring_graph(8), 4, kFastLink);
  sync_run.run<SynchronousConsensus>(ComputeSpec{}, 500, 500);
  const auto& async_x = async_run.snapshots.back();
  const auto& sync_x = sync_run.snapshots.back();
  const Vector optimum = async_run.target_mean();
  for (std::size_t i = 0; i < 4; ++i) {
    double mean = 0.0;
    for (std::size_t j = 0; j < 8; ++j) {
      CHECK(async_x[j][i] == doctest::Approx(sync_x[j][i]).epsilon(1e-4).scale(1.0));
      mean += async_x[j][i] / 8.0;
    }
    CHECK(mean == doctest::Approx(optimum[i]).epsilon(1e-4).scale(1.0));
  }
}

TEST_CASE("an asynchronous run is reproducible: same seed, same parameters, times and staleness") {
  auto run_once = [] {
    BaselineFixture f(async_cdsgd(0.05), ring_graph(6), 5, LinkSpec{SimTime::from_ms(4), Bandwidth::from_bits_per_second(10'000'000)});
    ComputeSpec compute = fixed_compute(3);
    compute.speed_spread = 0.5;
    compute.straggler_probability = 0.3;
    const auto protocol = f.run<AsynchronousConsensus>(compute, 25);
    std::vector<double> all{protocol->staleness().mean, static_cast<double>(protocol->staleness().max)};
    for (std::size_t k = 0; k < f.snapshots.size(); ++k) {
      all.push_back(static_cast<double>(f.times[k].ns()));
      for (const auto& x : f.snapshots[k]) all.insert(all.end(), x.begin(), x.end());
    }
    return all;
  };
  CHECK(run_once() == run_once());
}

TEST_CASE("make_protocol runs async_cdsgd, and it rejects settings it cannot run, naming the field") {
  BaselineFixture f(async_cdsgd(0.1), ring_graph(4), 2, kFastLink);
  const auto protocol = f.run(ComputeSpec{}, 3);
  CHECK(dynamic_cast<const AsynchronousConsensus*>(protocol.get()) != nullptr);

  AlgorithmSpec tau = async_cdsgd(0.1);
  tau.consensus_steps = 2;
  CHECK(testing::rejected_field<AsynchronousConsensus>(tau) == "/consensus_steps");
  AlgorithmSpec omega = async_cdsgd(0.1);
  omega.consensus_weight = 1.5;
  CHECK(testing::rejected_field<AsynchronousConsensus>(omega) == "/consensus_weight");
  CHECK(testing::rejected_field<AsynchronousConsensus>(async_cdsgd(0.0)) == "/learning_rate");
  AlgorithmSpec cdsgd = async_cdsgd(0.1);
  cdsgd.kind = "cdsgd";
  CHECK(testing::rejected_field<AsynchronousConsensus>(cdsgd) == "/kind");
}
