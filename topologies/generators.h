// Graph generators for every topology kind a scenario can name, deterministic and seeded
// where random (cdsim::Rng, purpose kTopology), and connectivity checks. Each generator
// documents the edge count and degrees its definition implies; bad parameters throw
// InvalidInput with the TopologySpec field at fault ("/degree", "/rows", ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "topologies/graph.h"
#include "topologies/topology_spec.h"

namespace cdsim {

// The graph a scenario asks for, on `agents` vertices. Random kinds draw from
// Rng(seed, 0, RngPurpose::kTopology). File kinds (edge_list, dot, graphml) read
// spec.file and require exactly `agents` vertices. Throws InvalidInput("/kind", ...) for an
// unknown kind, InvalidInput("/<field>", ...) for impossible parameters, and
// InvalidInput("", ...) for a disconnected graph, naming its components (count, sizes and
// a few members of each). For one_peer_exponential the result is the union over all steps
// (the exponential graph); one_peer_exponential_graph gives the graph of one step.
// For the time-varying kinds the result is the union of the rounds' graphs (the links a
// network needs): the exponential graph, every pair some random matching of one period
// uses, the union of the schedule's phases.
Graph build_graph(const TopologySpec& spec, std::size_t agents, std::uint64_t seed);
// About how many edges build_graph(spec, agents, ...) will make (the expectation for
// random families, 0 for graph files, whose size bounds their edges), so that a scenario's
// memory can be bounded before the graph is built.
double expected_edge_count(const TopologySpec& spec, std::size_t agents);
// The graph of each phase of a "schedule" topology; phase i draws from seed + i + 1.
// Errors name the field from the topology section ("/phases/1/topology/degree").
std::vector<Graph> phase_graphs(const TopologySpec& spec, std::size_t agents, std::uint64_t seed);

// The kinds build_graph accepts, in the order listed in error messages.
const std::vector<const char*>& topology_kinds();

bool is_connected(const Graph& graph);
// Connected components, each sorted ascending, ordered by their smallest vertex.
std::vector<std::vector<std::size_t>> connected_components(const Graph& graph);
// Throws InvalidInput("", ...) describing the components unless the graph is connected.
void require_connected(const Graph& graph);

// --- Deterministic families -------------------------------------------------------------
Graph complete_graph(std::size_t n);                       // n(n-1)/2 edges, degree n-1
Graph ring_graph(std::size_t n);                           // n edges (n >= 3), degree 2
Graph ring_lattice_graph(std::size_t n, std::size_t k);    // i ~ i±1..k; n·k edges; needs 1 <= k, 2k < n
Graph path_graph(std::size_t n);                           // n-1 edges
Graph star_graph(std::size_t n);                           // centre 0; n-1 edges
// rows x cols lattice, vertex r*cols + c; rows(cols-1) + cols(rows-1) edges.
Graph grid_graph(std::size_t rows, std::size_t cols);
// Grid with wrap-around, both sides >= 3: 2·rows·cols edges, degree 4.
Graph torus_graph(std::size_t rows, std::size_t cols);
Graph hypercube_graph(std::size_t n);                      // n = 2^d; i ~ i xor 2^b; n·d/2 edges
Graph binary_tree_graph(std::size_t n);                    // parent of i > 0 is (i-1)/2; n-1 edges
// i ~ i ± 2^k (mod n) for every k with 2^k < n: a circulant graph of degree about 2·log2 n.
Graph exponential_graph(std::size_t n);
// Number of distinct steps of the one-peer exponential graph: #{k : 2^k < n}
// (= log2 n for n a power of two).
std::size_t one_peer_exponential_period(std::size_t n);
// Step t of the time-varying one-peer exponential graph: only the edges i ~ i + 2^k
// (mod n) with k = t mod period (negative t wrap the same way). Every vertex has degree 2,
// or 1 when 2^k = n/2. The union over one period is exponential_graph(n).
Graph one_peer_exponential_graph(std::size_t n, std::int64_t step);

// --- Random families (all draws from `rng`) ----------------------------------------------
// G(n, p): every pair independently with probability p, by geometric skipping (Batagelj &
// Brandes 2005), so the cost is O(n + edges). The gap lengths go through std::log1p, so
// the graph is reproducible for a given C library (glibc everywhere cdsim is built).
Graph erdos_renyi_graph(std::size_t n, double p, Rng& rng);
// Uniform-ish simple d-regular graph by random pairing of points with rejection of loops
// and multi-edges, restarting on a dead end (Steger & Wormald 1999); for d > (n-1)/2 the
// complement of a random (n-1-d)-regular graph. Needs n·d even, d < n.
Graph random_regular_graph(std::size_t n, std::size_t d, Rng& rng);
// Ring lattice with k neighbours each side, each lattice edge (u, u+j) rewired with
// probability beta to (u, w), w uniform among non-neighbours (as networkx). n·k edges.
Graph watts_strogatz_graph(std::size_t n, std::size_t k, double beta, Rng& rng);
// Preferential attachment: starts from the complete graph on m+1 vertices; each later
// vertex links to m distinct earlier vertices chosen with probability proportional to
// degree. m(m+1)/2 + (n-m-1)·m edges; needs 1 <= m < n.
Graph barabasi_albert_graph(std::size_t n, std::size_t m, Rng& rng);

}  // namespace cdsim
