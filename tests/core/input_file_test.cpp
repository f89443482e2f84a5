#include "core/input_file.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "core/invalid_input.h"
#include "tests/core/temp_dir.h"

using namespace cdsim;

namespace {

// The message require_input_file throws for `path`, or "" when it accepts it.
std::string refusal(const std::string& path, std::uintmax_t max_bytes) {
  try {
    require_input_file(path, "/file", "graph file", max_bytes);
  } catch (const InvalidInput& error) {
    CHECK(error.field() == "/file");
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("an input file must be a regular file within its size bound, checked before it is read") {
  testing::TempDir dir;
  const std::string file = dir.file("g.txt");
  std::ofstream(file) << "0 1\n1 2\n";  // 8 bytes
  CHECK(refusal(file, 8) == "");
  CHECK(refusal(file, 7).find("has 8 bytes; expected a graph file of at most") != std::string::npos);
  CHECK(refusal(dir.path(), 1 << 20).find("is a directory; expected a graph file") != std::string::npos);
  CHECK(refusal("/dev/zero", 1 << 20).find("is not a regular file") != std::string::npos);
  CHECK(refusal(dir.file("absent"), 1 << 20).find("no such graph file") != std::string::npos);
}
