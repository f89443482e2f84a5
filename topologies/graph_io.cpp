#include "topologies/graph_io.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphml.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/dynamic_property_map.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <boost/make_shared.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <type_traits>

#include "core/input_file.h"
#include "core/invalid_input.h"
#include "core/printable_text.h"

namespace cdsim {
namespace {

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

// Parses a whole nonnegative decimal integer, or returns false.
bool parse_index(const std::string& text, std::size_t& value) {
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  value = std::stoull(text);
  return true;
}

// Boost's DOT and GraphML parsers recurse once per level of nesting (subgraphs, XML
// elements), so a deeply nested file would overflow the stack: the depth is bounded by a
// flat scan before the text reaches them. Real graph files nest two or three levels.
constexpr std::size_t kMaxGraphNesting = 64;

[[noreturn]] void too_deep(const std::string& source, const char* what) {
  throw InvalidInput("/file", source + ": " + what + " nested deeper than " + std::to_string(kMaxGraphNesting) +
                                  " levels; expected at most " + std::to_string(kMaxGraphNesting));
}

// DOT: braces (graph and subgraph bodies) and brackets outside quoted strings and comments.
void check_dot_nesting(const std::string& text, const std::string& source) {
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      const std::size_t end = text.find("*/", i + 2);
      i = end == std::string::npos ? text.size() : end + 1;
    } else if ((c == '/' && i + 1 < text.size() && text[i + 1] == '/') || c == '#') {
      const std::size_t end = text.find('\n', i);
      i = end == std::string::npos ? text.size() : end;
    } else if (c == '-' && i + 1 < text.size() && text[i + 1] == '>') {
      ++i;  // a directed edge, not the end of an HTML label
    } else if (c == '{' || c == '[' || c == '<') {
      if (++depth > kMaxGraphNesting) too_deep(source, "braces, brackets or HTML labels are");
    } else if ((c == '}' || c == ']' || c == '>') && depth > 0) {
      --depth;
    }
  }
}

// XML: elements opened and not yet closed, skipping declarations, comments and CDATA.
void check_xml_nesting(const std::string& text, const std::string& source) {
  std::size_t depth = 0;
  std::size_t i = 0;
  while ((i = text.find('<', i)) != std::string::npos) {
    const auto skip_to = [&](const char* end) {
      const std::size_t at = text.find(end, i + 1);
      i = at == std::string::npos ? text.size() : at + std::strlen(end);
    };
    if (text.compare(i, 4, "<!--") == 0) {
      skip_to("-->");
    } else if (text.compare(i, 9, "<![CDATA[") == 0) {
      skip_to("]]>");
    } else if (text.compare(i, 2, "<?") == 0 || text.compare(i, 2, "<!") == 0) {
      skip_to(">");
    } else if (text.compare(i, 2, "</") == 0) {
      if (depth > 0) --depth;
      skip_to(">");
    } else {
      // An opening tag: find its end outside quoted attribute values.
      std::size_t j = i + 1;
      char quote = 0;
      for (; j < text.size(); ++j) {
        if (quote != 0) {
          if (text[j] == quote) quote = 0;
        } else if (text[j] == '"' || text[j] == '\'') {
          quote = text[j];
        } else if (text[j] == '>') {
          break;
        }
      }
      const bool self_closing = j < text.size() && j > i + 1 && text[j - 1] == '/';
      if (!self_closing && ++depth > kMaxGraphNesting) too_deep(source, "XML elements are");
      i = j;
    }
  }
}

// An edge's attributes as read, by name.
struct EdgeText {
  std::map<std::string, std::string> values;
};

template <typename Directedness>
using NamedGraph = boost::adjacency_list<boost::vecS, boost::vecS, Directedness,
                                         boost::property<boost::vertex_name_t, std::string>, EdgeText>;
template <typename Directedness>
using UnnamedGraph = boost::adjacency_list<boost::vecS, boost::vecS, Directedness, boost::no_property, EdgeText>;

// GraphML hands typed values (attr.type="double" and so on); DOT hands strings.
std::string any_to_text(const boost::any& value) {
  if (const auto* text = boost::any_cast<std::string>(&value)) return *text;
  char buffer[40];
  if (const auto* d = boost::any_cast<double>(&value)) {
    std::snprintf(buffer, sizeof buffer, "%.17g", *d);
  } else if (const auto* f = boost::any_cast<float>(&value)) {
    std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(*f));
  } else if (const auto* i = boost::any_cast<int>(&value)) {
    std::snprintf(buffer, sizeof buffer, "%d", *i);
  } else if (const auto* l = boost::any_cast<long>(&value)) {
    std::snprintf(buffer, sizeof buffer, "%ld", *l);
  } else if (const auto* b = boost::any_cast<bool>(&value)) {
    return *b ? "true" : "false";
  } else {
    return "?";
  }
  return buffer;
}

// A property map Boost's readers create on demand for every attribute they meet; it stores
// the value as text in the node's or edge's bundled values, so that unknown names can be
// reported. Descriptor says which (Boost keys node values by vertex, edge values by edge).
template <typename BoostGraph, typename Descriptor>
class TextMap final : public boost::dynamic_property_map {
 public:
  TextMap(BoostGraph& graph, std::string name) : graph_(graph), name_(std::move(name)) {}
  boost::any get(const boost::any& key) override { return get_string(key); }
  std::string get_string(const boost::any& key) override {
    const auto& values = graph_[boost::any_cast<Descriptor>(key)].values;
    const auto found = values.find(name_);
    return found == values.end() ? std::string() : found->second;
  }
  void put(const boost::any& key, const boost::any& value) override {
    graph_[boost::any_cast<Descriptor>(key)].values[name_] = any_to_text(value);
  }
  const std::type_info& key() const override { return typeid(Descriptor); }
  const std::type_info& value() const override { return typeid(std::string); }

 private:
  BoostGraph& graph_;
  std::string name_;
};
template <typename BoostGraph>
using EdgeTextMap = TextMap<BoostGraph, typename boost::graph_traits<BoostGraph>::edge_descriptor>;

// Properties that keep every edge attribute (as text) and ignore node and graph ones.
template <typename BoostGraph>
boost::dynamic_properties edge_text_properties(BoostGraph& graph) {
  using EdgeDescriptor = typename boost::graph_traits<BoostGraph>::edge_descriptor;
  return boost::dynamic_properties(
      [&graph](const std::string& name, const boost::any& key,
               const boost::any&) -> boost::shared_ptr<boost::dynamic_property_map> {
        if (key.type() != typeid(EdgeDescriptor)) return {};
        return boost::make_shared<EdgeTextMap<BoostGraph>>(graph, name);
      });
}

struct RawEdge {
  std::size_t u;
  std::size_t v;
  std::map<std::string, std::string> attributes;
};

// Checks the attribute names, merges duplicate edges and aligns the link attributes with
// the normalized Graph's edges.
AttributedGraph collect(std::size_t vertex_count, std::vector<RawEdge> raw, const std::string& source) {
  std::map<Edge, EdgeLinkText> links;
  std::vector<Edge> edges;
  edges.reserve(raw.size());
  bool any_link = false;
  for (RawEdge& edge : raw) {
    const std::string name = source + ": edge " + std::to_string(edge.u) + " -- " + std::to_string(edge.v);
    EdgeLinkText text;
    for (auto& [key, value] : edge.attributes) {
      if (key == "latency") {
        text.latency = value;
      } else if (key == "bandwidth") {
        text.bandwidth = value;
      } else if (key != "label" && key != "weight") {
        throw InvalidInput("/file", name + " has an unknown attribute '" + printable(key) +
                                        "'; expected latency or bandwidth (label and weight are ignored)");
      }
    }
    edges.emplace_back(edge.u, edge.v);
    if (edge.u == edge.v) continue;  // dropped by Graph
    any_link = any_link || !text.latency.empty() || !text.bandwidth.empty();
    const Edge key{std::min(edge.u, edge.v), std::max(edge.u, edge.v)};
    const auto [found, inserted] = links.emplace(key, text);
    if (!inserted && !(found->second == text)) {
      throw InvalidInput("/file", name + " is given twice with different link attributes; expected one edge");
    }
  }
  AttributedGraph result{Graph(vertex_count, std::move(edges)), {}};
  if (any_link) {
    result.edge_links.reserve(result.graph.edge_count());
    for (const Edge& e : result.graph.edges()) result.edge_links.push_back(links.at(e));
  }
  return result;
}

// Copies a Boost graph whose vertex_name holds each node's integer id.
template <typename BoostGraph>
AttributedGraph from_named(const BoostGraph& g, const std::string& source) {
  const std::size_t n = boost::num_vertices(g);
  std::vector<std::size_t> id(n);
  std::vector<char> used(n, 0);
  for (std::size_t v = 0; v < n; ++v) {
    const std::string& name = boost::get(boost::vertex_name, g, v);
    if (!parse_index(name, id[v]) || id[v] >= n || used[id[v]]) {
      throw InvalidInput("/file", source + ": node '" + name + "' is not one of the integers 0.." +
                                      std::to_string(n - 1) + " (each used once); expected node ids 0..N-1");
    }
    used[id[v]] = 1;
  }
  std::vector<RawEdge> edges;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    edges.push_back({id[boost::source(*it, g)], id[boost::target(*it, g)], g[*it].values});
  }
  return collect(n, std::move(edges), source);
}

template <typename BoostGraph>
AttributedGraph from_unnamed(const BoostGraph& g, const std::string& source) {
  std::vector<RawEdge> edges;
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    edges.push_back({boost::source(*it, g), boost::target(*it, g), g[*it].values});
  }
  return collect(boost::num_vertices(g), std::move(edges), source);
}

template <typename Directedness>
AttributedGraph read_dot_as(const std::string& text, const std::string& source) {
  NamedGraph<Directedness> g;
  boost::dynamic_properties properties = edge_text_properties(g);
  properties.property("node_id", boost::get(boost::vertex_name, g));
  if (!boost::read_graphviz(text, g, properties, "node_id")) {
    throw InvalidInput("/file", source + ": not a readable Graphviz DOT graph");
  }
  return from_named(g, source);
}

template <typename Directedness>
AttributedGraph read_graphml_as(const std::string& text, const std::string& source) {
  UnnamedGraph<Directedness> g;
  boost::dynamic_properties properties = edge_text_properties(g);
  std::istringstream stream(text);
  boost::read_graphml(stream, g, properties);
  return from_unnamed(g, source);
}

// True when the DOT text declares a digraph (first keyword after an optional "strict").
bool declares_digraph(const std::string& text) {
  std::istringstream words(text);
  std::string word;
  while (words >> word) {
    std::transform(word.begin(), word.end(), word.begin(), [](unsigned char c) { return std::tolower(c); });
    if (word == "strict") continue;
    return word.rfind("digraph", 0) == 0;
  }
  return false;
}

}  // namespace

namespace {

AttributedGraph parse_edge_list_attributed(std::istream& in, const std::string& source) {
  std::vector<RawEdge> edges;
  std::size_t vertex_count = 0;
  std::string line;
  std::size_t line_number = 0;
  std::optional<std::size_t> declared;  // from a "# <N> vertices" comment, as write_edge_list writes
  while (std::getline(in, line)) {
    ++line_number;
    if (const std::size_t hash = line.find('#'); hash != std::string::npos) {
      std::istringstream comment(line.substr(hash + 1));
      std::string count;
      std::string word;
      std::size_t value = 0;
      if (comment >> count >> word && (word == "vertices" || word == "vertices,") && parse_index(count, value)) {
        declared = value;
      }
    }
    line = line.substr(0, std::min(line.find('#'), line.find('%')));
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    std::vector<std::string> tokens{std::istream_iterator<std::string>(fields), std::istream_iterator<std::string>()};
    if (tokens.empty()) continue;
    const std::string where = source + " line " + std::to_string(line_number) + ": '" + printable(line) + "'";
    std::size_t u = 0;
    std::size_t v = 0;
    if (tokens.size() < 2 || !parse_index(tokens[0], u) || !parse_index(tokens[1], v)) {
      throw InvalidInput("/file", where + "; expected two vertex ids 'u v' (nonnegative integers)");
    }
    if (u >= kMaxGraphVertices || v >= kMaxGraphVertices) {
      throw InvalidInput("/file", source + " line " + std::to_string(line_number) + ": vertex id " +
                                      std::to_string(std::max(u, v)) + " is too large; expected ids below " +
                                      std::to_string(kMaxGraphVertices));
    }
    RawEdge edge{u, v, {}};
    for (std::size_t t = 2; t < tokens.size(); ++t) {
      const std::size_t equals = tokens[t].find('=');
      if (equals == std::string::npos || equals == 0 || equals + 1 == tokens[t].size()) {
        throw InvalidInput("/file", where + ": column '" + printable(tokens[t]) +
                                        "'; expected link attributes as key=value (latency=5ms bandwidth=1Gbit/s)");
      }
      const std::string key = tokens[t].substr(0, equals);
      if (!edge.attributes.emplace(key, tokens[t].substr(equals + 1)).second) {
        throw InvalidInput("/file", where + ": attribute '" + printable(key) + "' is given twice");
      }
    }
    edges.push_back(std::move(edge));
    vertex_count = std::max({vertex_count, u + 1, v + 1});
  }
  if (declared) {
    if (*declared > kMaxGraphVertices) {
      throw InvalidInput("/file", source + " declares " + std::to_string(*declared) +
                                      " vertices; expected at most " + std::to_string(kMaxGraphVertices));
    }
    if (*declared < vertex_count) {
      throw InvalidInput("/file", source + " declares " + std::to_string(*declared) + " vertices but uses vertex id " +
                                      std::to_string(vertex_count - 1) + "; expected ids below the declared count");
    }
    vertex_count = *declared;
  }
  return collect(vertex_count, std::move(edges), source);
}

AttributedGraph parse_dot_attributed(std::istream& in, const std::string& source) {
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  check_dot_nesting(text, source);
  try {
    return declares_digraph(text) ? read_dot_as<boost::directedS>(text, source)
                                  : read_dot_as<boost::undirectedS>(text, source);
  } catch (const InvalidInput&) {
    throw;
  } catch (const std::exception& e) {
    throw InvalidInput("/file", source + ": malformed Graphviz DOT: " + e.what());
  }
}

// The ids of the first <graph> element's <node> children, in document order.
std::vector<std::string> root_graph_node_ids(const std::string& text) {
  boost::property_tree::ptree tree;
  std::istringstream in(text);
  boost::property_tree::read_xml(in, tree, boost::property_tree::xml_parser::no_comments);
  std::vector<std::string> ids;
  const auto graphs = tree.get_child("graphml").equal_range("graph");
  if (graphs.first == graphs.second) return ids;
  for (const auto& [tag, node] : graphs.first->second) {
    if (tag == "node") ids.push_back(node.get<std::string>("<xmlattr>.id", "#" + std::to_string(ids.size())));
  }
  return ids;
}

// Nodes and edges both carry their attributes as text. Undirected and bidirectional graphs
// keep one list of all edges in insertion order, which is the file's (a directedS graph
// would list them by source vertex).
template <typename Directedness>
using DocumentGraph = boost::adjacency_list<boost::vecS, boost::vecS, Directedness, EdgeText, EdgeText>;

template <typename Directedness>
GraphmlDocument read_graphml_document_as(const std::string& text, const std::string& source) {
  using G = DocumentGraph<Directedness>;
  G g;
  using VertexDescriptor = typename boost::graph_traits<G>::vertex_descriptor;
  using EdgeDescriptor = typename boost::graph_traits<G>::edge_descriptor;
  boost::dynamic_properties properties(
      [&g, &source](const std::string& name, const boost::any& key,
                    const boost::any&) -> boost::shared_ptr<boost::dynamic_property_map> {
        if (key.type() == typeid(VertexDescriptor)) return boost::make_shared<TextMap<G, VertexDescriptor>>(g, name);
        if (key.type() == typeid(EdgeDescriptor)) return boost::make_shared<TextMap<G, EdgeDescriptor>>(g, name);
        throw InvalidInput("/file", source + ": graph attribute '" + printable(name) +
                                        "'; expected attributes on nodes and edges only");
      });
  std::istringstream stream(text);
  boost::read_graphml(stream, g, properties);
  GraphmlDocument document;
  document.nodes.reserve(boost::num_vertices(g));
  for (std::size_t v = 0; v < boost::num_vertices(g); ++v) {
    document.nodes.push_back(GraphmlNode{"#" + std::to_string(v), g[v].values});
  }
  // Boost keeps no node ids: the root graph's <node> elements, in document order, are its
  // first vertices (read_graphml adds them before any edge's endpoints).
  const std::vector<std::string> ids = root_graph_node_ids(text);
  for (std::size_t v = 0; v < std::min(ids.size(), document.nodes.size()); ++v) document.nodes[v].id = ids[v];
  for (auto [it, end] = boost::edges(g); it != end; ++it) {
    document.edges.push_back(GraphmlEdge{boost::source(*it, g), boost::target(*it, g), g[*it].values});
  }
  return document;
}

// Reads GraphML text with `read<Directedness>` as an undirected graph, or as a directed one
// when Boost says the file is; Boost's errors become InvalidInput naming the file.
template <typename Read>
auto read_graphml_text(std::istream& in, const std::string& source, Read read) {
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  check_xml_nesting(text, source);
  try {
    try {
      return read(boost::undirectedS{}, text);
    } catch (const boost::directed_graph_error&) {
      return read(boost::bidirectionalS{}, text);
    }
  } catch (const InvalidInput&) {
    throw;
  } catch (const std::exception& e) {
    throw InvalidInput("/file", source + ": malformed GraphML: " + e.what());
  }
}

AttributedGraph parse_graphml_attributed(std::istream& in, const std::string& source) {
  return read_graphml_text(in, source, [&source]<typename Directedness>(Directedness, const std::string& text) {
    // Directed files as directedS: an attributed graph needs no edge order.
    using D = std::conditional_t<std::is_same_v<Directedness, boost::undirectedS>, boost::undirectedS, boost::directedS>;
    return read_graphml_as<D>(text, source);
  });
}

}  // namespace

Graph parse_edge_list(std::istream& in, const std::string& source) {
  return parse_edge_list_attributed(in, source).graph;
}

Graph parse_dot(std::istream& in, const std::string& source) { return parse_dot_attributed(in, source).graph; }

Graph parse_graphml(std::istream& in, const std::string& source) {
  return parse_graphml_attributed(in, source).graph;
}

GraphmlDocument parse_graphml_document(std::istream& in, const std::string& source) {
  return read_graphml_text(in, source, [&source]<typename Directedness>(Directedness, const std::string& text) {
    return read_graphml_document_as<Directedness>(text, source);
  });
}

AttributedGraph parse_attributed_graph(std::istream& in, const std::string& format, const std::string& source) {
  if (format == "edge_list") return parse_edge_list_attributed(in, source);
  if (format == "dot") return parse_dot_attributed(in, source);
  if (format == "graphml") return parse_graphml_attributed(in, source);
  throw InvalidInput("/kind", "unknown graph file format '" + format + "'; expected edge_list, dot or graphml");
}

AttributedGraph read_attributed_graph_file(const std::string& path, const std::string& format) {
  if (path.empty()) throw InvalidInput("/file", "the " + format + " topology needs a file; none was given");
  // An edge list of the largest graph (2^24 vertices, a few edges each) fits in 1 GiB.
  require_input_file(path, "/file", "graph file (" + format + ")", std::uintmax_t{1} << 30);
  std::ifstream in(path);
  if (!in) throw InvalidInput("/file", "cannot open graph file '" + path + "'");
  return parse_attributed_graph(in, format, "'" + path + "'");
}

Graph read_graph_file(const std::string& path, const std::string& format) {
  return read_attributed_graph_file(path, format).graph;
}

std::string write_edge_list(const Graph& graph) {
  std::string out = "# " + std::to_string(graph.vertex_count()) + " vertices, " + std::to_string(graph.edge_count()) +
                    " edges\n";
  for (const Edge& e : graph.edges()) out += std::to_string(e.first) + " " + std::to_string(e.second) + "\n";
  return out;
}

std::string write_graphml(const Graph& graph) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
      "  <graph id=\"G\" edgedefault=\"undirected\">\n";
  for (std::size_t v = 0; v < graph.vertex_count(); ++v) out += "    <node id=\"n" + std::to_string(v) + "\"/>\n";
  for (const Edge& e : graph.edges()) {
    out += "    <edge source=\"n" + std::to_string(e.first) + "\" target=\"n" + std::to_string(e.second) + "\"/>\n";
  }
  out += "  </graph>\n</graphml>\n";
  return out;
}

std::string write_dot(const Graph& graph, const MixingMatrix& matrix) {
  std::string out = "graph topology {\n";
  for (std::size_t v = 0; v < graph.vertex_count(); ++v) {
    out += "  " + std::to_string(v) + " [label=\"" + std::to_string(v) + "\\nself " + number(matrix.weight(v, v)) +
           "\"];\n";
  }
  for (const Edge& e : graph.edges()) {
    const double forward = matrix.weight(e.first, e.second);
    const double backward = matrix.weight(e.second, e.first);
    const std::string label = forward == backward ? number(forward) : number(forward) + " / " + number(backward);
    out += "  " + std::to_string(e.first) + " -- " + std::to_string(e.second) + " [label=\"" + label +
           "\", weight=\"" + number(forward) + "\"];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace cdsim
