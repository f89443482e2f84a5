#include "topologies/graph.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

using cdsim::Edge;
using cdsim::Graph;

TEST_CASE("a graph normalizes its edges: orientation, order, duplicates and self-loops") {
  const Graph g(4, {{2, 1}, {0, 3}, {1, 2}, {3, 3}, {0, 1}, {3, 0}});
  CHECK(g.vertex_count() == 4);
  CHECK(g.edge_count() == 3);
  CHECK(g.edges() == std::vector<Edge>{{0, 1}, {0, 3}, {1, 2}});
}

TEST_CASE("neighbour lists are sorted, exclude the vertex itself and match the degrees") {
  const Graph g(5, {{4, 2}, {2, 0}, {1, 2}, {2, 3}, {2, 2}});
  const auto n2 = g.neighbors(2);
  CHECK(std::vector<std::size_t>(n2.begin(), n2.end()) == std::vector<std::size_t>{0, 1, 3, 4});
  CHECK(g.degree(2) == 4);
  CHECK(g.degree(0) == 1);
  CHECK(g.has_edge(4, 2));
  CHECK(g.has_edge(2, 4));
  CHECK_FALSE(g.has_edge(0, 1));
  std::size_t degree_sum = 0;
  for (std::size_t v = 0; v < g.vertex_count(); ++v) degree_sum += g.degree(v);
  CHECK(degree_sum == 2 * g.edge_count());
}

TEST_CASE("an edge outside the vertex range is rejected") {
  CHECK_THROWS_AS(Graph(3, {{0, 3}}), std::out_of_range);
}

TEST_CASE("graphs with isolated vertices keep them with degree zero") {
  const Graph g(3, {});
  CHECK(g.vertex_count() == 3);
  CHECK(g.degree(1) == 0);
  CHECK(g.neighbors(1).empty());
}
