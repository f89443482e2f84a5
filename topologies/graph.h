// An undirected simple graph on vertices 0..n-1: the "who talks to whom" of the agents.
// Owns its edge list (normalized: u < v, sorted, no duplicates, no self-loops) and a
// compressed adjacency (CSR) so that neighbour lists are contiguous, sorted and cheap to
// walk in a fixed order; memory is proportional to vertices plus edges.
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace cdsim {

using Edge = std::pair<std::size_t, std::size_t>;

// The most vertices a graph read from a file or generated for a scenario may have (2^24):
// checked before anything is sized by a vertex count, and far above the million-agent
// rings the simulator is asked to run.
inline constexpr std::size_t kMaxGraphVertices = std::size_t{1} << 24;

class Graph {
 public:
  // An empty graph (no vertices).
  Graph() = default;

  // Normalizes `edges`: each edge is stored as (min, max), the list is sorted, duplicate
  // edges (in either orientation) are merged into one and self-loops (v, v) are dropped,
  // since every agent always mixes with itself through the diagonal of the mixing matrix.
  // Throws std::out_of_range if an endpoint is >= vertex_count (callers that read user
  // files check endpoints first and throw InvalidInput).
  Graph(std::size_t vertex_count, std::vector<Edge> edges);

  std::size_t vertex_count() const { return offsets_.empty() ? 0 : offsets_.size() - 1; }
  std::size_t edge_count() const { return edges_.size(); }

  // Every edge once, as (u, v) with u < v, in ascending (u, v) order.
  const std::vector<Edge>& edges() const { return edges_; }

  // Neighbours of v in ascending order; v itself is never listed.
  std::span<const std::size_t> neighbors(std::size_t v) const {
    return {adjacency_.data() + offsets_[v], offsets_[v + 1] - offsets_[v]};
  }
  std::size_t degree(std::size_t v) const { return offsets_[v + 1] - offsets_[v]; }

  // True when {u, v} is an edge (binary search in u's neighbour list).
  bool has_edge(std::size_t u, std::size_t v) const;

  friend bool operator==(const Graph& a, const Graph& b) {
    return a.vertex_count() == b.vertex_count() && a.edges_ == b.edges_;
  }

 private:
  std::vector<Edge> edges_;
  std::vector<std::size_t> offsets_;    // vertex_count + 1 entries into adjacency_
  std::vector<std::size_t> adjacency_;  // 2 * edge_count entries
};

}  // namespace cdsim
