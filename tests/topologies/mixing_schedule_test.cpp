#include "topologies/mixing_schedule.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "topologies/generators.h"

using namespace cdsim;

namespace {

// The dense product W_{P-1} ... W_0 by plain loops.
std::vector<std::vector<double>> product_over_period(const MixingSchedule& schedule, std::size_t n) {
  std::vector<std::vector<double>> a(n, std::vector<double>(n, 0.0));
  for (std::size_t i = 0; i < n; ++i) a[i][i] = 1.0;
  for (const MixingMatrix& w : schedule.rounds) {
    std::vector<std::vector<double>> next(n, std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t k = 0; k < n; ++k) next[i][j] += w.weight(i, k) * a[k][j];
      }
    }
    a = next;
  }
  return a;
}

}  // namespace

TEST_CASE("one-peer exponential rounds are the graphs i ~ i + 2^(r mod log2 N) with weight 1/2 from i - 2^k") {
  const std::size_t n = 16;
  const MixingSchedule schedule = one_peer_exponential_schedule(n);
  REQUIRE(schedule.period() == 4);
  for (std::int64_t r = 0; r < 9; ++r) {
    CAPTURE(r);
    CHECK(schedule.graph_at(r) == one_peer_exponential_graph(n, r));
    const std::size_t offset = std::size_t{1} << (r % 4);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(schedule.at(r).weight(i, i) == 0.5);
      CHECK(schedule.at(r).weight(i, (i + n - offset) % n) == 0.5);
      CHECK(schedule.at(r).row(i).size() == 2);
    }
  }
  CHECK(schedule.union_graph == exponential_graph(n));
}

TEST_CASE("for N a power of two the one-peer exponential product over log2 N rounds is exactly the average") {
  for (const std::size_t n : {2u, 4u, 8u, 16u, 32u}) {
    CAPTURE(n);
    const MixingSchedule schedule = one_peer_exponential_schedule(n);
    const auto a = product_over_period(schedule, n);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) CHECK(a[i][j] == 1.0 / static_cast<double>(n));
    }
    CHECK(analyze_schedule(schedule).period_contraction < 1e-12);
  }
  // Not a power of two: no exact averaging over one period.
  const MixingSchedule six = one_peer_exponential_schedule(6);
  CHECK(six.period() == 3);
  CHECK(analyze_schedule(six).period_contraction > 0.05);
}

TEST_CASE("random matchings pair agents disjointly each round, are seeded, and contract over a period") {
  const std::size_t n = 9;
  const MixingSchedule schedule = random_matching_schedule(n, 12, 5);
  REQUIRE(schedule.period() == 12);
  for (std::size_t r = 0; r < 12; ++r) {
    const Graph& g = schedule.graphs[r];
    CHECK(g.edge_count() == n / 2);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(g.degree(i) <= 1);
      double row = 0.0;
      double column = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        row += schedule.rounds[r].weight(i, j);
        column += schedule.rounds[r].weight(j, i);
      }
      CHECK(row == 1.0);
      CHECK(column == 1.0);
    }
  }
  CHECK(random_matching_schedule(n, 12, 5).union_graph == schedule.union_graph);
  CHECK(!(random_matching_schedule(n, 12, 6).union_graph == schedule.union_graph));
  const ScheduleSpectrum dense = analyze_schedule(schedule);
  CHECK(dense.period_contraction < 1.0);
  const ScheduleSpectrum power = analyze_schedule(schedule, 0);
  CHECK(power.method == "power");
  CHECK(power.period_contraction == doctest::Approx(dense.period_contraction).epsilon(1e-6));
}

TEST_CASE("a phased schedule holds each graph for its steps and its product contracts like the powers multiplied") {
  const Graph ring = ring_graph(6);
  const Graph complete = complete_graph(6);
  MixingSpec spec;
  const MixingMatrix ring_w = build_mixing_matrix(ring, spec);
  spec.rule = "uniform";
  const MixingMatrix complete_w = build_mixing_matrix(complete, spec);
  const MixingSchedule schedule = phased_schedule({ring, complete}, {ring_w, complete_w}, {3, 1});
  REQUIRE(schedule.period() == 4);
  CHECK(schedule.graph_at(2) == ring);
  CHECK(schedule.graph_at(3) == complete);
  CHECK(schedule.graph_at(4) == ring);
  CHECK(analyze_schedule(schedule).period_contraction < 1e-12);  // J W^3 = J - J = 0 after centring
  CHECK(schedule.union_graph == complete);
}
