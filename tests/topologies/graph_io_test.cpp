#include "topologies/graph_io.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "tests/core/temp_dir.h"
#include "tests/topologies/test_helpers.h"
#include "topologies/generators.h"
#include "topologies/mixing_matrix.h"

using namespace cdsim;
using cdsim::testing::error_of;
using cdsim::testing::with_rule;

namespace {

Graph parse(Graph (*parser)(std::istream&, const std::string&), const std::string& text) {
  std::istringstream in(text);
  return parser(in, "test input");
}

}  // namespace

TEST_CASE("an edge list with comments, commas, self-loops and duplicates is normalized") {
  const Graph g = parse(parse_edge_list, "# a triangle and a tail\n0 1\n1,2\n\n2 0 % closing\n2 2\n1 0\n3 2\n");
  CHECK(g.vertex_count() == 4);
  CHECK(g.edges() == std::vector<Edge>{{0, 1}, {0, 2}, {1, 2}, {2, 3}});
}

TEST_CASE("a malformed edge list line is reported with its line number") {
  const InvalidInput e = error_of([] { parse(parse_edge_list, "0 1\n1 two\n"); });
  CHECK(e.field() == "/file");
  CHECK(std::string(e.what()).find("line 2") != std::string::npos);
  CHECK(error_of([] { parse(parse_edge_list, "0 1 2\n"); }).field() == "/file");
  CHECK(error_of([] { parse(parse_edge_list, "-1 2\n"); }).field() == "/file");
}

TEST_CASE("edge lists written by write_edge_list read back to the same graph, isolated vertices included") {
  const Graph g = hypercube_graph(16);
  CHECK(parse(parse_edge_list, write_edge_list(g)) == g);
  const Graph isolated(5, {{0, 1}, {1, 2}});
  CHECK(parse(parse_edge_list, write_edge_list(isolated)) == isolated);
  CHECK(parse(parse_edge_list, "# 4 vertices\n0 1\n").vertex_count() == 4);
  CHECK(error_of([] { parse(parse_edge_list, "# 2 vertices\n0 3\n"); }).field() == "/file");
}

TEST_CASE("a Graphviz DOT graph or digraph is read through Boost.Graph with integer node ids") {
  const Graph g = parse(parse_dot, "graph G {\n  0 -- 1;\n  1 -- 2 [weight=3];\n  2 -- 0;\n  3;\n  3 -- 0;\n}\n");
  CHECK(g.vertex_count() == 4);
  CHECK(g.edges() == std::vector<Edge>{{0, 1}, {0, 2}, {0, 3}, {1, 2}});
  const Graph d = parse(parse_dot, "strict digraph {\n  2 -> 0; 0 -> 1; 1 -> 0;\n}\n");
  CHECK(d.edges() == std::vector<Edge>{{0, 1}, {0, 2}});
}

TEST_CASE("write_dot puts the mixing weights on the edges and reads back to the same graph") {
  const Graph ring = ring_graph(5);
  MixingSpec spec;
  spec.rule = "ring_preset";
  const std::string dot = write_dot(ring, build_mixing_matrix(ring, spec));
  CHECK(dot.find("0 -- 1 [label=\"0.33\"") != std::string::npos);
  CHECK(dot.find("self 0.34") != std::string::npos);
  CHECK(parse(parse_dot, dot) == ring);
  const Graph star = star_graph(6);
  CHECK(parse(parse_dot, write_dot(star, with_rule(star, "metropolis_hastings"))) == star);
}

TEST_CASE("malformed DOT and non-integer node ids are clear errors on the file field") {
  const InvalidInput syntax = error_of([] { parse(parse_dot, "graph { 0 -- ; }"); });
  CHECK(syntax.field() == "/file");
  CHECK(std::string(syntax.what()).find("DOT") != std::string::npos);
  const InvalidInput names = error_of([] { parse(parse_dot, "graph { a -- b; }"); });
  CHECK(names.field() == "/file");
  CHECK(std::string(names.what()).find("node 'a'") != std::string::npos);
  CHECK(error_of([] { parse(parse_dot, "graph { 0 -- 5; }"); }).field() == "/file");  // ids not 0..N-1
}

TEST_CASE("GraphML is read through Boost.Graph with vertices in the order the file names them") {
  const std::string text =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      "  <key id=\"w\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
      "  <graph id=\"G\" edgedefault=\"undirected\">\n"
      "    <node id=\"a\"/><node id=\"b\"/><node id=\"c\"/>\n"
      "    <edge source=\"a\" target=\"b\"><data key=\"w\">0.5</data></edge>\n"
      "    <edge source=\"c\" target=\"b\"/>\n"
      "  </graph>\n</graphml>\n";
  const Graph g = parse(parse_graphml, text);
  CHECK(g.vertex_count() == 3);
  CHECK(g.edges() == std::vector<Edge>{{0, 1}, {1, 2}});
  const Graph torus = torus_graph(3, 4);
  CHECK(parse(parse_graphml, write_graphml(torus)) == torus);
  std::string directed = write_graphml(path_graph(4));
  directed.replace(directed.find("undirected"), 10, "directed");
  CHECK(parse(parse_graphml, directed) == path_graph(4));
}

TEST_CASE("malformed GraphML is a clear error on the file field") {
  const InvalidInput e = error_of([] { parse(parse_graphml, "<graphml><graph><node id=\"0\"></graph>"); });
  CHECK(e.field() == "/file");
  CHECK(std::string(e.what()).find("GraphML") != std::string::npos);
}

TEST_CASE("build_graph reads graph files and checks the agent count") {
  const testing::TempDir dir;
  const std::string path = dir.file("graph.dot");
  {
    std::ofstream out(path);
    out << write_dot(ring_graph(6), with_rule(ring_graph(6), "metropolis_hastings"));
  }
  TopologySpec spec;
  spec.kind = "dot";
  spec.file = path;
  CHECK(build_graph(spec, 6, 0) == ring_graph(6));
  const InvalidInput count = error_of([&] { build_graph(spec, 7, 0); });
  CHECK(count.field() == "/file");
  CHECK(std::string(count.what()).find("has 6 vertices, expected one per agent (7)") != std::string::npos);
  {
    std::ofstream out(path);
    out << "0 1\n2 3\n";
  }
  spec.kind = "edge_list";
  CHECK(error_of([&] { build_graph(spec, 4, 0); }).field() == "");  // disconnected
  spec.file = dir.file("missing.txt");
  CHECK(error_of([&] { build_graph(spec, 4, 0); }).field() == "/file");  // missing
  spec.file.clear();
  CHECK(error_of([&] { build_graph(spec, 4, 0); }).field() == "/file");
}

TEST_CASE("write_dot labels both directions of an edge whose weights differ") {
  MixingSpec spec;
  spec.rule = "explicit";
  spec.allow_asymmetric = true;
  spec.matrix = {{0.5, 0.5, 0.0}, {0.0, 0.5, 0.5}, {0.5, 0.0, 0.5}};
  const Graph triangle = ring_graph(3);
  const std::string dot = write_dot(triangle, build_mixing_matrix(triangle, spec));
  CHECK(dot.find("0 -- 1 [label=\"0.5 / 0\"") != std::string::npos);
  CHECK(dot.find("0 -- 2 [label=\"0 / 0.5\"") != std::string::npos);
}

namespace {

// The message of the InvalidInput `f` throws, which must name the file field.
template <typename F>
std::string file_error(F f) {
  const InvalidInput e = error_of(f);
  CHECK(e.field() == "/file");
  return e.what();
}

AttributedGraph parse_links(const std::string& format, const std::string& text) {
  std::istringstream in(text);
  return parse_attributed_graph(in, format, "test input");
}

}  // namespace

TEST_CASE("DOT subgraphs and GraphML elements nested 100000 deep are rejected before Boost recurses on them") {
  const std::size_t depth = 100'000;
  std::string dot = "graph g { 0 -- 1; ";
  for (std::size_t i = 0; i < depth; ++i) dot += "subgraph { 0 -> 1 ";
  dot += std::string(depth, '}') + "}";
  const std::string dot_error = file_error([&] { parse(parse_dot, dot); });
  CHECK(dot_error.find("nested deeper than 64") != std::string::npos);
  std::string xml = "<?xml version=\"1.0\"?><graphml><graph edgedefault=\"undirected\">";
  for (std::size_t i = 0; i < depth; ++i) xml += "<data key='>'>";
  const std::string xml_error = file_error([&] { parse(parse_graphml, xml); });
  CHECK(xml_error.find("nested deeper than 64") != std::string::npos);
  // Nesting within the bound still reads: ten nested subgraphs of one edge.
  std::string shallow = "graph g { ";
  for (int i = 0; i < 10; ++i) shallow += "subgraph { ";
  shallow += "0 -- 1 " + std::string(10, '}') + " }";
  CHECK(parse(parse_dot, shallow).edge_count() == 1);
}

TEST_CASE("edge lists naming vertex ids or counts of 2^24 or more are rejected, never allocated") {
  CHECK(file_error([&] { parse(parse_edge_list, "0 1\n1 16777216\n"); }).find("too large") != std::string::npos);
  CHECK(file_error([&] { parse(parse_edge_list, "# 999999999999999999 vertices\n0 1\n"); })
            .find("at most 16777216") != std::string::npos);
  CHECK(parse(parse_edge_list, "# 7 vertices\n0 1\n").vertex_count() == 7);
}

TEST_CASE("a graph file path that is a directory is an error on the file field") {
  cdsim::testing::TempDir dir;
  CHECK(file_error([&] { read_graph_file(dir.path(), "edge_list"); }).find("is a directory") !=
        std::string::npos);
}

TEST_CASE("a graph or mixing matrix file that is a device is an error on the file field, not an endless read") {
  for (const char* format : {"edge_list", "dot", "graphml"}) {
    CHECK(file_error([&] { read_graph_file("/dev/zero", format); }).find("is not a regular file") !=
          std::string::npos);
  }
  MixingSpec spec;
  spec.rule = "explicit";
  spec.file = "/dev/zero";
  CHECK(file_error([&] { build_mixing_matrix(ring_graph(3), spec); }).find("is not a regular file") != std::string::npos);
}

TEST_CASE("DOT edge attributes latency and bandwidth reach the edges they are on, in normalized edge order") {
  const AttributedGraph g = parse_links(
      "dot", "graph G {\n  2 -- 1 [latency=\"7ms\", bandwidth=\"10Mbit/s\"];\n  0 -- 1 [latency=\"2ms\", label=x];\n}\n");
  REQUIRE(g.graph.edges() == std::vector<Edge>{{0, 1}, {1, 2}});
  REQUIRE(g.edge_links.size() == 2);
  CHECK(g.edge_links[0] == EdgeLinkText{"2ms", ""});
  CHECK(g.edge_links[1] == EdgeLinkText{"7ms", "10Mbit/s"});
  CHECK(parse_links("dot", "graph { 0 -- 1 [weight=2]; }").edge_links.empty());
}

TEST_CASE("GraphML edge data, typed as strings or doubles, reach the edges as text") {
  const std::string text =
      "<?xml version=\"1.0\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      "<key id=\"d0\" for=\"edge\" attr.name=\"latency\" attr.type=\"string\"/>\n"
      "<key id=\"d1\" for=\"edge\" attr.name=\"bandwidth\" attr.type=\"double\"/>\n"
      "<key id=\"d2\" for=\"node\" attr.name=\"role\" attr.type=\"string\"/>\n"
      "<graph edgedefault=\"undirected\">\n<node id=\"a\"><data key=\"d2\">host</data></node><node id=\"b\"/><node id=\"c\"/>\n"
      "<edge source=\"a\" target=\"b\"><data key=\"d0\">5ms</data><data key=\"d1\">125000</data></edge>\n"
      "<edge source=\"b\" target=\"c\"/>\n</graph></graphml>\n";
  const AttributedGraph g = parse_links("graphml", text);
  REQUIRE(g.graph.edges() == std::vector<Edge>{{0, 1}, {1, 2}});
  REQUIRE(g.edge_links.size() == 2);
  CHECK(g.edge_links[0] == EdgeLinkText{"5ms", "125000"});
  CHECK(g.edge_links[1] == EdgeLinkText{});
}

TEST_CASE("edge list columns key=value give links; a bare column or an unknown key is an error") {
  const AttributedGraph g = parse_links("edge_list", "0 1 latency=3ms\n1,2,bandwidth=1Gbit/s,latency=1us\n");
  REQUIRE(g.edge_links.size() == 2);
  CHECK(g.edge_links[0] == EdgeLinkText{"3ms", ""});
  CHECK(g.edge_links[1] == EdgeLinkText{"1us", "1Gbit/s"});
  const InvalidInput bare = error_of([] { parse_links("edge_list", "0 1 5\n"); });
  CHECK(bare.field() == "/file");
  CHECK(std::string(bare.what()).find("key=value") != std::string::npos);
  const InvalidInput unknown = error_of([] { parse_links("edge_list", "0 1 jitter=1ms\n"); });
  CHECK(std::string(unknown.what()).find("unknown attribute 'jitter'") != std::string::npos);
}

TEST_CASE("an unknown edge attribute or a duplicate edge with other link values is an error naming the edge") {
  const InvalidInput unknown = error_of([] { parse_links("dot", "graph { 0 -- 1 [color=red]; }"); });
  CHECK(unknown.field() == "/file");
  CHECK(std::string(unknown.what()).find("edge 0 -- 1 has an unknown attribute 'color'") != std::string::npos);
  const InvalidInput twice =
      error_of([] { parse_links("edge_list", "0 1 latency=1ms\n1 0 latency=2ms\n"); });
  CHECK(std::string(twice.what()).find("given twice") != std::string::npos);
  CHECK(parse_links("edge_list", "0 1 latency=1ms\n1 0 latency=1ms\n").edge_links.size() == 1);
}

TEST_CASE("a GraphML document keeps node ids, node and edge attributes as text, and the file's edge order") {
  for (const char* edgedefault : {"undirected", "directed"}) {
    CAPTURE(edgedefault);
    const std::string text = std::string(R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="r" for="node" attr.name="role" attr.type="string"/>
  <key id="a" for="node" attr.name="agent" attr.type="int"/>
  <key id="w" for="edge" attr.name="latency" attr.type="double"><default>0.5</default></key>
  <graph id="G" edgedefault=")") + edgedefault + R"(">
    <node id="sw"><data key="r">switch</data></node>
    <node id="h1"><data key="a">1</data></node>
    <node id="h0"/>
    <edge source="h1" target="sw"><data key="w">0.25</data></edge>
    <edge source="sw" target="h0"/>
    <edge source="h0" target="h1"/>
  </graph>
</graphml>
)";
    std::istringstream in(text);
    const cdsim::GraphmlDocument d = cdsim::parse_graphml_document(in, "'d.graphml'");
    REQUIRE(d.nodes.size() == 3);
    CHECK(d.nodes[0].id == "sw");
    CHECK(d.nodes[1].id == "h1");
    CHECK(d.nodes[2].id == "h0");
    CHECK(d.nodes[0].attributes == std::map<std::string, std::string>{{"role", "switch"}});
    CHECK(d.nodes[1].attributes == std::map<std::string, std::string>{{"agent", "1"}});
    CHECK(d.nodes[2].attributes.empty());
    REQUIRE(d.edges.size() == 3);
    // Document order, each edge as written (source, target), defaults filled in.
    CHECK((d.edges[0].source == 1 && d.edges[0].target == 0));
    CHECK((d.edges[1].source == 0 && d.edges[1].target == 2));
    CHECK((d.edges[2].source == 2 && d.edges[2].target == 1));
    CHECK(d.edges[0].attributes.at("latency") == "0.25");
    CHECK(d.edges[1].attributes.at("latency") == "0.5");
  }
}

TEST_CASE("a GraphML document rejects graph attributes and malformed XML, naming the file") {
  std::istringstream attributed(R"(<graphml><key id="g" for="graph" attr.name="owner" attr.type="string"/>
<graph edgedefault="undirected"><data key="g">me</data></graph></graphml>)");
  CHECK_THROWS_WITH_AS(cdsim::parse_graphml_document(attributed, "'g.graphml'"),
                       doctest::Contains("'g.graphml': graph attribute 'owner'"), cdsim::InvalidInput);
  std::istringstream broken("<graphml><graph>");
  CHECK_THROWS_WITH_AS(cdsim::parse_graphml_document(broken, "'b.graphml'"),
                       doctest::Contains("'b.graphml': malformed GraphML"), cdsim::InvalidInput);
}
