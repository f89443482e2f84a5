#include "topologies/generators.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "core/invalid_input.h"
#include "tests/topologies/test_helpers.h"

using namespace cdsim;
using cdsim::testing::error_of;
using cdsim::testing::with_rule;

namespace {

bool all_degrees(const Graph& g, std::size_t d) {
  for (std::size_t v = 0; v < g.vertex_count(); ++v) {
    if (g.degree(v) != d) return false;
  }
  return true;
}

TopologySpec spec_of(const std::string& kind) {
  TopologySpec spec;
  spec.kind = kind;
  return spec;
}


}  // namespace

TEST_CASE("complete graph on n vertices has n(n-1)/2 edges and degree n-1") {
  for (std::size_t n : {1u, 2u, 5u, 12u}) {
    const Graph g = complete_graph(n);
    CHECK(g.edge_count() == n * (n - 1) / 2);
    CHECK(all_degrees(g, n - 1));
  }
}

TEST_CASE("ring on n >= 3 vertices has n edges, degree 2, and links i to i+1 mod n") {
  const Graph g = ring_graph(7);
  CHECK(g.edge_count() == 7);
  CHECK(all_degrees(g, 2));
  CHECK(g.has_edge(6, 0));
  CHECK(g.has_edge(3, 4));
  CHECK(is_connected(g));
}

TEST_CASE("ring lattice with k neighbours per side has n·k edges and degree 2k") {
  const Graph g = ring_lattice_graph(11, 3);
  CHECK(g.edge_count() == 33);
  CHECK(all_degrees(g, 6));
  CHECK(g.has_edge(0, 8));
  CHECK_FALSE(g.has_edge(0, 4));
  CHECK(error_of([] { ring_lattice_graph(6, 3); }).field() == "/neighbors_per_side");
}

TEST_CASE("path and star have n-1 edges with the degrees their shapes imply") {
  const Graph path = path_graph(6);
  CHECK(path.edge_count() == 5);
  CHECK(path.degree(0) == 1);
  CHECK(path.degree(5) == 1);
  CHECK(path.degree(3) == 2);
  const Graph star = star_graph(6);
  CHECK(star.edge_count() == 5);
  CHECK(star.degree(0) == 5);
  CHECK(star.degree(4) == 1);
}

TEST_CASE("grid has r(c-1) + c(r-1) edges and torus 2rc edges with degree 4") {
  const Graph grid = grid_graph(3, 4);
  CHECK(grid.edge_count() == 3 * 3 + 4 * 2);
  CHECK(grid.degree(0) == 2);   // corner
  CHECK(grid.degree(1) == 3);   // border
  CHECK(grid.degree(5) == 4);   // interior
  const Graph torus = torus_graph(3, 5);
  CHECK(torus.edge_count() == 30);
  CHECK(all_degrees(torus, 4));
}

TEST_CASE("hypercube on 2^d vertices has d·2^(d-1) edges and degree d") {
  const Graph g = hypercube_graph(32);
  CHECK(g.edge_count() == 5 * 16);
  CHECK(all_degrees(g, 5));
  CHECK(g.has_edge(5, 7));
  CHECK_FALSE(g.has_edge(5, 6));
}

TEST_CASE("binary tree links i to 2i+1 and 2i+2") {
  const Graph g = binary_tree_graph(10);
  CHECK(g.edge_count() == 9);
  CHECK(g.has_edge(0, 1));
  CHECK(g.has_edge(0, 2));
  CHECK(g.has_edge(4, 9));
  CHECK(g.degree(0) == 2);
  CHECK(g.degree(1) == 3);
}

TEST_CASE("exponential graph links i to i ± 2^k and has the edge count that implies") {
  // n = 16: offsets 1, 2, 4 give 16 edges each, offset 8 = n/2 gives 8.
  const Graph g = exponential_graph(16);
  CHECK(g.edge_count() == 3 * 16 + 8);
  CHECK(all_degrees(g, 7));
  // n = 12: offsets 1, 2, 4, 8 (8 = -4 mod 12, so it coincides with offset 4).
  const Graph h = exponential_graph(12);
  CHECK(h.has_edge(0, 8));
  CHECK(h.has_edge(0, 4));
  CHECK(h.edge_count() == 36);
}

TEST_CASE("one-peer exponential graph uses one offset per step and its union is the exponential graph") {
  CHECK(one_peer_exponential_period(16) == 4);
  CHECK(one_peer_exponential_period(10) == 4);
  const Graph step1 = one_peer_exponential_graph(16, 1);
  CHECK(step1.edge_count() == 16);
  CHECK(all_degrees(step1, 2));
  CHECK(step1.has_edge(3, 5));
  const Graph step3 = one_peer_exponential_graph(16, 3);  // offset 8 = n/2: a perfect matching
  CHECK(step3.edge_count() == 8);
  CHECK(all_degrees(step3, 1));
  CHECK(one_peer_exponential_graph(16, 5) == step1);
  CHECK(one_peer_exponential_graph(16, -3) == step1);
  std::vector<Edge> all;
  for (std::int64_t t = 0; t < 4; ++t) {
    const Graph g = one_peer_exponential_graph(16, t);
    all.insert(all.end(), g.edges().begin(), g.edges().end());
  }
  CHECK(Graph(16, all) == exponential_graph(16));
}

TEST_CASE("Erdős–Rényi edge count is near p·n(n-1)/2 and the extremes are exact") {
  Rng rng(3, 0, RngPurpose::kTopology);
  const std::size_t n = 400;
  const double p = 0.1;
  const Graph g = erdos_renyi_graph(n, p, rng);
  const double expected = p * n * (n - 1) / 2.0;               // 7980
  const double sigma = std::sqrt(expected * (1 - p));           // ~85
  CHECK(std::abs(static_cast<double>(g.edge_count()) - expected) < 6 * sigma);
  CHECK(erdos_renyi_graph(20, 0.0, rng).edge_count() == 0);
  CHECK(erdos_renyi_graph(20, 1.0, rng).edge_count() == 190);
}

TEST_CASE("Erdős–Rényi hits every pair position with equal frequency") {
  // Over many small draws, each of the 6 pairs of 4 vertices appears with probability p.
  Rng rng(5, 0, RngPurpose::kTopology);
  std::vector<int> hits(16, 0);
  const int draws = 4000;
  for (int i = 0; i < draws; ++i) {
    const Graph g = erdos_renyi_graph(4, 0.3, rng);
    for (const Edge& e : g.edges()) ++hits[e.first * 4 + e.second];
  }
  // Expected 1200 each, sd ~29.
  for (std::size_t u = 0; u < 4; ++u) {
    for (std::size_t v = u + 1; v < 4; ++v) CHECK(std::abs(hits[u * 4 + v] - 1200) < 180);
  }
}

TEST_CASE("random regular graphs are simple and d-regular") {
  Rng rng(9, 0, RngPurpose::kTopology);
  for (auto [n, d] : {std::pair<std::size_t, std::size_t>{10, 3}, {50, 4}, {31, 6}, {8, 7}, {60, 50}, {61, 30}, {40, 39}}) {
    const Graph g = random_regular_graph(n, d, rng);
    CHECK(g.edge_count() == n * d / 2);
    CHECK(all_degrees(g, d));
  }
}

TEST_CASE("Watts–Strogatz keeps n·k edges and rewiring changes some of them") {
  Rng rng(1, 0, RngPurpose::kTopology);
  const Graph none = watts_strogatz_graph(30, 2, 0.0, rng);
  CHECK(none == ring_lattice_graph(30, 2));
  const Graph some = watts_strogatz_graph(30, 2, 0.3, rng);
  CHECK(some.edge_count() == 60);
  CHECK_FALSE(some == none);
}

TEST_CASE("Barabási–Albert has m(m+1)/2 + (n-m-1)·m edges and every late vertex degree >= m") {
  Rng rng(2, 0, RngPurpose::kTopology);
  const std::size_t n = 100;
  const std::size_t m = 3;
  const Graph g = barabasi_albert_graph(n, m, rng);
  CHECK(g.edge_count() == m * (m + 1) / 2 + (n - m - 1) * m);
  for (std::size_t v = 0; v < n; ++v) CHECK(g.degree(v) >= m);
  // Preferential attachment: the oldest vertices end up well above the median degree.
  CHECK(g.degree(0) > 2 * m);
}

TEST_CASE("the same seed reproduces the same random graph and another seed differs") {
  for (const char* kind : {"erdos_renyi", "random_regular", "watts_strogatz", "barabasi_albert"}) {
    TopologySpec spec = spec_of(kind);
    spec.edge_probability = 0.2;
    spec.degree = 4;
    spec.neighbors_per_side = 2;
    spec.rewire_probability = 0.2;
    spec.attach_edges = 2;
    CAPTURE(kind);
    CHECK(build_graph(spec, 40, 17) == build_graph(spec, 40, 17));
    CHECK_FALSE(build_graph(spec, 40, 17) == build_graph(spec, 40, 18));
  }
}

TEST_CASE("build_graph dispatches on kind and shapes grids from rows") {
  TopologySpec spec = spec_of("grid");
  spec.rows = 2;
  const Graph g = build_graph(spec, 10, 0);
  CHECK(g.edge_count() == 2 * 4 + 5 * 1);
  spec.rows = 0;  // as square as possible: 12 -> 3 x 4
  CHECK(build_graph(spec, 12, 0) == grid_graph(3, 4));
  CHECK(build_graph(spec_of("complete"), 5, 0) == complete_graph(5));
  CHECK(build_graph(spec_of("one_peer_exponential"), 8, 0) == exponential_graph(8));
}

TEST_CASE("bad topology parameters throw errors naming the field") {
  CHECK(error_of([] { build_graph(spec_of("moebius"), 5, 0); }).field() == "/kind");
  const std::string unknown = error_of([] { build_graph(spec_of("moebius"), 5, 0); }).what();
  CHECK(unknown.find("moebius") != std::string::npos);
  CHECK(unknown.find("ring_lattice") != std::string::npos);

  TopologySpec er = spec_of("erdos_renyi");
  er.edge_probability = 1.5;
  CHECK(error_of([&] { build_graph(er, 5, 0); }).field() == "/edge_probability");
  er.edge_probability = -0.1;
  CHECK(error_of([&] { build_graph(er, 5, 0); }).field() == "/edge_probability");

  TopologySpec regular = spec_of("random_regular");
  regular.degree = 3;
  const InvalidInput odd = error_of([&] { build_graph(regular, 7, 0); });
  CHECK(odd.field() == "/degree");
  CHECK(std::string(odd.what()).find("even") != std::string::npos);

  TopologySpec torus = spec_of("torus");
  torus.rows = 4;
  CHECK(error_of([&] { build_graph(torus, 18, 0); }).field() == "/rows");

  TopologySpec ws = spec_of("watts_strogatz");
  ws.neighbors_per_side = 2;
  ws.rewire_probability = 2.0;
  CHECK(error_of([&] { build_graph(ws, 10, 0); }).field() == "/rewire_probability");

  TopologySpec ba = spec_of("barabasi_albert");
  ba.attach_edges = 10;
  CHECK(error_of([&] { build_graph(ba, 10, 0); }).field() == "/attach_edges");

  CHECK(error_of([] { build_graph(spec_of("hypercube"), 12, 0); }).field() == "");
}

TEST_CASE("a disconnected graph is rejected with its components, their sizes and members") {
  TopologySpec er = spec_of("erdos_renyi");
  er.edge_probability = 0.0;
  const InvalidInput e = error_of([&] { build_graph(er, 3, 0); });
  CHECK(e.field() == "");
  CHECK(std::string(e.what()).find("3 components") != std::string::npos);

  const Graph split(9, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {6, 7}});
  CHECK_FALSE(is_connected(split));
  const auto components = connected_components(split);
  REQUIRE(components.size() == 3);
  CHECK(components[0].size() == 6);
  CHECK(components[1] == std::vector<std::size_t>{6, 7});
  CHECK(components[2] == std::vector<std::size_t>{8});
  const std::string message = error_of([&] { require_connected(split); }).what();
  CHECK(message.find("component 1: 6 agents {0, 1, 2, 3, 4, ...}") != std::string::npos);
  CHECK(message.find("component 2: 2 agents {6, 7}") != std::string::npos);
  CHECK(message.find("component 3: 1 agent {8}") != std::string::npos);
}
