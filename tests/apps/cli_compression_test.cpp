// End-to-end checks of compressed runs: what the run directory says about them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;

namespace {

// A small MLP on a Gaussian mixture, 5 agents on a ring; `algorithm` is the algorithm
// section's body.
std::string mlp_scenario(const std::string& algorithm) {
  return R"({"name": "compression", "seed": 3, "agents": 5, "topology": {"kind": "ring"},
    "network": {"latency": "1ms", "bandwidth": "10Mbps"}, "compute": {"step_time": "2ms"},
    "data": {"source": "gaussian_mixture", "train_samples": 600, "test_samples": 200, "dimension": 12,
             "classes": 3, "partition": {"kind": "iid"}},
    "model": {"kind": "mlp", "hidden": [16]},
    "algorithm": {)" + algorithm + R"(},
    "run": {"epochs": 3, "eval_every_steps": 5}})";
}

// Runs the scenario text into folder/name and returns the run directory.
std::filesystem::path run_scenario(const TempFolder& folder, const std::string& name, const std::string& text) {
  const auto scenario = folder.path() / (name + ".json");
  std::ofstream(scenario) << text;
  const auto out = folder.path() / name;
  const auto outcome = run_cli("run " + scenario.string() + " --quiet --out " + out.string());
  REQUIRE_MESSAGE(outcome.exit_code == 0, outcome.output);
  return out;
}

}  // namespace

TEST_CASE("CHOCO-SGD with the identity compressor and gamma = 1 writes CDSGD's metrics.csv and agents.csv byte for byte") {
  TempFolder temp("choco-is-cdsgd");
  const auto cdsgd = run_scenario(temp, "cdsgd", mlp_scenario(R"("kind": "cdsgd", "learning_rate": 0.05, "batch_size": 16)"));
  const auto choco = run_scenario(temp, "choco", mlp_scenario(R"("kind": "choco_sgd", "learning_rate": 0.05, "batch_size": 16,
      "consensus_step_size": 1, "compression": {"kind": "identity"})"));
  for (const char* name : {"metrics.csv", "agents.csv"}) {
    CAPTURE(name);
    const std::string expected = read_text(cdsgd / name);
    CHECK(expected.size() > 200);
    CHECK(read_text(choco / name) == expected);
  }
}
