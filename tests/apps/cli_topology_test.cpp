#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <numbers>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;

TEST_CASE("topology --json reports the closed-form spectra of a ring and a complete graph") {
  const auto outcome = run_cli(
      "topology --json --parameters 100 "
      "--spec '{\"name\": \"ring8\", \"agents\": 8, \"topology\": {\"kind\": \"ring\"}}' "
      "--spec '{\"name\": \"complete8\", \"agents\": 8, \"topology\": {\"kind\": \"complete\"}}'");
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json reports = nlohmann::json::parse(outcome.output);
  REQUIRE(reports.size() == 2);
  // Metropolis-Hastings on a ring: 1/3 on self and each neighbour, so
  // lambda2 = 1/3 + 2/3 cos(2 pi / 8).
  const double lambda2 = 1.0 / 3.0 + 2.0 / 3.0 * std::cos(2.0 * std::numbers::pi / 8.0);
  CHECK(reports[0]["name"] == "ring8");
  CHECK(reports[0]["edges"] == 8);
  CHECK(reports[0]["lambda2"].get<double>() == doctest::Approx(lambda2).epsilon(1e-9));
  CHECK(reports[1]["edges"] == 28);
  CHECK(reports[1]["spectral_gap"].get<double>() == doctest::Approx(1.0).epsilon(1e-9));
  // One message per edge direction: 24 header bytes, a tag byte, a 2-byte length (400 > 127), 400 payload.
  CHECK(reports[0]["bytes_per_round"].get<std::uint64_t>() == 16 * (24 + 1 + 2 + 400));
}

TEST_CASE("topology compares candidates in a table and draws one as DOT") {
  TempFolder temp("topology");
  const auto dot = temp.path() / "ring.dot";
  const auto outcome = run_cli("topology " + std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json --dot " +
                               dot.string());
  INFO(outcome.output);
  CHECK(outcome.exit_code == 0);
  CHECK(outcome.output.find("quickstart") != std::string::npos);
  CHECK(outcome.output.find("spectral gap") != std::string::npos);
  const std::string drawing = read_text(dot);
  CHECK(drawing.find("graph") != std::string::npos);
  CHECK(drawing.find("--") != std::string::npos);
}

TEST_CASE("topology rejects an impossible spec with exit 2 naming the field") {
  const auto outcome =
      run_cli("topology --spec '{\"agents\": 5, \"topology\": {\"kind\": \"random_regular\", \"degree\": 3}}'");
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("/topology/degree") != std::string::npos);
  CHECK(run_cli("topology").exit_code == 2);
}

TEST_CASE("data list names every source and whether it is available") {
  const auto outcome = run_cli("data list");
  INFO(outcome.output);
  CHECK(outcome.exit_code == 0);
  for (const char* source : {"synthetic_linear", "fashion_mnist", "mnist_digits", "cifar10", "cifar100", "idx"}) {
    CHECK(outcome.output.find(source) != std::string::npos);
  }
}
