#include "core/push_sum.h"

#include <doctest/doctest.h>

#include <algorithm>
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

namespace {

// One step of running-sum push-sum on kArcs, without the gradient: every agent keeps its
// share and pushes the others on its out-arcs; the message on arc a arrives unless
// lost[a]. sigma, the wire values and rho are per arc; a replay of what the protocol does.
struct RunningSumNetwork {
  explicit RunningSumNetwork(const std::vector<std::vector<float>>& start)
      : x(start), w(kAgents, 1.0), sent(kArcs.size()), wire(kArcs.size(), std::vector<float>(start.front().size())),
        last(kArcs.size(), std::vector<float>(start.front().size(), 0.0f)), last_weight(kArcs.size(), 0.0),
        out_degree(kAgents, 0) {
    for (const auto& arc : kArcs) ++out_degree[arc.first];
  }
  double share(std::size_t j) const { return 1.0 / static_cast<double>(out_degree[j] + 1); }
  void step(const std::vector<bool>& lost) {
    std::vector<std::vector<float>> next = x;
    std::vector<double> next_w(kAgents);
    for (std::size_t j = 0; j < kAgents; ++j) {
      const std::vector<PushSumShare> own = {{share(j), x[j], w[j]}};
      next_w[j] = push_sum_combine(own, next[j]);
    }
    for (std::size_t a = 0; a < kArcs.size(); ++a) {
      const auto [from, to] = kArcs[a];
      running_sum_push(sent[a], share(from), x[from], w[from], wire[a]);
      if (!lost[a]) next_w[to] += running_sum_take(wire[a], sent[a].weight, last[a], last_weight[a], next[to]);
    }
    x = std::move(next);
    w = std::move(next_w);
  }
  // Sum of x over the agents and the links' sigma - rho; the same for w.
  std::pair<std::vector<double>, double> mass() const {
    std::vector<double> total(x.front().size(), 0.0);
    double total_w = 0.0;
    for (std::size_t j = 0; j < kAgents; ++j) {
      for (std::size_t i = 0; i < total.size(); ++i) total[i] += x[j][i];
      total_w += w[j];
    }
    for (std::size_t a = 0; a < kArcs.size(); ++a) total_w += running_sum_in_link(sent[a], last[a], last_weight[a], total);
    return {total, total_w};
  }
  std::vector<std::vector<float>> x;
  std::vector<double> w;
  std::vector<RunningSum> sent;
  std::vector<std::vector<float>> wire, last;
  std::vector<double> last_weight;
  std::vector<std::size_t> out_degree;
};

}  // namespace

TEST_CASE("running-sum push-sum conserves x and w, the links' unreceived sums included, whatever is lost") {
  const std::size_t d = 3;
  const std::vector<std::vector<float>> start = random_start(d);
  RunningSumNetwork net(start);
  const auto [initial, initial_w] = net.mass();
  Rng loss(4, 0, RngPurpose::kLoss);
  const int steps = 400;
  // Each combine rounds x_j to float once for its own share and once per arc taken in: at
  // most (1 + in-degree) roundings of |x_j| * 2^-24 a step, summed over the agents.
  double bound = 0.0;
  std::size_t lost_messages = 0;
  for (int k = 0; k < steps; ++k) {
    std::vector<bool> lost(kArcs.size());
    for (std::size_t a = 0; a < kArcs.size(); ++a) {
      lost[a] = loss.uniform01() < 0.3;
      lost_messages += lost[a] ? 1 : 0;
    }
    net.step(lost);
    double largest = 0.0;
    for (const auto& v : net.x) {
      for (float value : v) largest = std::max(largest, std::fabs(static_cast<double>(value)));
    }
    bound += static_cast<double>(kAgents + kArcs.size()) * largest * std::ldexp(1.0, -24);
    const auto [now, now_w] = net.mass();
    for (std::size_t i = 0; i < d; ++i) REQUIRE(std::fabs(now[i] - initial[i]) <= bound);
    REQUIRE(now_w == doctest::Approx(initial_w).epsilon(1e-12));
  }
  CHECK(lost_messages > 300);
}

TEST_CASE("running-sum push-sum reaches the true average on a directed graph with random losses; plain push-sum does not") {
  const std::size_t d = 3;
  const std::vector<std::vector<float>> start = random_start(d);
  const std::vector<double> average = true_average(start);
  RunningSumNetwork net(start);
  // Plain push-sum under the same losses: a lost share's mass is gone.
  std::vector<std::vector<float>> plain = start;
  std::vector<double> plain_w(kAgents, 1.0);
  Rng loss(5, 0, RngPurpose::kLoss);
  const int steps = 600;
  double bound = 0.0;  // the conservation bound of the test above
  for (int k = 0; k < steps; ++k) {
    std::vector<bool> lost(kArcs.size());
    for (std::size_t a = 0; a < kArcs.size(); ++a) lost[a] = loss.uniform01() < 0.3;
    net.step(lost);
    double largest = 0.0;
    for (const auto& v : net.x) {
      for (float value : v) largest = std::max(largest, std::fabs(static_cast<double>(value)));
    }
    bound += static_cast<double>(kAgents + kArcs.size()) * largest * std::ldexp(1.0, -24);
    std::vector<std::vector<float>> next(kAgents, std::vector<float>(d));
    std::vector<double> next_w(kAgents);
    for (std::size_t j = 0; j < kAgents; ++j) {
      std::vector<PushSumShare> shares = {{net.share(j), plain[j], plain_w[j]}};
      for (std::size_t a = 0; a < kArcs.size(); ++a) {
        if (kArcs[a].second == j && !lost[a]) shares.push_back({net.share(kArcs[a].first), plain[kArcs[a].first], plain_w[kArcs[a].first]});
      }
      next_w[j] = push_sum_combine(shares, next[j]);
    }
    plain = std::move(next);
    plain_w = std::move(next_w);
  }
  // Derived tolerance. With z_ref = z_0 and M = sum_j (x_j, w_j) + sum_links (B_x, B_w), the
  // links' unreceived sums, M_x / M_w - z_ref = [sum_j w_j (z_j - z_ref) + sum_links (B_x -
  // z_ref B_w)] / M_w exactly, and M_x is the start's sum within the rounding bound of the
  // test above. So each z_j is within |z_j - z_ref| + that bracket / M_w + bound / M_w of the
  // true mean (and its own rounding to float); the bracket is small once agents and links
  // agree.
  double mass_w = 0.0;
  for (std::size_t j = 0; j < kAgents; ++j) mass_w += net.w[j];
  std::vector<std::vector<double>> link_x(kArcs.size(), std::vector<double>(d, 0.0));
  std::vector<double> link_w(kArcs.size());
  for (std::size_t a = 0; a < kArcs.size(); ++a) {
    link_w[a] = running_sum_in_link(net.sent[a], net.last[a], net.last_weight[a], link_x[a]);
    mass_w += link_w[a];
  }
  double plain_gap = 0.0;
  for (std::size_t i = 0; i < d; ++i) {
    const double z_ref = static_cast<double>(net.x[0][i]) / net.w[0];
    double bracket = 0.0;
    for (std::size_t j = 0; j < kAgents; ++j) bracket += std::fabs(static_cast<double>(net.x[j][i]) - z_ref * net.w[j]);
    for (std::size_t a = 0; a < kArcs.size(); ++a) bracket += std::fabs(link_x[a][i] - z_ref * link_w[a]);
    const double off_mean = (bracket + bound) / mass_w;
    CHECK(off_mean < 1e-3);  // agents and links agree; the worst-case rounding bound dominates
    for (std::size_t j = 0; j < kAgents; ++j) {
      std::vector<float> z(d);
      push_sum_debias(net.x[j], net.w[j], z);
      const double tolerance = std::fabs(z[i] - z_ref) + off_mean + std::ldexp(std::fabs(average[i]), -23);
      CHECK(std::fabs(z[i] - average[i]) <= tolerance);
      std::vector<float> plain_z(d);
      push_sum_debias(plain[j], plain_w[j], plain_z);
      plain_gap = std::max(plain_gap, std::fabs(plain_z[i] - average[i]));
    }
  }
  CHECK(plain_gap > 1e-2);  // plain push-sum is biased by the mass it lost
}
