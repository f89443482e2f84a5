// A time-varying topology as data: the mixing matrix of every gossip round, periodic with
// period P (round r uses matrix r mod P), and the union of the rounds' graphs (the links a
// network needs). Built for one-peer exponential graphs (Ying et al. 2021: agent i hears
// from i - 2^(r mod log2 N), W_r = (I + S_r) / 2), seeded random matchings (gossip: each
// matched pair averages), or a user's list of graphs with the rounds each holds for.
// The report covers the schedule: the contraction of the product over one period.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "topologies/graph.h"
#include "topologies/mixing_matrix.h"
#include "topologies/topology_spec.h"

namespace cdsim {

struct MixingSchedule {
  std::vector<MixingMatrix> rounds;  // one period; rounds.size() >= 1
  std::vector<Graph> graphs;         // the undirected support of each round's matrix
  Graph union_graph;                 // every edge any round uses
  std::string kind;                  // "one_peer_exponential", "random_matching", "schedule"

  std::size_t period() const { return rounds.size(); }
  const MixingMatrix& at(std::int64_t round) const;
  const Graph& graph_at(std::int64_t round) const;
};

// Round r: W_r[i][i] = W_r[i][(i - 2^k) mod n] = 1/2 with k = r mod p, p =
// one_peer_exponential_period(n): each agent sends to i + 2^k and hears from i - 2^k. For
// n a power of two the product over one period is exactly J = 11^T / n. Needs n >= 2.
MixingSchedule one_peer_exponential_schedule(std::size_t n);

// `period` rounds, each a uniformly random maximal matching of the n agents (one agent
// sits out when n is odd) drawn from Rng(seed, round, kTopology); matched agents average
// (W = 1/2 on the pair), the others keep their vector. Repeats after `period` rounds.
MixingSchedule random_matching_schedule(std::size_t n, std::size_t period, std::uint64_t seed);

// A user's schedule: phase i's graph and matrix hold for rounds[i] >= 1 consecutive rounds.
MixingSchedule phased_schedule(const std::vector<Graph>& graphs, const std::vector<MixingMatrix>& matrices,
                               const std::vector<std::int64_t>& rounds);

// The schedule a time-varying TopologySpec describes: one_peer_exponential and
// random_matching (spec.period rounds) with their fixed weights of 1/2, or "schedule":
// each phase's graph (generators.h phase_graphs) with `mixing`'s rule, held for its steps.
// Mixing errors are InvalidInput relative to the mixing section.
MixingSchedule build_mixing_schedule(const TopologySpec& spec, std::size_t agents, std::uint64_t seed,
                                     const MixingSpec& mixing);

struct ScheduleSpectrum {
  std::size_t period = 0;
  // ||(W_{P-1} ... W_1 W_0) - J||_2: the factor by which one period shrinks disagreement
  // in the worst case (0: exact averaging).
  double period_contraction = 0.0;
  double per_round_contraction = 0.0;  // period_contraction^(1/P)
  std::string method;                  // "dense" (exact SVD) or "power" (power iteration)
};

// Dense for n <= dense_limit; else power iteration on (A - J)^T (A - J), A the product.
ScheduleSpectrum analyze_schedule(const MixingSchedule& schedule, std::size_t dense_limit = 400);

}  // namespace cdsim
