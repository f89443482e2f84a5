// What a scenario says about the graph of agents and the weights they mix with.
// Plain values filled by the scenario loader; topologies/ turns them into a Graph and a
// MixingMatrix. Every field has the default a user gets when the scenario omits it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cdsim {

struct TopologyPhase;

struct TopologySpec {
  // One of: complete, ring, ring_lattice, path, star, grid, torus, hypercube, binary_tree,
  // erdos_renyi, random_regular, watts_strogatz, barabasi_albert, exponential,
  // edge_list, dot, graphml (static), or one_peer_exponential, random_matching, schedule
  // (time-varying: a different graph each gossip round, see topologies/mixing_schedule.h).
  std::string kind = "ring";
  std::size_t neighbors_per_side = 1;  // ring_lattice, watts_strogatz: k neighbours each side
  std::size_t rows = 0;                // grid, torus: rows (0 = as square as possible)
  double edge_probability = 0.0;       // erdos_renyi: p in [0, 1]
  std::size_t degree = 0;              // random_regular: d
  double rewire_probability = 0.0;     // watts_strogatz: beta in [0, 1]
  std::size_t attach_edges = 1;        // barabasi_albert: m edges per new vertex
  std::string file;                    // edge_list, dot, graphml: path to the graph file
  std::size_t period = 100;            // random_matching: rounds before the matchings repeat
  std::vector<TopologyPhase> phases;   // schedule: static graphs, each for some rounds
};

// One phase of a user schedule: a static topology held for `steps` gossip rounds.
struct TopologyPhase {
  TopologySpec topology;
  std::int64_t steps = 1;
};

inline bool is_time_varying_kind(const std::string& kind) {
  return kind == "one_peer_exponential" || kind == "random_matching" || kind == "schedule";
}

struct MixingSpec {
  // One of: metropolis_hastings, uniform, max_degree, ring_preset, explicit.
  std::string rule = "metropolis_hastings";
  bool lazy = false;               // use (I + W) / 2 instead of W
  double self_weight = 0.34;       // ring_preset: weight on self (paper: 0.34)
  double neighbor_weight = 0.33;   // ring_preset: weight on each neighbour (paper: 0.33)
  std::vector<std::vector<double>> matrix;  // explicit: the N x N matrix, row-major
  std::string file;                // explicit: or a file holding it
  bool allow_asymmetric = false;   // explicit: accept a non-symmetric doubly stochastic matrix
};

}  // namespace cdsim
