// Reading and writing graphs: plain edge lists, Graphviz DOT and GraphML (read through
// Boost.Graph's parsers, which stay inside graph_io.cpp), and DOT export with the mixing
// weights on the edges. Read errors throw InvalidInput("/file", ...) naming the file.
#pragma once

#include <iosfwd>
#include <string>

#include "topologies/graph.h"
#include "topologies/mixing_matrix.h"

namespace cdsim {

// Reads `path` as `format` ("edge_list", "dot" or "graphml").
Graph read_graph_file(const std::string& path, const std::string& format);

// Edge list: one edge "u v" per line (0-based vertex ids, separated by spaces, tabs or a
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

std::string write_edge_list(const Graph& graph);
std::string write_graphml(const Graph& graph);
// DOT with each agent's self weight as a node label and each edge's weight as an edge
// label; the weights are Pi[u][v] (a symmetric matrix has one weight per edge; for an
// asymmetric one both directions are given as "w_uv / w_vu").
std::string write_dot(const Graph& graph, const MixingMatrix& matrix);

}  // namespace cdsim
