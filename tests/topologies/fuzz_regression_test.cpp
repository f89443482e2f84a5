// Replays every graph file kept under tests/fuzz/regressions/{edge_list,dot,graphml}/
// (crash inputs of the fuzzer and of the reliability issue): each must read or be
// rejected as bad input naming the file field.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/invalid_input.h"
#include "topologies/graph_io.h"

namespace fs = std::filesystem;

TEST_CASE("every kept graph fuzzer input reads or is rejected as bad input, without crashing") {
  std::size_t replayed = 0;
  for (const char* format : {"edge_list", "dot", "graphml"}) {
    const fs::path folder = fs::path(CDSIM_SOURCE_DIR) / "tests/fuzz/regressions" / format;
    if (!fs::is_directory(folder)) continue;
    for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
      CAPTURE(entry.path().string());
      try {
        const cdsim::Graph graph = cdsim::read_graph_file(entry.path().string(), format);
        CHECK(graph.vertex_count() <= cdsim::kMaxGraphVertices);
      } catch (const cdsim::InvalidInput& error) {
        CHECK(error.field() == "/file");
      }
      ++replayed;
    }
  }
  CHECK(replayed >= 2);
}
