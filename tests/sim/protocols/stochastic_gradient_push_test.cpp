#include "sim/protocols/stochastic_gradient_push.h"

#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <vector>

#include "tests/sim/protocols/baseline_fixture.h"
#include "topologies/mixing_schedule.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kFastLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};

AlgorithmSpec sgp(double learning_rate) {
  AlgorithmSpec algorithm;
  algorithm.kind = "sgp";
  algorithm.learning_rate = learning_rate;
  return algorithm;
}

// A directed graph on 5 agents: i hears from i - 1 (a directed ring), and agent 0 also
// hears from 2 and 3, so out-degrees are uneven (2 and 3 send to two agents) and a
// row-stochastic matrix on it is not column-stochastic. Rows as sets of in-neighbours.
const std::vector<std::set<std::size_t>> kInNeighbors = {{4, 2, 3}, {0}, {1}, {2}, {3}};

Graph directed_support_graph() {
  std::vector<Edge> edges;
  for (std::size_t i = 0; i < kInNeighbors.size(); ++i) {
    for (std::size_t l : kInNeighbors[i]) edges.push_back({i, l});
  }
  return Graph(kInNeighbors.size(), edges);
}

// Row i holds i and its in-neighbours with weight 1 / (1 + in-degree): row-stochastic, the
// matrix plain consensus would mix with on this graph.
MixingMatrix row_stochastic_matrix() {
  std::vector<std::size_t> offsets = {0};
  std::vector<MixingMatrix::Entry> entries;
  for (std::size_t i = 0; i < kInNeighbors.size(); ++i) {
    std::set<std::size_t> row = kInNeighbors[i];
    row.insert(i);
    for (std::size_t l : row) entries.push_back({l, 1.0 / static_cast<double>(row.size())});
    offsets.push_back(entries.size());
  }
  return MixingMatrix(kInNeighbors.size(), offsets, entries);
}

// SGP's recurrence in double, from x(0) = the start, w(0) = 1, z = x / w: every step
//   x_j <- x_j - alpha (z_j - b_j);  then x_i <- sum_{l in row_i} x_l / (1 + out_l),
//   w_i <- sum_{l in row_i} w_l / (1 + out_l);  z_i = x_i / w_i,
// with row_i and out_l from round k's matrix. Returns z after every step (index 0: the start).
std::vector<std::vector<Vector>> sgp_recurrence(const BaselineFixture& f, std::int64_t steps, double alpha,
                                                const MixingSchedule* schedule) {
  const std::size_t n = f.agents(), d = f.dimension();
  std::vector<Vector> x(n, Vector(f.initial.begin(), f.initial.end()));
  std::vector<double> w(n, 1.0);
  std::vector<std::vector<Vector>> z_by_step = {x};
  for (std::int64_t k = 0; k < steps; ++k) {
    const MixingMatrix& matrix = schedule != nullptr ? schedule->at(k) : f.mixing;
    std::vector<double> out_degree(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      for (const auto& entry : matrix.row(i)) {
        if (entry.column != i) out_degree[entry.column] += 1.0;
      }
    }
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t c = 0; c < d; ++c) x[j][c] -= alpha * (x[j][c] / w[j] - f.targets[j][c]);
    }
    std::vector<Vector> next_x(n, Vector(d, 0.0));
    std::vector<double> next_w(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      for (const auto& entry : matrix.row(i)) {
        const std::size_t l = entry.column;
        const double share = 1.0 / (1.0 + out_degree[l]);
        for (std::size_t c = 0; c < d; ++c) next_x[i][c] += share * x[l][c];
        next_w[i] += share * w[l];
      }
    }
    x = next_x;
    w = next_w;
    std::vector<Vector> z(n, Vector(d));
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t c = 0; c < d; ++c) z[j][c] = x[j][c] / w[j];
    }
    z_by_step.push_back(z);
  }
  return z_by_step;
}

void check_against(const BaselineFixture& f, const std::vector<std::vector<Vector>>& expected) {
  REQUIRE(f.snapshots.size() == expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    for (std::size_t j = 0; j < f.agents(); ++j) {
      for (std::size_t c = 0; c < f.dimension(); ++c) {
        CHECK(f.snapshots[k][j][c] == doctest::Approx(expected[k][j][c]).epsilon(1e-5).scale(1.0));
      }
    }
  }
}

}  // namespace

TEST_CASE("SGP on a directed graph with uneven out-degrees follows its push-sum recurrence computed directly") {
  BaselineFixture f(sgp(0.1), directed_support_graph(), 4, kFastLink);
  f.mixing = row_stochastic_matrix();
  const auto protocol = f.run<StochasticGradientPush>(ComputeSpec{}, 40);
  check_against(f, sgp_recurrence(f, 40, 0.1, nullptr));
  // Push-sum conserves the total weight: sum_j w_j = N.
  double total = 0.0;
  for (std::size_t j = 0; j < f.agents(); ++j) total += protocol->weight(j);
  CHECK(total == doctest::Approx(5.0).epsilon(1e-12));
  CHECK(protocol->weight(0) != doctest::Approx(1.0));  // agent 0 hears from three: its weight grows
}

TEST_CASE("SGP on the one-peer exponential schedule follows its recurrence, round k mixing with W_k") {
  const MixingSchedule schedule = one_peer_exponential_schedule(8);
  BaselineFixture f(sgp(0.05), schedule.union_graph, 3, kFastLink);
  f.schedule = &schedule;
  f.run<StochasticGradientPush>(ComputeSpec{}, 30);
  check_against(f, sgp_recurrence(f, 30, 0.05, &schedule));
  // One message a round per agent (one peer), each a push-sum share.
  CHECK(f.network->stats().messages_sent == 30u * 8u);
  CHECK(f.network->stats().bytes_sent.bytes() ==
        30 * 8 * push_sum_message_size(AgentId{0}, AgentId{1}, 0, 3).bytes());
}

TEST_CASE("on a directed graph SGP's agents settle around the true optimum, where row-stochastic mixing settles on a weighted one") {
  // SGP's fixed point: the combine conserves sum_j x_j, so sum_j alpha (z_j - b_j) = 0, and
  // the agents' mean of z is the mean of the b_j exactly. Consensus SGD with the
  // row-stochastic W on the same graph, x <- W x - alpha (x - b), conserves pi^T x for W's
  // left Perron vector pi instead: its mean is pi's weighted mean of the b_j, not theirs.
  const double alpha = 0.05;
  BaselineFixture f(sgp(alpha), directed_support_graph(), 3, kFastLink);
  f.mixing = row_stochastic_matrix();
  f.run<StochasticGradientPush>(ComputeSpec{}, 1500, 1500);
  const Vector b_bar = f.target_mean();
  std::vector<Vector> x(f.agents(), Vector(f.initial.begin(), f.initial.end()));
  for (int k = 0; k < 1500; ++k) {
    std::vector<Vector> next(f.agents(), Vector(f.dimension(), 0.0));
    for (std::size_t i = 0; i < f.agents(); ++i) {
      for (const auto& entry : f.mixing.row(i)) {
        for (std::size_t c = 0; c < f.dimension(); ++c) next[i][c] += entry.weight * x[entry.column][c];
      }
      for (std::size_t c = 0; c < f.dimension(); ++c) next[i][c] -= alpha * (x[i][c] - f.targets[i][c]);
    }
    x = next;
  }
  double plain_gap = 0.0;
  for (std::size_t c = 0; c < f.dimension(); ++c) {
    double sgp_mean = 0.0, plain_mean = 0.0;
    for (std::size_t j = 0; j < f.agents(); ++j) {
      sgp_mean += f.snapshots.back()[j][c] / 5.0;
      plain_mean += x[j][c] / 5.0;
    }
    CHECK(sgp_mean == doctest::Approx(b_bar[c]).epsilon(1e-4).scale(1.0));
    plain_gap = std::max(plain_gap, std::fabs(plain_mean - b_bar[c]));
  }
  CHECK(plain_gap > 0.05);
}

TEST_CASE("SGP runs are the same whatever the link speeds, and its message count is the out-degrees' sum a step") {
  auto run = [](const LinkSpec& link) {
    BaselineFixture f(sgp(0.1), directed_support_graph(), 4, link);
    f.mixing = row_stochastic_matrix();
    f.run<StochasticGradientPush>(ComputeSpec{}, 12);
    CHECK(f.network->stats().messages_sent == 12u * 7u);  // 7 directed edges
    return f.snapshots;
  };
  CHECK(run(kFastLink) == run(LinkSpec{SimTime::from_ms(3), Bandwidth::from_bits_per_second(1'000'000)}));
}

TEST_CASE("SGP with running sums and nothing lost follows the push-sum recurrence") {
  AlgorithmSpec algorithm = sgp(0.1);
  algorithm.timeout = SimTime::from_ms(1);  // running sums
  BaselineFixture f(algorithm, directed_support_graph(), 4, kFastLink);
  f.mixing = row_stochastic_matrix();
  const auto protocol = f.run<StochasticGradientPush>(ComputeSpec{}, 40);
  check_against(f, sgp_recurrence(f, 40, 0.1, nullptr));
  CHECK(protocol->total_weight() == doctest::Approx(5.0).epsilon(1e-12));
  CHECK(protocol->waiting().timeouts == 0);
}

TEST_CASE("SGP with random losses and a crash conserves the weight in agents and links and settles around the true optimum") {
  const double alpha = 0.05;
  AlgorithmSpec algorithm = sgp(alpha);
  algorithm.timeout = SimTime::from_us(500);
  BaselineFixture f(algorithm, directed_support_graph(), 3, kFastLink);
  f.mixing = row_stochastic_matrix();
  FaultSchedule faults;
  faults.loss_probability = 0.2;
  // Agent 4 is down from 20 ms to 40 ms: what agent 3 pushes to it waits in the link and
  // comes with 3's first message after it recovers. (Agent 0 stays up: it is agent 1's only
  // in-neighbour, and an agent cut off from all of its in-neighbours halves its weight every
  // step, until z = x / w runs away with the gradient steps.)
  faults.agents = {{SimTime::from_ms(20), AgentId{4}, false}, {SimTime::from_ms(40), AgentId{4}, true}};
  f.inject_faults(faults);
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(1);
  const std::int64_t steps = 1500;
  const auto protocol = f.run<StochasticGradientPush>(compute, steps, steps);
  CHECK(f.faulty->losses().messages_lost_random > 500);
  CHECK(f.faulty->losses().messages_lost_agent_down > 0);
  CHECK(protocol->waiting().timeouts > 0);
  // sum_j w_j plus the links' unreceived weight: N, whatever was lost.
  CHECK(protocol->total_weight() == doctest::Approx(5.0).epsilon(1e-9));
  // The combine conserves the mass, so at rest sum_j alpha (z_j - b_j) = 0 up to the mass in
  // the links, which is a share of at most one step's: the agents' mean of z is b_bar within
  // alpha-sized fluctuations. (Plain push-sum would drift off with every lost share.)
  const Vector b_bar = f.target_mean();
  for (std::size_t c = 0; c < f.dimension(); ++c) {
    double mean = 0.0;
    for (std::size_t j = 0; j < f.agents(); ++j) mean += f.snapshots.back()[j][c] / 5.0;
    CHECK(mean == doctest::Approx(b_bar[c]).epsilon(alpha / 2).scale(1.0));
  }
}
