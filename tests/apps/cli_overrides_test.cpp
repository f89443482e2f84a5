#include <doctest/doctest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;

namespace {

const std::string kQuickstart = std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json";

}  // namespace

TEST_CASE("run --set overrides typed and nested fields and writes them into scenario.resolved.json") {
  TempFolder temp("overrides-run");
  const auto out = temp.path() / "run";
  const auto outcome = run_cli("run " + kQuickstart + " --quiet --out " + out.string() +
                               " --set run.steps=6 --set topology.kind=complete --set network.latency=3ms"
                               " --set algorithm.learning_rate=0.02 --set seed=9");
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json resolved = nlohmann::json::parse(read_text(out / "scenario.resolved.json"));
  CHECK(resolved["run"]["steps"] == 6);
  CHECK_FALSE(resolved["run"].contains("epochs"));
  CHECK(resolved["topology"]["kind"] == "complete");
  CHECK(resolved["network"]["latency"] == "3ms");
  CHECK(resolved["algorithm"]["learning_rate"].get<double>() == 0.02);
  CHECK(resolved["seed"] == 9);
  const nlohmann::json summary = nlohmann::json::parse(read_text(out / "summary.json"));
  CHECK(summary["steps"] == 6);
  CHECK(summary["topology"]["edges"] == 8 * 7 / 2);
}

TEST_CASE("validate --set of an unknown field exits 2 naming the file, the pointer and the override") {
  const auto outcome = run_cli("validate " + kQuickstart + " --set network.bandwith=1Gbps");
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("quickstart.json: /network/bandwith: unknown key") != std::string::npos);
  CHECK(outcome.output.find("--set network.bandwith=1Gbps") != std::string::npos);
  const auto malformed = run_cli("validate " + kQuickstart + " --set agents");
  CHECK(malformed.exit_code == 2);
  CHECK(malformed.output.find("FIELD=VALUE") != std::string::npos);
  const auto bad_value = run_cli("validate " + kQuickstart + " --set agents=0");
  CHECK(bad_value.exit_code == 2);
  CHECK(bad_value.output.find("/agents") != std::string::npos);
}

TEST_CASE("topology --spec starts from the scenario file given, and --set applies to every spec") {
  // quickstart: 8 agents on 100 Mbit/s links with 1 ms latency. A spec that changes only
  // the topology keeps those; without the base it would have 5 agents on 1 Gbit/s.
  const auto outcome = run_cli("topology " + kQuickstart +
                               " --json --parameters 1000 --spec '{\"topology\": {\"kind\": \"complete\"}}'"
                               " --set network.latency=2ms");
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json reports = nlohmann::json::parse(outcome.output);
  REQUIRE(reports.size() == 2);
  const nlohmann::json& ring = reports[0];
  const nlohmann::json& complete = reports[1];
  CHECK(ring["name"] == "quickstart");
  CHECK(complete["name"] == "quickstart.spec1");
  CHECK(complete["agents"] == 8);
  CHECK(complete["edges"] == 28);
  CHECK(ring["edges"] == 8);
  // A round with one link per edge direction: 2 ms latency + one message / 100 Mbit/s.
  const double message_bytes = complete["bytes_per_message"].get<double>();
  CHECK(complete["round_time_s"].get<double>() ==
        doctest::Approx(0.002 + message_bytes * 8.0 / 100e6).epsilon(1e-6));
}
