#include "core/push_sum.h"

#include <doctest/doctest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "core/consensus.h"
#include "core/rng.h"

using namespace cdsim;

namespace {

// A strongly connected directed graph on 5 agents that is not balanced: the ring
// 0 -> 1 -> 2 -> 3 -> 4 -> 0 plus the chord 0 -> 2 (agent 0 has two out-neighbours, agent
// 2 two in-neighbours).
const std::vector<std::pair<std::size_t, std::size_t>> kArcs = {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 0}, {0, 2}};
constexpr std::size_t kAgents = 5;

std::vector<std::vector<float>> random_start(std::size_t dimension) {
  Rng rng(3, 0, RngPurpose::kData);
  std::vector<std::vector<float>> x(kAgents, std::vector<float>(dimension));
  for (auto& v : x) {
    for (float& value : v) value = static_cast<float>(rng.normal());
  }
  return x;
}

std::vector<double> true_average(const std::vector<std::vector<float>>& x) {
  std::vector<double> mean(x.front().size(), 0.0);
  for (const auto& v : x) {
    for (std::size_t i = 0; i < v.size(); ++i) mean[i] += v[i] / static_cast<double>(x.size());
  }
  return mean;
}

}  // namespace

TEST_CASE("push-sum reaches the true average on a directed graph where row-stochastic mixing does not") {
  const std::size_t d = 3;
  const std::vector<std::vector<float>> start = random_start(d);
  const std::vector<double> average = true_average(start);
  std::vector<std::size_t> out_degree(kAgents, 0), in_degree(kAgents, 0);
  for (const auto& [from, to] : kArcs) {
    ++out_degree[from];
    ++in_degree[to];
  }

  // Push-sum: agent l keeps and sends the share 1 / (out_degree(l) + 1) (column-stochastic).
  std::vector<std::vector<float>> x = start, next(kAgents, std::vector<float>(d));
  std::vector<double> w(kAgents, 1.0), next_w(kAgents);
  // Row-stochastic mixing: agent j averages itself and its in-neighbours equally.
  std::vector<std::vector<float>> y = start, next_y(kAgents, std::vector<float>(d));
  for (int iteration = 0; iteration < 300; ++iteration) {
    for (std::size_t j = 0; j < kAgents; ++j) {
      std::vector<PushSumShare> shares = {{1.0 / static_cast<double>(out_degree[j] + 1), x[j], w[j]}};
      std::vector<WeightedParameters> row = {{1.0 / static_cast<double>(in_degree[j] + 1), y[j]}};
      for (const auto& [from, to] : kArcs) {
        if (to != j) continue;
        shares.push_back({1.0 / static_cast<double>(out_degree[from] + 1), x[from], w[from]});
        row.push_back({1.0 / static_cast<double>(in_degree[j] + 1), y[from]});
      }
      next_w[j] = push_sum_combine(shares, next[j]);
      mix(row, next_y[j]);
    }
    std::swap(x, next);
    std::swap(w, next_w);
    std::swap(y, next_y);
  }
  double total_weight = 0.0;
  for (double weight : w) total_weight += weight;
  CHECK(total_weight == doctest::Approx(5.0).epsilon(1e-12));  // column-stochastic shares keep the mass
  double row_gap = 0.0;
  for (std::size_t j = 0; j < kAgents; ++j) {
    std::vector<float> z(d);
    push_sum_debias(x[j], w[j], z);
    for (std::size_t i = 0; i < d; ++i) {
      CHECK(z[i] == doctest::Approx(average[i]).epsilon(1e-5).scale(1.0));
      CHECK(y[j][i] == doctest::Approx(y[0][i]).epsilon(1e-5).scale(1.0));  // row mixing agrees...
      row_gap = std::max(row_gap, std::fabs(y[j][i] - average[i]));
    }
  }
  CHECK(row_gap > 0.05);  // ...on a weighted average (its Perron vector's), not the true one
}

TEST_CASE("push-sum's combine sums shares of numerators and weights; de-biasing divides") {
  const std::vector<float> a = {2.0f, -4.0f}, b = {1.0f, 1.0f};
  const std::vector<PushSumShare> shares = {{0.5, a, 1.0}, {0.25, b, 2.0}};
  std::vector<float> x(2), z(2);
  const double w = push_sum_combine(shares, x);
  CHECK(w == doctest::Approx(0.5 * 1.0 + 0.25 * 2.0));
  CHECK(x == std::vector<float>{1.25f, -1.75f});
  push_sum_debias(x, w, z);
  CHECK(z == std::vector<float>{1.25f, -1.75f});
}
