// End-to-end checks of compressed runs: what the run directory says about them.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

// Cell c of a CSV row, empty where the split dropped trailing empty cells.
std::string cell(const std::vector<std::string>& row, std::size_t c) { return c < row.size() ? row[c] : std::string(); }

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

TEST_CASE("summary.json counts a compressed run's bytes at the compressed wire sizes") {
  // CHOCO-SGD with scaled sign on the 259-parameter MLP: every message is the header (24),
  // the compressed field's tag and length (2) and CompressedValues: dimension (5), codes
  // (tag, length, ceil(259 / 8) = 33 bytes), bits_per_code (5) and the scale (5). 5 agents
  // on a ring, 2 messages each a step, 24 steps.
  TempFolder temp("compressed-summary");
  const auto sign = run_scenario(temp, "sign", mlp_scenario(R"("kind": "choco_sgd", "learning_rate": 0.05, "batch_size": 16,
      "consensus_step_size": 0.5, "compression": {"kind": "scaled_sign"})"));
  const auto summary = nlohmann::json::parse(read_text(sign / "summary.json"));
  const std::int64_t message = 24 + 2 + 5 + (1 + 1 + 33) + 5 + 5;
  const std::int64_t messages = 24 * 5 * 2;
  CHECK(summary["messages_total"].get<std::int64_t>() == messages);
  CHECK(summary["bytes_total"].get<std::int64_t>() == messages * message);
  CHECK(summary["mean_message_bytes"].get<double>() == doctest::Approx(static_cast<double>(message)));
  CHECK(summary["compression"] == "scaled_sign");
  // The last metrics.csv row says the same.
  const auto rows = cdsim::testing::csv_rows(read_text(sign / "metrics.csv"));
  CHECK(rows.back()[3] == std::to_string(messages * message));
  CHECK(rows.back()[4] == std::to_string(messages));
}

TEST_CASE("FedAvg's metrics.csv gives its clients' pre-average models their own columns, empty for CDSGD and at the start") {
  TempFolder temp("fedavg-clients");
  const auto fedavg = run_scenario(temp, "fedavg", mlp_scenario(R"("kind": "fedavg", "learning_rate": 0.05, "batch_size": 16,
      "client_fraction": 0.6, "compression": {"kind": "top_k", "fraction": 0.1})"));
  const auto cdsgd = run_scenario(temp, "cdsgd", mlp_scenario(R"("kind": "cdsgd", "learning_rate": 0.05, "batch_size": 16)"));
  const auto fedavg_rows = cdsim::testing::csv_rows(read_text(fedavg / "metrics.csv"));
  const auto header = fedavg_rows.front();
  REQUIRE(header.size() == 15);
  CHECK(header[12] == "client_test_loss");
  CHECK(header[13] == "client_test_accuracy");
  CHECK(header[14] == "client_consensus_distance");
  REQUIRE(fedavg_rows.size() >= 3);
  for (std::size_t c = 12; c < 15; ++c) CHECK(cell(fedavg_rows[1], c).empty());  // step 0: no round yet
  for (std::size_t r = 2; r < fedavg_rows.size(); ++r) {
    REQUIRE(fedavg_rows[r].size() == 15);
    const double accuracy = std::stod(fedavg_rows[r][13]);
    CHECK(accuracy >= 0.0);
    CHECK(accuracy <= 1.0);
    CHECK(std::stod(fedavg_rows[r][14]) > 0.0);  // clients trained on different shards
    CHECK(std::stod(fedavg_rows[r][11]) == 0.0);  // the agents all hold the one global model
  }
  const auto cdsgd_rows = cdsim::testing::csv_rows(read_text(cdsgd / "metrics.csv"));
  for (std::size_t r = 1; r < cdsgd_rows.size(); ++r) {
    for (std::size_t c = 12; c < 15; ++c) CHECK(cell(cdsgd_rows[r], c).empty());
  }
}
