// libFuzzer harness for the graph file readers; GRAPH_FORMAT (set by CMake) picks
// parse_edge_list, parse_dot or parse_graphml. Every input must give a Graph or throw
// InvalidInput naming the file; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "core/invalid_input.h"
#include "topologies/graph_io.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    const cdsim::Graph graph = GRAPH_FORMAT(in, "fuzz");
    (void)graph.edge_count();
  } catch (const cdsim::InvalidInput&) {
  }
  return 0;
}
