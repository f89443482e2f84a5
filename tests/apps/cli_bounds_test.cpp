// Hostile scenarios as a user meets them through the CLI: every one exits 2 with one line
// naming the file and the field, before anything large is allocated, under validate, run
// and topology alike; --force waives the cost bounds and only them.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "core/idx_reader.h"
#include "tests/apps/cli_harness.h"

using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_text;

namespace fs = std::filesystem;

namespace {

struct Expectation {
  std::string scenario;
  std::string field;  // the pointer (or its start) the one error line must name
};

// Writes the scenario and checks `command` on it exits 2 with "error: FILE: FIELD: ".
void expect_rejected(const std::string& command, const Expectation& expected, const fs::path& folder) {
  const fs::path file = folder / "hostile.json";
  write_text(file, expected.scenario);
  const auto outcome = run_cli(command + " " + file.string() + (command == "run" ? " --quiet --out " +
                                                                                       (folder / "out").string()
                                                                                 : std::string()));
  CAPTURE(command);
  CAPTURE(expected.scenario.substr(0, 200));
  INFO(outcome.output);
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("error: " + file.string() + ": " + expected.field) == 0);
  CHECK(outcome.output.find('\n') == outcome.output.size() - 1);  // one line
  CHECK_FALSE(fs::exists(folder / "out"));
}

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("deeply nested JSON exits 2 under validate, run and topology") {
  TempFolder temp("nested");
  const Expectation deep{"{\"agents\": " + nested(50'000) + "}", "/agents"};
  for (const char* command : {"validate", "run", "topology"}) expect_rejected(command, deep, temp.path());
}

TEST_CASE("huge counts are rejected by their field before anything is allocated") {
  TempFolder temp("huge");
  const Expectation cases[] = {
      {R"({"agents": 1e18})", "/agents"},
      {R"({"agents": 1e12})", "/agents"},
      {R"({"algorithm": {"consensus_steps": 1e12}})", "/algorithm/consensus_steps"},
      {R"({"algorithm": {"kind": "fedavg", "local_epochs": 1e15}})", "/algorithm/local_epochs"},
      {R"({"run": {"steps": 18446744073709551615}})", "/run/steps"},
      {R"({"run": {"epochs": 1e308}})", "/run/epochs"},
      {R"({"seed": 1e999})", "/seed"},
      // A complete graph on 2^24 agents would have 1.4e14 edges.
      {R"({"agents": 16777216, "topology": {"kind": "complete"}})", "/topology"},
      // 1e6 x 1e6 weights: 10^12 parameters.
      {R"({"data": {"source": "gaussian_mixture"}, "model": {"kind": "mlp", "hidden": [1000000, 1000000]}})",
       "/model/hidden"},
      // Epochs that are too many steps once the data size is known.
      {R"({"data": {"train_samples": 100000}, "algorithm": {"batch_size": 1}, "run": {"epochs": 1000000}})",
       "/run/epochs"},
  };
  for (const Expectation& c : cases) {
    expect_rejected("validate", c, temp.path());
    expect_rejected("run", c, temp.path());
  }
}

TEST_CASE("times that would overflow the simulated clock are caught at validation by their field") {
  TempFolder temp("times");
  const Expectation cases[] = {
      {R"({"compute": {"flops_per_second": 1e-300}})", "/compute/flops_per_second"},
      {R"({"network": {"latency": "2000000h"}})", "/network/latency"},
      {R"({"network": {"latency": "1h"}, "run": {"steps": 100000000}})", "/run/steps"},
      {R"({"network": {"bandwidth": "1bps"}, "model": {"kind": "softmax_regression"},
           "data": {"source": "gaussian_mixture", "dimension": 1000000, "train_samples": 10, "test_samples": 10},
           "run": {"steps": 1000}})",
       "/network/bandwidth"},
  };
  for (const Expectation& c : cases) expect_rejected("validate", c, temp.path());
}

TEST_CASE("--force waives the memory bound but never the clock's range") {
  TempFolder temp("force");
  const fs::path big = temp.path() / "big.json";
  // 2^20 agents of 10^4 parameters each, with 4 copies: about 160 GiB estimated.
  write_text(big, R"({"agents": 1048576, "data": {"dimension": 10000, "train_samples": 40000, "test_samples": 10}})");
  const auto refused = run_cli("validate " + big.string());
  INFO(refused.output);
  CHECK(refused.exit_code == 2);
  CHECK(refused.output.find("--force") != std::string::npos);
  const auto forced = run_cli("validate --force " + big.string());
  INFO(forced.output);
  CHECK(forced.exit_code == 0);
  const fs::path slow = temp.path() / "slow.json";
  write_text(slow, R"({"compute": {"flops_per_second": 1e-300}})");
  CHECK(run_cli("validate --force " + slow.string()).exit_code == 2);
}

TEST_CASE("a million-agent ring validates within the bounds") {
  TempFolder temp("million");
  const fs::path ring = temp.path() / "ring.json";
  write_text(ring, R"({"agents": 1048576, "data": {"dimension": 4, "train_samples": 1048576, "test_samples": 16},
                       "run": {"steps": 10, "eval_every_steps": 10}})");
  const auto outcome = run_cli("validate " + ring.string());
  INFO(outcome.output);
  CHECK(outcome.exit_code == 0);
  CHECK(outcome.output.find("1048576 edges") != std::string::npos);
}

TEST_CASE("a graph file that is a directory, or names huge vertices, exits 2 naming topology.file") {
  TempFolder temp("graphfile");
  fs::create_directories(temp.path() / "graphs");
  write_text(temp.path() / "huge-id.txt", "0 1\n1 999999999999\n");
  write_text(temp.path() / "huge-header.txt", "# 999999999999 vertices\n0 1\n");
  for (const std::string& file : {std::string("graphs"), std::string("huge-id.txt"), std::string("huge-header.txt")}) {
    const Expectation c{R"({"topology": {"kind": "edge_list", "file": ")" + file + "\"}}", "/topology/file"};
    expect_rejected("validate", c, temp.path());
  }
}

TEST_CASE("validate reads the data headers: a truncated IDX file or an empty test set exits 2 naming data.path") {
  TempFolder temp("idx");
  const fs::path data = temp.path() / "data";
  fs::create_directories(data);
  cdsim::IdxArray images{{4, 2, 2}, std::vector<std::uint8_t>(16, 7)};
  cdsim::IdxArray labels{{4}, {0, 1, 0, 1}};
  cdsim::write_idx((data / "train-images-idx3-ubyte").string(), images);
  cdsim::write_idx((data / "train-labels-idx1-ubyte").string(), labels);
  cdsim::write_idx((data / "t10k-images-idx3-ubyte").string(), cdsim::IdxArray{{0, 2, 2}, {}});
  cdsim::write_idx((data / "t10k-labels-idx1-ubyte").string(), cdsim::IdxArray{{0}, {}});
  const std::string scenario = R"({"data": {"source": "idx", "path": "data"}, "model": {"kind": "softmax_regression"}})";
  expect_rejected("validate", {scenario, "/data/path"}, temp.path());
  expect_rejected("run", {scenario, "/data/path"}, temp.path());
  cdsim::write_idx((data / "t10k-images-idx3-ubyte").string(), images);
  cdsim::write_idx((data / "t10k-labels-idx1-ubyte").string(), labels);
  const fs::path file = temp.path() / "ok.json";
  write_text(file, scenario);
  CHECK(run_cli("validate " + file.string()).exit_code == 0);
  write_text(data / "t10k-images-idx3-ubyte", std::string("\0\0\x08\x03\0\0\0\x04\0\0\0\x02\0\0\0\x02", 16) + "short");
  expect_rejected("validate", {scenario, "/data/path"}, temp.path());
}

TEST_CASE("topology --parameters beyond 2^40 exits 2 instead of wrapping") {
  const auto outcome = run_cli("topology --spec '{}' --parameters 4611686018427387904");
  INFO(outcome.output);
  CHECK(outcome.exit_code == 2);
}
