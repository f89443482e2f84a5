// Test helper: the text of a GraphML platform file (sim/platform_file.h) from its nodes and
// edges, with keys for the attributes tests use (data elements name them by key: r role,
// a agent, l latency, b bandwidth, bf / bb bandwidth_forward / _backward, lb
// latency_backward; c "colour" and w "weight", which the reader rejects).
#pragma once

#include <string>
#include <vector>

namespace cdsim::testing {

struct GraphmlTestNode {
  std::string id;
  std::string role;
  std::string data;  // further <data> elements
};
struct GraphmlTestEdge {
  std::string source;
  std::string target;
  std::string data;
};

// A GraphML document around `body` (node and edge elements).
inline std::string platform_graphml_document(const std::string& body, const std::string& edgedefault = "undirected") {
  return R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="r" for="node" attr.name="role" attr.type="string"/>
  <key id="a" for="node" attr.name="agent" attr.type="int"/>
  <key id="c" for="node" attr.name="colour" attr.type="string"/>
  <key id="l" for="edge" attr.name="latency" attr.type="string"/>
  <key id="b" for="edge" attr.name="bandwidth" attr.type="string"/>
  <key id="bf" for="edge" attr.name="bandwidth_forward" attr.type="string"/>
  <key id="bb" for="edge" attr.name="bandwidth_backward" attr.type="string"/>
  <key id="lb" for="edge" attr.name="latency_backward" attr.type="string"/>
  <key id="w" for="edge" attr.name="weight" attr.type="double"/>
  <graph edgedefault=")" + edgedefault + R"(">
)" + body + "</graph></graphml>\n";
}

inline std::string platform_graphml(const std::vector<GraphmlTestNode>& nodes,
                                    const std::vector<GraphmlTestEdge>& edges) {
  std::string body;
  for (const GraphmlTestNode& n : nodes) {
    body += "<node id=\"" + n.id + "\"><data key=\"r\">" + n.role + "</data>" + n.data + "</node>\n";
  }
  for (const GraphmlTestEdge& e : edges) {
    body += "<edge source=\"" + e.source + "\" target=\"" + e.target + "\">" + e.data + "</edge>\n";
  }
  return platform_graphml_document(body);
}

}  // namespace cdsim::testing
