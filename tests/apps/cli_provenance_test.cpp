#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_text;

namespace {

// What a shell command prints, trailing newline removed.
std::string shell_output(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[512];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, read);
  ::pclose(pipe);
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

}  // namespace

TEST_CASE("cdsim --version prints the CMake project version and the git commit") {
  const std::string cmake = read_text(std::string(CDSIM_SOURCE_DIR) + "/CMakeLists.txt");
  std::smatch match;
  REQUIRE(std::regex_search(cmake, match, std::regex(R"(project\(cdsim VERSION ([0-9.]+))")));
  const auto outcome = run_cli("--version");
  CHECK(outcome.exit_code == 0);
  CHECK(outcome.output.rfind("cdsim " + match[1].str() + " (commit ", 0) == 0);
  // The commit the binary was built from is a commit of this repository (not necessarily
  // HEAD: a developer may commit after building).
  const std::string source = std::string(CDSIM_SOURCE_DIR);
  if (!shell_output("git -C " + source + " rev-parse HEAD 2>/dev/null").empty()) {
    std::smatch built;
    REQUIRE(std::regex_search(outcome.output, built, std::regex(R"(\(commit ([0-9a-f]{12}))")));
    CHECK(shell_output("git -C " + source + " cat-file -t " + built[1].str() + " 2>/dev/null") == "commit");
  }
}

TEST_CASE("summary.json records the build and a SHA-256 of every input file, and the resolved scenario loads from its run directory") {
  TempFolder temp("provenance");
  // A ring of 4 agents read from an edge list and an explicit mixing matrix file, both
  // named relative to the scenario file.
  std::filesystem::create_directories(temp.path() / "inputs");
  write_text(temp.path() / "inputs" / "ring.txt", "0 1\n1 2\n2 3\n3 0\n");
  write_text(temp.path() / "inputs" / "w.txt",
             "0.5 0.25 0 0.25\n0.25 0.5 0.25 0\n0 0.25 0.5 0.25\n0.25 0 0.25 0.5\n");
  write_text(temp.path() / "s.json",
             R"({"agents": 4, "topology": {"kind": "edge_list", "file": "inputs/ring.txt"},
                 "mixing": {"rule": "explicit", "file": "inputs/w.txt"}, "run": {"steps": 4}})");
  const auto out = temp.path() / "run";
  const auto outcome = run_cli("run " + (temp.path() / "s.json").string() + " --quiet --out " + out.string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json provenance = nlohmann::json::parse(read_text(out / "summary.json"))["provenance"];
  const std::string version = run_cli("--version").output;
  CHECK(version.find(provenance["cdsim_version"].get<std::string>()) != std::string::npos);
  CHECK(version.find(provenance["git_commit"].get<std::string>().substr(0, 12)) != std::string::npos);
  CHECK(provenance["build_type"].is_string());
  CHECK(provenance["git_dirty"].is_boolean());
  const nlohmann::json& inputs = provenance["inputs"];
  REQUIRE(inputs.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const std::string path = inputs[i]["path"];
    CHECK(inputs[i]["role"] == (i == 0 ? "topology" : "mixing"));
    CHECK(std::filesystem::path(path).is_absolute());
    CHECK(std::filesystem::equivalent(path, temp.path() / "inputs" / (i == 0 ? "ring.txt" : "w.txt")));
    const std::string sha256sum = shell_output("sha256sum '" + path + "' | cut -d' ' -f1");
    CHECK(inputs[i]["sha256"] == sha256sum);
  }
  // From inside the run directory, the resolved scenario's files are still found.
  const std::string inside = "cd '" + out.string() + "' && " + std::string(CDSIM_BINARY) + " validate scenario.resolved.json";
  CHECK(std::system(inside.c_str()) == 0);
}

TEST_CASE("a run on synthetic data reads no input file and records none") {
  TempFolder temp("provenance-synthetic");
  const auto out = temp.path() / "run";
  REQUIRE(run_cli("run " + std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json --quiet --set run.steps=2 --out " +
                  out.string())
              .exit_code == 0);
  CHECK(nlohmann::json::parse(read_text(out / "summary.json"))["provenance"]["inputs"].empty());
}
