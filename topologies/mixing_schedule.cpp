#include "topologies/mixing_schedule.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/invalid_input.h"
#include "core/rng.h"
#include "topologies/generators.h"

namespace cdsim {
namespace {

// A matrix from rows of (column, weight) pairs, sorted and merged per row.
MixingMatrix from_rows(std::vector<std::vector<MixingMatrix::Entry>> rows) {
  std::vector<std::size_t> offsets{0};
  std::vector<MixingMatrix::Entry> entries;
  for (auto& row : rows) {
    std::sort(row.begin(), row.end(), [](const auto& a, const auto& b) { return a.column < b.column; });
    for (const MixingMatrix::Entry& e : row) {
      if (!entries.empty() && entries.size() > offsets.back() && entries.back().column == e.column) {
        entries.back().weight += e.weight;
      } else {
        entries.push_back(e);
      }
    }
    offsets.push_back(entries.size());
  }
  return MixingMatrix(rows.size(), std::move(offsets), std::move(entries));
}

Graph support(const MixingMatrix& matrix) {
  std::vector<Edge> edges;
  for (std::size_t i = 0; i < matrix.size(); ++i) {
    for (const MixingMatrix::Entry& e : matrix.row(i)) {
      if (e.column != i) edges.emplace_back(i, e.column);
    }
  }
  return Graph(matrix.size(), std::move(edges));
}

Graph union_of(const std::vector<Graph>& graphs, std::size_t n) {
  std::vector<Edge> edges;
  for (const Graph& g : graphs) edges.insert(edges.end(), g.edges().begin(), g.edges().end());
  return Graph(n, std::move(edges));
}

MixingSchedule finish(std::vector<MixingMatrix> rounds, std::string kind, std::size_t n) {
  MixingSchedule schedule;
  for (const MixingMatrix& m : rounds) schedule.graphs.push_back(support(m));
  schedule.union_graph = union_of(schedule.graphs, n);
  schedule.rounds = std::move(rounds);
  schedule.kind = std::move(kind);
  return schedule;
}

std::size_t wrap(std::int64_t round, std::size_t period) {
  const auto p = static_cast<std::int64_t>(period);
  return static_cast<std::size_t>(((round % p) + p) % p);
}

}  // namespace

const MixingMatrix& MixingSchedule::at(std::int64_t round) const { return rounds[wrap(round, rounds.size())]; }
const Graph& MixingSchedule::graph_at(std::int64_t round) const { return graphs[wrap(round, graphs.size())]; }

MixingSchedule one_peer_exponential_schedule(std::size_t n) {
  if (n < 2) throw InvalidInput("", "one_peer_exponential needs at least 2 agents");
  const std::size_t period = one_peer_exponential_period(n);
  std::vector<MixingMatrix> rounds;
  for (std::size_t k = 0; k < period; ++k) {
    const std::size_t offset = std::size_t{1} << k;
    std::vector<std::vector<MixingMatrix::Entry>> rows(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = {{i, 0.5}, {(i + n - offset) % n, 0.5}};
    rounds.push_back(from_rows(std::move(rows)));
  }
  return finish(std::move(rounds), "one_peer_exponential", n);
}

MixingSchedule random_matching_schedule(std::size_t n, std::size_t period, std::uint64_t seed) {
  if (n < 2) throw InvalidInput("", "random_matching needs at least 2 agents");
  if (period < 1) throw InvalidInput("/period", "expected a period of at least 1 round");
  std::vector<MixingMatrix> rounds;
  for (std::size_t r = 0; r < period; ++r) {
    Rng rng(seed, r, RngPurpose::kTopology);
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.uniform_index(i)]);
    std::vector<std::vector<MixingMatrix::Entry>> rows(n);
    for (std::size_t i = 0; i < n; ++i) rows[i] = {{i, 1.0}};
    for (std::size_t p = 0; p + 1 < n; p += 2) {
      const std::size_t a = order[p];
      const std::size_t b = order[p + 1];
      rows[a] = {{a, 0.5}, {b, 0.5}};
      rows[b] = {{b, 0.5}, {a, 0.5}};
    }
    rounds.push_back(from_rows(std::move(rows)));
  }
  return finish(std::move(rounds), "random_matching", n);
}

MixingSchedule phased_schedule(const std::vector<Graph>& graphs, const std::vector<MixingMatrix>& matrices,
                               const std::vector<std::int64_t>& rounds) {
  if (graphs.empty() || graphs.size() != matrices.size() || graphs.size() != rounds.size()) {
    throw std::invalid_argument("phased_schedule: one graph, matrix and round count per phase");
  }
  const std::size_t n = graphs.front().vertex_count();
  MixingSchedule schedule;
  for (std::size_t i = 0; i < graphs.size(); ++i) {
    if (rounds[i] < 1) throw InvalidInput("/phases/" + std::to_string(i) + "/steps", "expected at least 1 step");
    for (std::int64_t r = 0; r < rounds[i]; ++r) {
      schedule.rounds.push_back(matrices[i]);
      schedule.graphs.push_back(graphs[i]);
    }
  }
  schedule.union_graph = union_of(graphs, n);
  schedule.kind = "schedule";
  return schedule;
}

MixingSchedule build_mixing_schedule(const TopologySpec& spec, std::size_t agents, std::uint64_t seed,
                                     const MixingSpec& mixing) {
  if (spec.kind == "one_peer_exponential") return one_peer_exponential_schedule(agents);
  if (spec.kind == "random_matching") return random_matching_schedule(agents, spec.period, seed);
  if (spec.kind != "schedule") throw std::invalid_argument("build_mixing_schedule: '" + spec.kind + "' is static");
  const std::vector<Graph> graphs = phase_graphs(spec, agents, seed);
  std::vector<MixingMatrix> matrices;
  std::vector<std::int64_t> rounds;
  for (std::size_t i = 0; i < graphs.size(); ++i) {
    matrices.push_back(build_mixing_matrix(graphs[i], mixing));
    rounds.push_back(spec.phases[i].steps);
  }
  return phased_schedule(graphs, matrices, rounds);
}

ScheduleSpectrum analyze_schedule(const MixingSchedule& schedule, std::size_t dense_limit) {
  ScheduleSpectrum result;
  result.period = schedule.period();
  const std::size_t n = schedule.union_graph.vertex_count();
  if (n <= 1) {
    result.method = "dense";
    return result;
  }
  const double mean_weight = 1.0 / static_cast<double>(n);
  if (n <= dense_limit) {
    // A = W_{P-1} ... W_0, then the largest singular value of A - J.
    Eigen::MatrixXd product = Eigen::MatrixXd::Identity(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(n));
    for (const MixingMatrix& w : schedule.rounds) {
      const Eigen::MatrixXd dense = Eigen::MatrixXd(w.to_eigen());
      product = dense * product;
    }
    const Eigen::MatrixXd centered = (product.array() - mean_weight).matrix();
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(centered);
    result.period_contraction = svd.singularValues()(0);
    result.method = "dense";
  } else {
    // Power iteration on (A - J)^T (A - J) = A^T A - J over vectors orthogonal to 1.
    std::vector<double> x(n);
    std::vector<double> y(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = std::cos(1.0 + 2.0 * static_cast<double>(i));
    double estimate = 0.0;
    for (int iteration = 0; iteration < 300; ++iteration) {
      const double mean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
      double norm = 0.0;
      for (double& v : x) {
        v -= mean;
        norm += v * v;
      }
      norm = std::sqrt(norm);
      if (norm == 0.0) break;
      for (double& v : x) v /= norm;
      for (const MixingMatrix& w : schedule.rounds) {
        w.multiply(x, y);
        x.swap(y);
      }
      for (auto it = schedule.rounds.rbegin(); it != schedule.rounds.rend(); ++it) {
        it->multiply_transposed(x, y);
        x.swap(y);
      }
      const double mean_after = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
      double rayleigh = 0.0;
      for (double v : x) rayleigh += (v - mean_after) * (v - mean_after);
      estimate = std::sqrt(std::sqrt(rayleigh));  // ||M^T M x|| ~ sigma^2
    }
    result.period_contraction = estimate;
    result.method = "power";
  }
  result.per_round_contraction =
      std::pow(result.period_contraction, 1.0 / static_cast<double>(std::max<std::size_t>(1, result.period)));
  return result;
}

}  // namespace cdsim
