#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/apps/cli_harness.h"

using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_text;

namespace {

// Runs a scenario text; checks exit 2, the message, and that no run directory (staged or
// final) was left behind.
void expect_bad_input(const std::string& scenario_text, const std::string& expected_fragment) {
  TempFolder temp("bad");
  const auto scenario = temp.path() / "bad.json";
  write_text(scenario, scenario_text);
  const auto out = temp.path() / "runs";
  const auto outcome = run_cli("run " + scenario.string() + " --quiet --out " + (out / "bad").string());
  CAPTURE(scenario_text);
  INFO(outcome.output);
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find(scenario.string()) != std::string::npos);
  CHECK(outcome.output.find(expected_fragment) != std::string::npos);
  CHECK(outcome.output.find("error: ") == 0);
  const bool left_something = std::filesystem::exists(out) && !std::filesystem::is_empty(out);
  CHECK_FALSE(left_something);
}

}  // namespace

TEST_CASE("bad scenarios exit 2 with the file and field named and leave no run directory") {
  expect_bad_input("{ \"agents\": 5, ", "malformed JSON");
  expect_bad_input(R"({"agnets": 5})", "/agnets: unknown key");
  expect_bad_input(R"({"agents": "many"})", "/agents: expected a whole number from 1 to 16777216");
  expect_bad_input(R"({"agents": 0})", "/agents");
  expect_bad_input(R"({"network": {"bandwidth": "-5Mbps"}})", "/network/bandwidth");
  expect_bad_input(R"({"network": {"bandwidth": 0}})", "/network/bandwidth");
  expect_bad_input(R"({"algorithm": {"learning_rate": -1}})", "/algorithm/learning_rate");
  expect_bad_input(R"({"algorithm": {"learning_rate": 0}})", "/algorithm/learning_rate");
}

TEST_CASE("a missing scenario file exits 2 naming the file") {
  const auto outcome = run_cli("run /nonexistent/cdsim/scenario.json --quiet");
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("/nonexistent/cdsim/scenario.json") != std::string::npos);
}

TEST_CASE("values that only fail when built together are reported by their field") {
  // No 3-regular graph has 5 vertices (n * d must be even).
  expect_bad_input(R"({"agents": 5, "topology": {"kind": "random_regular", "degree": 3}})", "/topology/degree");
  // The paper's ring preset needs a regular graph whose weights sum to one.
  expect_bad_input(R"({"agents": 6, "topology": {"kind": "star"}, "mixing": {"rule": "ring_preset"}})", "/mixing");
}

TEST_CASE("validate accepts a good scenario and rejects a bad one with exit 2") {
  const auto good = run_cli("validate " + std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json");
  INFO(good.output);
  CHECK(good.exit_code == 0);
  CHECK(good.output.find("ok") != std::string::npos);
  TempFolder temp("validate");
  write_text(temp.path() / "bad.json", R"({"topology": {"kind": "erdos_renyi", "edge_probability": 2}})");
  const auto bad = run_cli("validate " + (temp.path() / "bad.json").string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("/topology/edge_probability") != std::string::npos);
  // Fractions for 3 agents in a 5-agent scenario: caught without loading any data.
  write_text(temp.path() / "fractions.json",
             R"({"agents": 5, "data": {"partition": {"kind": "fractions", "fractions": [1, 2, 3]}}})");
  const auto fractions = run_cli("validate " + (temp.path() / "fractions.json").string());
  INFO(fractions.output);
  CHECK(fractions.exit_code == 2);
  CHECK(fractions.output.find("/data/partition") != std::string::npos);
}

TEST_CASE("usage errors exit 2") {
  CHECK(run_cli("").exit_code == 2);
  CHECK(run_cli("frobnicate").exit_code == 2);
  CHECK(run_cli("run").exit_code == 2);
  CHECK(run_cli("--help").exit_code == 0);
}

TEST_CASE("a run never replaces a folder that is not an earlier run directory") {
  TempFolder temp("clobber");
  const auto precious = temp.path() / "precious";
  std::filesystem::create_directories(precious);
  write_text(precious / "notes.txt", "keep me");
  const auto outcome = run_cli("run " + std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json --quiet --out " +
                               precious.string());
  INFO(outcome.output);
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("not a cdsim run directory") != std::string::npos);
  CHECK(cdsim::testing::read_text(precious / "notes.txt") == "keep me");
  // An earlier run of the same scenario is replaced.
  const auto run = temp.path() / "run";
  REQUIRE(run_cli("run " + std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json --quiet --out " + run.string())
              .exit_code == 0);
  CHECK(run_cli("run " + std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json --quiet --out " + run.string())
            .exit_code == 0);
}
