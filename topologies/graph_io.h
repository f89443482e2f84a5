// Reading and writing graphs: plain edge lists, Graphviz DOT and GraphML (read through
// Boost.Graph's parsers, which stay inside graph_io.cpp), and DOT export with the mixing
// weights on the edges. Read errors throw InvalidInput("/file", ...) naming the file.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "topologies/graph.h"
#include "topologies/mixing_matrix.h"

namespace cdsim {

// The link properties a graph file gives one edge, as written there (unit strings such
// as "5ms" or "100Mbit/s"; a bare number means seconds or bytes per second, as in a
// scenario). topologies/ knows no units: the scenario layer parses them. Empty = not given.
struct EdgeLinkText {
  std::string latency;
  std::string bandwidth;
  friend bool operator==(const EdgeLinkText&, const EdgeLinkText&) = default;
};

// A graph and what its file says about each edge's link.
struct AttributedGraph {
  Graph graph;
  // Aligned with graph.edges(); empty when no edge has a link attribute.
  std::vector<EdgeLinkText> edge_links;
};

// Edge attributes a graph file may carry: latency and bandwidth (the edge's link), and
// label and weight, which are accepted and ignored (write_dot writes them; mixing weights
// come from the scenario's mixing rule). Any other edge attribute is an error. Node and
// graph attributes are ignored. Duplicate edges must agree on their attributes.

// Reads `path` as `format` ("edge_list", "dot" or "graphml").
Graph read_graph_file(const std::string& path, const std::string& format);
AttributedGraph read_attributed_graph_file(const std::string& path, const std::string& format);
// The same from a stream; `source` names the input in error messages.
AttributedGraph parse_attributed_graph(std::istream& in, const std::string& format, const std::string& source);

// Edge list: one edge "u v" per line, optionally followed by link attributes as
// key=value columns ("0 1 latency=5ms bandwidth=1Gbit/s") (0-based vertex ids, separated by spaces, tabs or a
// comma); blank lines and text after '#' or '%' are ignored. The vertex count is the
// largest id + 1, unless a comment "# <N> vertices" (as write_edge_list writes) declares
// it, which keeps isolated vertices. Self-loops and duplicates are dropped (see Graph).
// `source` names the input in error messages.
Graph parse_edge_list(std::istream& in, const std::string& source);

// Graphviz DOT ("graph" or "digraph"; directed edges count as undirected). Node ids must be
// the integers 0..N-1 (node statements without edges are allowed).
Graph parse_dot(std::istream& in, const std::string& source);

// GraphML (directed or undirected). Vertex k is the k-th node the file mentions, which is
// node order for files written by networkx, igraph or write_graphml below.
Graph parse_graphml(std::istream& in, const std::string& source);

// A GraphML file as written, for readers that give nodes meaning (sim/platform_file.h):
// every node and edge attribute as text (typed values written back, e.g. an int "3"), nodes
// in document order (Boost's order), edges in document order with their source and target
// as node indices. Graph attributes are an error. Node ids are the file's, or "#k" (the
// k-th node) where the file does not name node k directly (an edge to an undeclared node).
struct GraphmlNode {
  std::string id;
  std::map<std::string, std::string> attributes;
};
struct GraphmlEdge {
  std::size_t source = 0;
  std::size_t target = 0;
  std::map<std::string, std::string> attributes;
};
struct GraphmlDocument {
  std::vector<GraphmlNode> nodes;
  std::vector<GraphmlEdge> edges;
};
GraphmlDocument parse_graphml_document(std::istream& in, const std::string& source);

std::string write_edge_list(const Graph& graph);
std::string write_graphml(const Graph& graph);
// DOT with each agent's self weight as a node label and each edge's weight as an edge
// label; the weights are Pi[u][v] (a symmetric matrix has one weight per edge; for an
// asymmetric one both directions are given as "w_uv / w_vu").
std::string write_dot(const Graph& graph, const MixingMatrix& matrix);

}  // namespace cdsim
