#include "topologies/generators.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <span>
#include <unordered_set>

#include "core/invalid_input.h"
#include "topologies/mixing_schedule.h"
#include "topologies/graph_io.h"

namespace cdsim {
namespace {

std::string join_sizes(const std::vector<std::size_t>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out;
}

void require_probability(double p, const char* field, const char* name) {
  if (!(p >= 0.0 && p <= 1.0)) {
    throw InvalidInput(field, std::string(name) + " is " + std::to_string(p) + ", expected a value in [0, 1]");
  }
}

// Circulant graph: i ~ i + offset (mod n) for each offset.
Graph circulant_graph(std::size_t n, const std::vector<std::size_t>& offsets) {
  std::vector<Edge> edges;
  edges.reserve(n * offsets.size());
  for (std::size_t offset : offsets) {
    for (std::size_t i = 0; i < n; ++i) edges.emplace_back(i, (i + offset) % n);
  }
  return Graph(n, std::move(edges));
}

// rows and cols for grid/torus: rows == 0 picks the largest divisor of n not above sqrt(n).
std::pair<std::size_t, std::size_t> lattice_shape(std::size_t n, std::size_t rows) {
  if (rows == 0) {
    rows = 1;
    for (std::size_t r = 1; r * r <= n; ++r) {
      if (n % r == 0) rows = r;
    }
  }
  if (n % rows != 0) {
    throw InvalidInput("/rows", "rows = " + std::to_string(rows) + " does not divide the agent count " +
                                    std::to_string(n) + "; expected a divisor of it");
  }
  return {rows, n / rows};
}

std::size_t log2_exact(std::size_t n) {
  std::size_t d = 0;
  while ((std::size_t{1} << d) < n) ++d;
  return d;
}

// Adjacency sets that can change while a random generator runs.
class DynamicAdjacency {
 public:
  explicit DynamicAdjacency(std::size_t n) : n_(n) {}
  bool has(std::size_t u, std::size_t v) const { return keys_.count(key(u, v)) != 0; }
  void add(std::size_t u, std::size_t v) { keys_.insert(key(u, v)); }
  void remove(std::size_t u, std::size_t v) { keys_.erase(key(u, v)); }
  std::size_t size() const { return keys_.size(); }

 private:
  std::uint64_t key(std::size_t u, std::size_t v) const {
    if (u > v) std::swap(u, v);
    return static_cast<std::uint64_t>(u) * n_ + v;
  }
  std::size_t n_;
  std::unordered_set<std::uint64_t> keys_;
};

}  // namespace

const std::vector<const char*>& topology_kinds() {
  static const std::vector<const char*> kinds = {
      "complete",   "ring",        "ring_lattice", "path",           "star",         "grid",
      "torus",      "hypercube",   "binary_tree",  "erdos_renyi",    "random_regular",
      "watts_strogatz", "barabasi_albert", "exponential", "one_peer_exponential", "random_matching",
      "schedule",   "edge_list",   "dot",          "graphml"};
  return kinds;
}

std::vector<std::vector<std::size_t>> connected_components(const Graph& graph) {
  const std::size_t n = graph.vertex_count();
  std::vector<char> seen(n, 0);
  std::vector<std::vector<std::size_t>> components;
  std::vector<std::size_t> queue;
  for (std::size_t start = 0; start < n; ++start) {
    if (seen[start]) continue;
    queue.assign(1, start);
    seen[start] = 1;
    for (std::size_t head = 0; head < queue.size(); ++head) {
      for (std::size_t w : graph.neighbors(queue[head])) {
        if (!seen[w]) {
          seen[w] = 1;
          queue.push_back(w);
        }
      }
    }
    std::sort(queue.begin(), queue.end());
    components.push_back(queue);
  }
  return components;
}

bool is_connected(const Graph& graph) { return connected_components(graph).size() <= 1; }

void require_connected(const Graph& graph) {
  const std::vector<std::vector<std::size_t>> components = connected_components(graph);
  if (components.size() <= 1) return;
  constexpr std::size_t kListedComponents = 5;
  constexpr std::size_t kListedMembers = 5;
  std::string message = "the graph is disconnected: " + std::to_string(components.size()) +
                        " components, expected 1 (every agent must reach every other)";
  for (std::size_t c = 0; c < components.size() && c < kListedComponents; ++c) {
    const std::vector<std::size_t>& comp = components[c];
    std::vector<std::size_t> head(comp.begin(), comp.begin() + std::min(comp.size(), kListedMembers));
    message += "; component " + std::to_string(c + 1) + ": " + std::to_string(comp.size()) +
               " agent" + (comp.size() == 1 ? "" : "s") + " {" + join_sizes(head) +
               (comp.size() > kListedMembers ? ", ..." : "") + "}";
  }
  if (components.size() > kListedComponents) {
    message += "; and " + std::to_string(components.size() - kListedComponents) + " more";
  }
  throw InvalidInput("", message);
}

Graph complete_graph(std::size_t n) {
  std::vector<Edge> edges;
  edges.reserve(n * (n - (n > 0)) / 2);
  for (std::size_t u = 0; u < n; ++u) {
    for (std::size_t v = u + 1; v < n; ++v) edges.emplace_back(u, v);
  }
  return Graph(n, std::move(edges));
}

Graph ring_graph(std::size_t n) { return circulant_graph(n, {1}); }

Graph ring_lattice_graph(std::size_t n, std::size_t k) {
  if (k == 0 || 2 * k >= n) {
    throw InvalidInput("/neighbors_per_side", "neighbors_per_side = " + std::to_string(k) + " with " +
                                                  std::to_string(n) + " agents; expected 1 <= k < n/2");
  }
  std::vector<std::size_t> offsets;
  for (std::size_t j = 1; j <= k; ++j) offsets.push_back(j);
  return circulant_graph(n, offsets);
}

Graph path_graph(std::size_t n) {
  std::vector<Edge> edges;
  for (std::size_t i = 0; i + 1 < n; ++i) edges.emplace_back(i, i + 1);
  return Graph(n, std::move(edges));
}

Graph star_graph(std::size_t n) {
  std::vector<Edge> edges;
  for (std::size_t i = 1; i < n; ++i) edges.emplace_back(0, i);
  return Graph(n, std::move(edges));
}

Graph grid_graph(std::size_t rows, std::size_t cols) {
  std::vector<Edge> edges;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t v = r * cols + c;
      if (c + 1 < cols) edges.emplace_back(v, v + 1);
      if (r + 1 < rows) edges.emplace_back(v, v + cols);
    }
  }
  return Graph(rows * cols, std::move(edges));
}

Graph torus_graph(std::size_t rows, std::size_t cols) {
  if (rows < 3 || cols < 3) {
    throw InvalidInput("/rows", "a torus of " + std::to_string(rows) + " x " + std::to_string(cols) +
                                    "; expected both sides >= 3 (smaller sides would merge wrap-around edges)");
  }
  std::vector<Edge> edges;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t v = r * cols + c;
      edges.emplace_back(v, r * cols + (c + 1) % cols);
      edges.emplace_back(v, ((r + 1) % rows) * cols + c);
    }
  }
  return Graph(rows * cols, std::move(edges));
}

Graph hypercube_graph(std::size_t n) {
  const std::size_t d = log2_exact(n);
  if (n == 0 || (std::size_t{1} << d) != n) {
    throw InvalidInput("", "a hypercube needs a power-of-two agent count, got " + std::to_string(n));
  }
  std::vector<Edge> edges;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t b = 0; b < d; ++b) {
      const std::size_t j = i ^ (std::size_t{1} << b);
      if (i < j) edges.emplace_back(i, j);
    }
  }
  return Graph(n, std::move(edges));
}

Graph binary_tree_graph(std::size_t n) {
  std::vector<Edge> edges;
  for (std::size_t i = 1; i < n; ++i) edges.emplace_back((i - 1) / 2, i);
  return Graph(n, std::move(edges));
}

Graph exponential_graph(std::size_t n) {
  std::vector<std::size_t> offsets;
  for (std::size_t offset = 1; offset < n; offset *= 2) offsets.push_back(offset);
  return circulant_graph(n, offsets);
}

std::size_t one_peer_exponential_period(std::size_t n) { return n <= 1 ? 0 : log2_exact(n); }

Graph one_peer_exponential_graph(std::size_t n, std::int64_t step) {
  const std::size_t period = one_peer_exponential_period(n);
  if (period == 0) return Graph(n, {});
  const std::int64_t p = static_cast<std::int64_t>(period);
  const std::size_t k = static_cast<std::size_t>(((step % p) + p) % p);
  return circulant_graph(n, {std::size_t{1} << k});
}

Graph erdos_renyi_graph(std::size_t n, double p, Rng& rng) {
  require_probability(p, "/edge_probability", "edge_probability");
  if (p == 0.0 || n < 2) return Graph(n, {});
  if (p == 1.0) return complete_graph(n);
  // Walk the lower triangle (v, w < v) in row order, skipping geometric gaps.
  const double log_q = std::log1p(-p);
  std::vector<Edge> edges;
  std::size_t v = 1;
  std::size_t w = 0;
  bool first = true;
  while (v < n) {
    const double r = rng.uniform01();
    const double skip = std::floor(std::log1p(-r) / log_q);
    // Stop if the skip runs past the whole triangle (also guards the conversion below).
    if (skip >= static_cast<double>(n) * static_cast<double>(n)) break;
    const std::size_t advance = static_cast<std::size_t>(skip) + (first ? 0 : 1);
    first = false;
    w += advance;
    while (v < n && w >= v) {
      w -= v;
      ++v;
    }
    if (v < n) edges.emplace_back(w, v);
  }
  return Graph(n, std::move(edges));
}

Graph random_regular_graph(std::size_t n, std::size_t d, Rng& rng) {
  if (d >= n || (n * d) % 2 != 0) {
    throw InvalidInput("/degree", "degree = " + std::to_string(d) + " with " + std::to_string(n) +
                                      " agents; expected d < n and n·d even");
  }
  if (2 * d > n - 1) {
    // Dense: the complement of a random (n-1-d)-regular graph, which pairing draws easily.
    const Graph sparse = random_regular_graph(n, n - 1 - d, rng);
    std::vector<Edge> edges;
    edges.reserve(n * d / 2);
    for (std::size_t u = 0; u < n; ++u) {
      for (std::size_t v = u + 1; v < n; ++v) {
        if (!sparse.has_edge(u, v)) edges.emplace_back(u, v);
      }
    }
    return Graph(n, std::move(edges));
  }
  constexpr int kMaxRestarts = 1000;
  constexpr int kTriesPerEdge = 100;
  for (int restart = 0; restart < kMaxRestarts; ++restart) {
    std::vector<std::size_t> points;
    points.reserve(n * d);
    for (std::size_t v = 0; v < n; ++v) points.insert(points.end(), d, v);
    DynamicAdjacency adjacency(n);
    std::vector<Edge> edges;
    bool stuck = false;
    while (!points.empty() && !stuck) {
      stuck = true;
      for (int attempt = 0; attempt < kTriesPerEdge; ++attempt) {
        std::size_t i = rng.uniform_index(points.size());
        std::size_t j = rng.uniform_index(points.size());
        const std::size_t u = points[i];
        const std::size_t v = points[j];
        if (u == v || adjacency.has(u, v)) continue;
        adjacency.add(u, v);
        edges.emplace_back(u, v);
        if (i < j) std::swap(i, j);  // remove the higher index first
        points[i] = points.back();
        points.pop_back();
        points[j] = points.back();
        points.pop_back();
        stuck = false;
        break;
      }
    }
    if (points.empty()) return Graph(n, std::move(edges));
  }
  throw InvalidInput("/degree", "could not draw a simple " + std::to_string(d) + "-regular graph on " +
                                    std::to_string(n) + " agents in " + std::to_string(kMaxRestarts) +
                                    " attempts; expected a degree well below n");
}

Graph watts_strogatz_graph(std::size_t n, std::size_t k, double beta, Rng& rng) {
  require_probability(beta, "/rewire_probability", "rewire_probability");
  const Graph lattice = ring_lattice_graph(n, k);
  // Small per-vertex lists (degrees stay near 2k), kept in a deterministic order.
  std::vector<std::vector<std::size_t>> adjacency(n);
  for (std::size_t v = 0; v < n; ++v) {
    const std::span<const std::size_t> list = lattice.neighbors(v);
    adjacency[v].assign(list.begin(), list.end());
  }
  const auto has = [&](std::size_t u, std::size_t v) {
    return std::find(adjacency[u].begin(), adjacency[u].end(), v) != adjacency[u].end();
  };
  const auto erase = [&](std::size_t u, std::size_t v) {
    adjacency[u].erase(std::find(adjacency[u].begin(), adjacency[u].end(), v));
  };
  for (std::size_t j = 1; j <= k; ++j) {
    for (std::size_t u = 0; u < n; ++u) {
      if (rng.uniform01() >= beta) continue;
      const std::size_t v = (u + j) % n;
      if (adjacency[u].size() >= n - 1 || !has(u, v)) continue;  // nowhere to go
      std::size_t w = rng.uniform_index(n);
      while (w == u || has(u, w)) w = rng.uniform_index(n);
      erase(u, v);
      erase(v, u);
      adjacency[u].push_back(w);
      adjacency[w].push_back(u);
    }
  }
  std::vector<Edge> edges;
  edges.reserve(n * k);
  for (std::size_t u = 0; u < n; ++u) {
    for (std::size_t v : adjacency[u]) {
      if (u < v) edges.emplace_back(u, v);
    }
  }
  return Graph(n, std::move(edges));
}

Graph barabasi_albert_graph(std::size_t n, std::size_t m, Rng& rng) {
  if (m == 0 || m >= n) {
    throw InvalidInput("/attach_edges", "attach_edges = " + std::to_string(m) + " with " + std::to_string(n) +
                                            " agents; expected 1 <= m < n");
  }
  std::vector<Edge> edges = complete_graph(m + 1).edges();
  // Every edge endpoint once: drawing uniformly from it is drawing proportionally to degree.
  std::vector<std::size_t> endpoints;
  endpoints.reserve(2 * (edges.size() + (n - m - 1) * m));
  for (const Edge& e : edges) {
    endpoints.push_back(e.first);
    endpoints.push_back(e.second);
  }
  std::vector<std::size_t> targets;
  for (std::size_t v = m + 1; v < n; ++v) {
    targets.clear();
    while (targets.size() < m) {
      const std::size_t t = endpoints[rng.uniform_index(endpoints.size())];
      if (std::find(targets.begin(), targets.end(), t) == targets.end()) targets.push_back(t);
    }
    for (std::size_t t : targets) {
      edges.emplace_back(t, v);
      endpoints.push_back(t);
      endpoints.push_back(v);
    }
  }
  return Graph(n, std::move(edges));
}

double expected_edge_count(const TopologySpec& spec, std::size_t agents) {
  const double n = static_cast<double>(agents);
  const std::string& kind = spec.kind;
  if (kind == "complete") return n * (n - 1) / 2;
  if (kind == "ring_lattice" || kind == "watts_strogatz") return n * static_cast<double>(spec.neighbors_per_side);
  if (kind == "erdos_renyi") return spec.edge_probability * n * (n - 1) / 2;
  if (kind == "random_regular") return n * static_cast<double>(spec.degree) / 2;
  if (kind == "barabasi_albert") return n * static_cast<double>(spec.attach_edges);
  if (kind == "hypercube" || kind == "exponential" || kind == "one_peer_exponential") {
    return n * std::max(1.0, std::ceil(std::log2(std::max(n, 2.0))));
  }
  if (kind == "edge_list" || kind == "dot" || kind == "graphml") return 0;
  if (kind == "random_matching") return n / 2;
  if (kind == "schedule") {  // the union of the phases' graphs
    double edges = 0;
    for (const TopologyPhase& phase : spec.phases) edges += expected_edge_count(phase.topology, agents);
    return edges;
  }
  if (kind == "ring") return n;
  if (kind == "grid" || kind == "torus") return 2 * n;
  return std::max(0.0, n - 1);  // path, star, binary_tree
}

std::vector<Graph> phase_graphs(const TopologySpec& spec, std::size_t agents, std::uint64_t seed) {
  if (spec.phases.empty()) throw InvalidInput("/phases", "a schedule needs at least one phase");
  std::vector<Graph> graphs;
  for (std::size_t i = 0; i < spec.phases.size(); ++i) {
    const std::string field = "/phases/" + std::to_string(i);
    const TopologySpec& phase = spec.phases[i].topology;
    if (is_time_varying_kind(phase.kind)) {
      throw InvalidInput(field + "/topology/kind", "a phase must be a static topology, found \"" + phase.kind + "\"");
    }
    try {
      // Phase i draws from seed + i + 1, so two random phases of one kind differ.
      graphs.push_back(build_graph(phase, agents, seed + i + 1));
    } catch (const InvalidInput& error) {
      throw error.within(field + "/topology");
    }
  }
  return graphs;
}

Graph build_graph(const TopologySpec& spec, std::size_t agents, std::uint64_t seed) {
  if (agents == 0) throw InvalidInput("", "a topology needs at least one agent, got 0");
  Rng rng(seed, 0, RngPurpose::kTopology);
  const std::string& kind = spec.kind;
  const std::size_t n = agents;
  Graph graph;
  if (kind == "complete") {
    graph = complete_graph(n);
  } else if (kind == "ring") {
    graph = ring_graph(n);
  } else if (kind == "ring_lattice") {
    graph = ring_lattice_graph(n, spec.neighbors_per_side);
  } else if (kind == "path") {
    graph = path_graph(n);
  } else if (kind == "star") {
    graph = star_graph(n);
  } else if (kind == "grid") {
    const auto [rows, cols] = lattice_shape(n, spec.rows);
    graph = grid_graph(rows, cols);
  } else if (kind == "torus") {
    const auto [rows, cols] = lattice_shape(n, spec.rows);
    graph = torus_graph(rows, cols);
  } else if (kind == "hypercube") {
    graph = hypercube_graph(n);
  } else if (kind == "binary_tree") {
    graph = binary_tree_graph(n);
  } else if (kind == "erdos_renyi") {
    graph = erdos_renyi_graph(n, spec.edge_probability, rng);
  } else if (kind == "random_regular") {
    graph = random_regular_graph(n, spec.degree, rng);
  } else if (kind == "watts_strogatz") {
    graph = watts_strogatz_graph(n, spec.neighbors_per_side, spec.rewire_probability, rng);
  } else if (kind == "barabasi_albert") {
    graph = barabasi_albert_graph(n, spec.attach_edges, rng);
  } else if (kind == "exponential" || kind == "one_peer_exponential") {
    graph = exponential_graph(n);
  } else if (kind == "random_matching") {
    graph = random_matching_schedule(n, spec.period, seed).union_graph;
  } else if (kind == "schedule") {
    std::vector<Edge> edges;
    for (const Graph& phase : phase_graphs(spec, n, seed)) edges.insert(edges.end(), phase.edges().begin(), phase.edges().end());
    graph = Graph(n, std::move(edges));
  } else if (kind == "edge_list" || kind == "dot" || kind == "graphml") {
    graph = read_graph_file(spec.file, kind);
    if (graph.vertex_count() != n) {
      throw InvalidInput("/file", "the graph in '" + spec.file + "' has " + std::to_string(graph.vertex_count()) +
                                      " vertices, expected one per agent (" + std::to_string(n) + ")");
    }
  } else {
    std::string valid;
    for (const char* k : topology_kinds()) valid += (valid.empty() ? "" : ", ") + std::string(k);
    throw InvalidInput("/kind", "unknown topology kind '" + kind + "'; expected one of: " + valid);
  }
  require_connected(graph);
  return graph;
}

}  // namespace cdsim
