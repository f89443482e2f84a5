#include "topologies/graph.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cdsim {

Graph::Graph(std::size_t vertex_count, std::vector<Edge> edges) : offsets_(vertex_count + 1, 0) {
  std::size_t kept = 0;
  for (Edge e : edges) {
    if (e.first >= vertex_count || e.second >= vertex_count) {
      throw std::out_of_range("edge (" + std::to_string(e.first) + ", " + std::to_string(e.second) +
                              ") has an endpoint outside 0.." + std::to_string(vertex_count) + "-1");
    }
    if (e.first == e.second) continue;
    if (e.first > e.second) std::swap(e.first, e.second);
    edges[kept++] = e;
  }
  edges.resize(kept);
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  edges_ = std::move(edges);

  // Counting sort into CSR. Edges are sorted by (u, v), so for each vertex w the
  // neighbours below w (from edges (u, w)) arrive in ascending u, and those above w (from
  // edges (w, v)) in ascending v; filling "below" first keeps every list sorted.
  for (const Edge& e : edges_) {
    ++offsets_[e.first + 1];
    ++offsets_[e.second + 1];
  }
  for (std::size_t v = 0; v < vertex_count; ++v) offsets_[v + 1] += offsets_[v];
  adjacency_.resize(2 * edges_.size());
  std::vector<std::size_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (const Edge& e : edges_) adjacency_[fill[e.second]++] = e.first;
  for (const Edge& e : edges_) adjacency_[fill[e.first]++] = e.second;
}

bool Graph::has_edge(std::size_t u, std::size_t v) const {
  const std::span<const std::size_t> list = neighbors(u);
  return std::binary_search(list.begin(), list.end(), v);
}

}  // namespace cdsim
