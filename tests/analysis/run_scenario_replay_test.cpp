// A whole run in communication-only replay (model.kind "none"): the same steps, simulated
// times, bytes and messages as the same scenario with a real model of that many
// parameters, no data loaded, and empty cells where a real run has its figures.
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "analysis/run_scenario.h"
#include "core/invalid_input.h"
#include "scenarios/scenario_loader.h"
#include "tests/core/temp_dir.h"

using namespace cdsim;

namespace {

// Six agents on a ring; linear regression on 20 features has 21 parameters. The shards
// hold one batch each (train_samples = agents x batch), as a replay's agents do, so that
// FedAvg clients take one local step per epoch in both runs.
std::string scenario_json(const std::string& algorithm, const std::string& model) {
  return R"({"name": "replay_check", "seed": 3, "agents": 6, "topology": {"kind": "ring"},
    "network": {"latency": "300us", "bandwidth": "20Mbps"},
    "compute": {"step_time": "2ms", "speed_spread": 0.3},
    "data": {"source": "synthetic_linear", "train_samples": 48, "test_samples": 20, "dimension": 20},
    "model": )" + model + R"(, "algorithm": )" + algorithm + R"(,
    "run": {"steps": 12, "eval_every_steps": 4}})";
}

RunResult run(const std::string& json, const testing::TempDir& temp, const std::string& name) {
  const Scenario scenario = parse_scenario(json, "<test>");
  RunOptions options;
  options.output_directory = temp.file(name);
  return run_scenario(scenario, options);
}

}  // namespace

TEST_CASE("a replayed run has the steps, times, bytes and messages of the real run of the same model size") {
  const std::vector<std::string> algorithms = {
      R"({"kind": "cdsgd", "batch_size": 8})",
      R"({"kind": "cdmsgd", "batch_size": 8, "consensus_steps": 2})",
      R"({"kind": "async_cdsgd", "batch_size": 8})",
      R"({"kind": "sgd", "communication": "parameter_server", "batch_size": 8})",
      R"({"kind": "msgd", "communication": "all_reduce", "batch_size": 8})",
      R"({"kind": "fedavg", "batch_size": 8, "client_fraction": 0.5})"};
  for (const std::string& algorithm : algorithms) {
    CAPTURE(algorithm);
    testing::TempDir temp;
    const RunResult real = run(scenario_json(algorithm, R"({"kind": "linear_regression"})"), temp, "real");
    const RunResult replay = run(scenario_json(algorithm, R"({"kind": "none", "parameters": 21})"), temp, "replay");
    CHECK(replay.message_bytes == real.message_bytes);
    REQUIRE(replay.metrics.size() == real.metrics.size());
    for (std::size_t i = 0; i < real.metrics.size(); ++i) {
      CHECK(replay.metrics[i].step == real.metrics[i].step);
      CHECK(replay.metrics[i].sim_time_s == real.metrics[i].sim_time_s);
      CHECK(replay.metrics[i].bytes_total == real.metrics[i].bytes_total);
      CHECK(replay.metrics[i].messages_total == real.metrics[i].messages_total);
      CHECK_FALSE(replay.metrics[i].computed.train);
      CHECK_FALSE(replay.metrics[i].computed.consensus);
    }
    CHECK(real.metrics.back().messages_total > 0);
  }
}

TEST_CASE("a replay writes the traffic columns of metrics.csv and leaves the figures' cells empty") {
  testing::TempDir temp;
  const RunResult replay =
      run(scenario_json(R"({"kind": "cdsgd"})", R"({"kind": "none", "parameters": 1000})"), temp, "replay");
  std::ifstream in(replay.run_directory / "metrics.csv");
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  // step 0 at time 0 with no traffic, then ten empty figure cells (FedAvg's client
  // columns among them) and eight empty loss cells.
  CHECK(first == "0,0,0,0,0,,,,,,,,,,,,,,,,,,");
}

TEST_CASE("a replay needs no data: a data source that cannot be read is never opened") {
  testing::TempDir temp;
  const std::string json = R"({"name": "no_data", "agents": 4, "topology": {"kind": "ring"},
    "data": {"source": "idx", "path": "/nonexistent/folder"},
    "model": {"kind": "none", "parameters": 10}, "run": {"steps": 3}})";
  const RunResult result = run(json, temp, "run");
  CHECK(result.metrics.back().messages_total == 3 * 2 * 4);
}

TEST_CASE("a link_degrade inside a transmission re-times that message exactly in a whole run") {
  // Two agents exchanging S-byte messages at 8 Mbit/s (S us each) after a 2 ms compute, with
  // 300 us latency. At 3 ms both transmissions are 1 ms in; the link drops to 4 Mbit/s, so
  // their remaining S - 1000 us take twice that. Every later step: 2 ms + 2S us + 300 us.
  const auto scenario_with = [](const std::string& faults) {
    return R"({"name": "degrade_check", "seed": 1, "agents": 2, "topology": {"kind": "complete"},
      "network": {"latency": "300us", "bandwidth": "8Mbps"}, "compute": {"step_time": "2ms"},
      "model": {"kind": "none", "parameters": 1000}, "algorithm": {"kind": "cdsgd"},
      "run": {"steps": 4, "eval_every_steps": 1})" + faults + "}";
  };
  testing::TempDir temp;
  const RunResult steady = run(scenario_with(""), temp, "steady");
  const RunResult degraded = run(scenario_with(R"(, "faults": {"events": [
      {"at": "3ms", "kind": "link_degrade", "link": [0, 1], "bandwidth": "4Mbps"}]})"), temp, "degraded");
  const std::int64_t s_us = steady.message_bytes;  // 8 Mbit/s: one byte per microsecond
  REQUIRE(s_us > 1000);
  REQUIRE(steady.metrics.size() == 5);
  REQUIRE(degraded.metrics.size() == 5);
  for (std::size_t step = 1; step < 5; ++step) {
    CAPTURE(step);
    const auto k = static_cast<std::int64_t>(step);
    CHECK(steady.metrics[step].sim_time_s == doctest::Approx(k * (2000 + s_us + 300) * 1e-6).epsilon(1e-12));
    const std::int64_t first_us = 3000 + 2 * (s_us - 1000) + 300;
    CHECK(degraded.metrics[step].sim_time_s ==
          doctest::Approx((first_us + (k - 1) * (2000 + 2 * s_us + 300)) * 1e-6).epsilon(1e-12));
    CHECK(degraded.metrics[step].bytes_total == steady.metrics[step].bytes_total);
  }
}
