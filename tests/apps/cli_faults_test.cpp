// Faults as a user meets them: a run in which no progress is possible ends with a clear
// message, exit status 3 and a run directory whose summary.json says why; bad fault
// events and churn traces are bad input (exit 2) naming the field, file and line.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_text;

namespace {

const std::string kExample = std::string(CDSIM_SOURCE_DIR) + "/scenarios/examples/faults_link_down.json";

nlohmann::json summary_of(const std::filesystem::path& run) { return nlohmann::json::parse(read_text(run / "summary.json")); }

}  // namespace

TEST_CASE("a lost message without a timeout ends the run with no progress: exit 3, end_reason, what ran written") {
  TempFolder temp("no-progress");
  const auto run_dir = temp.path() / "run";
  const auto outcome = run_cli("run " + kExample + " --quiet --set algorithm.timeout=0s --out " + run_dir.string());
  CHECK(outcome.exit_code == 3);
  CHECK(outcome.output.find("the run ended early: no progress was possible after") != std::string::npos);
  CHECK(outcome.output.find("set algorithm.timeout") != std::string::npos);
  const nlohmann::json summary = summary_of(run_dir);
  CHECK(summary["end_reason"] == "no_progress");
  CHECK(summary["end_message"].get<std::string>().find("messages were lost to faults") != std::string::npos);
  CHECK(summary["completed_steps"].get<std::int64_t>() < summary["planned_steps"].get<std::int64_t>());
  CHECK(std::filesystem::exists(run_dir / "metrics.csv"));
}

TEST_CASE("when every agent crashes for good the run ends with no progress and says so") {
  TempFolder temp("all-crashed");
  const auto run_dir = temp.path() / "run";
  const auto outcome =
      run_cli("run " + kExample + " --quiet --set faults.loss_probability=0 --set agents=3 "
              "--set 'faults.events=[{\"at\":\"20ms\",\"kind\":\"crash\",\"agent\":0},"
              "{\"at\":\"20ms\",\"kind\":\"crash\",\"agent\":1},{\"at\":\"30ms\",\"kind\":\"crash\",\"agent\":2}]' "
              "--out " + run_dir.string());
  CHECK(outcome.exit_code == 3);
  CHECK(outcome.output.find("every agent has crashed and none recovers") != std::string::npos);
  CHECK(summary_of(run_dir)["end_reason"] == "no_progress");
}

TEST_CASE("a completed run with faults says end_reason completed and counts losses by cause in metrics.csv") {
  TempFolder temp("completed");
  const auto run_dir = temp.path() / "run";
  const auto outcome = run_cli("run " + kExample + " --quiet --set run.epochs=1 --out " + run_dir.string());
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json summary = summary_of(run_dir);
  CHECK(summary["end_reason"] == "completed");
  CHECK(summary["end_message"].is_null());
  const auto rows = cdsim::testing::csv_rows(read_text(run_dir / "metrics.csv"));
  REQUIRE(rows.size() >= 2);
  const auto& header = rows.front();
  const auto column = std::find(header.begin(), header.end(), "messages_lost_random") - header.begin();
  REQUIRE(column < static_cast<std::ptrdiff_t>(header.size()));
  // The last row's count is the run's total, as summary.json has it.
  CHECK(std::stoull(rows.back()[static_cast<std::size_t>(column)]) ==
        summary["faults"]["messages_lost_random"].get<std::uint64_t>());
}

TEST_CASE("validate names a crash of an agent that does not exist and a bad churn trace line") {
  TempFolder temp("fault-input");
  const auto agent = run_cli("validate " + kExample + " --set 'faults.events=[{\"at\":\"1s\",\"kind\":\"crash\",\"agent\":9}]'");
  CHECK(agent.exit_code == 2);
  CHECK(agent.output.find("/faults/events/0/agent") != std::string::npos);
  CHECK(agent.output.find("no agent 9") != std::string::npos);
  const auto recover = run_cli("validate " + kExample + " --set 'faults.events=[{\"at\":\"1s\",\"kind\":\"recover\",\"agent\":1}]'");
  CHECK(recover.exit_code == 2);
  CHECK(recover.output.find("agent 1 has not crashed") != std::string::npos);
  write_text(temp.path() / "trace.csv", "agent,online_from,online_until\n1,0s,2s\n3,later,5s\n");
  const auto trace = run_cli("validate " + kExample + " --set faults.churn.trace=" + (temp.path() / "trace.csv").string());
  CHECK(trace.exit_code == 2);
  CHECK(trace.output.find("/faults/churn/trace") != std::string::npos);
  CHECK(trace.output.find("trace.csv:3: online_from:") != std::string::npos);
  const auto link = run_cli("validate " + kExample + " --set 'faults.link_loss=[{\"link\":[0,4],\"probability\":0.5}]'");
  CHECK(link.exit_code == 2);
  CHECK(link.output.find("/faults/link_loss/0/link") != std::string::npos);
}

TEST_CASE("a ring all-reduce with faults is bad input: it cannot complete a step without every member") {
  const auto outcome = run_cli("validate " + kExample + " --set algorithm.kind=sgd --set algorithm.communication=all_reduce "
                               "--set algorithm.timeout=0s");
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("ring all-reduce cannot complete a step without every member") != std::string::npos);
}

TEST_CASE("a run ended by run.stop says end_reason stopped, and a link_degrade is checked like the other events") {
  TempFolder temp("stopped");
  const auto run_dir = temp.path() / "run";
  const auto stopped = run_cli("run " + kExample + " --quiet --set run.stop.sim_time=0.1s --set run.eval_every_steps=2 --out " +
                               run_dir.string());
  REQUIRE(stopped.exit_code == 0);
  CHECK(summary_of(run_dir)["end_reason"] == "stopped");
  const auto bare = run_cli("validate " + kExample + " --set 'faults.events=[{\"at\":\"1s\",\"kind\":\"link_degrade\",\"link\":[0,1]}]'");
  CHECK(bare.exit_code == 2);
  CHECK(bare.output.find("/faults/events/0: a link_degrade needs a \"latency\", a \"bandwidth\" or both") != std::string::npos);
  const auto on_switch = run_cli("validate " + kExample + " --set network.model=switch --set 'faults.events=[{\"at\":\"1s\","
                                 "\"kind\":\"link_degrade\",\"link\":[0,1],\"bandwidth\":\"1Mbps\"}]'");
  CHECK(on_switch.exit_code == 2);
  CHECK(on_switch.output.find("/network/model") != std::string::npos);
  const auto fine = run_cli("validate " + kExample + " --set 'faults.events=[{\"at\":\"1s\",\"kind\":\"link_degrade\","
                            "\"link\":[0,1],\"latency\":\"5ms\"}]'");
  CHECK(fine.exit_code == 0);
}

TEST_CASE("faults on a time-varying topology run to the end and name a link that no step of the schedule uses") {
  const std::string example = std::string(CDSIM_SOURCE_DIR) + "/scenarios/examples/faults_one_peer_exponential.json";
  TempFolder temp("time-varying");
  const auto run_dir = temp.path() / "run";
  REQUIRE(run_cli("run " + example + " --quiet --set run.epochs=2 --out " + run_dir.string()).exit_code == 0);
  const nlohmann::json summary = summary_of(run_dir);
  CHECK(summary["end_reason"] == "completed");
  CHECK(summary["topology_schedule"]["kind"] == "one_peer_exponential");
  CHECK(summary["waiting"]["timeouts"].get<std::uint64_t>() > 0);
  CHECK(summary["faults"]["messages_lost_agent_down"].get<std::uint64_t>() > 0);
  // 16 agents: agent 0 talks to 1, 2, 4 and 8 over the period, never to 3.
  const auto outcome = run_cli("validate " + example + " --set 'faults.events=[{\"at\":\"1s\",\"kind\":\"link_down\",\"link\":[0,3]}]'");
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("/faults/events/0/link: agents 0 and 3 are not linked") != std::string::npos);
}

TEST_CASE("CHOCO-SGD with faults runs to the end, and summary.json counts its waits and whole public copies") {
  const std::string example = std::string(CDSIM_SOURCE_DIR) + "/scenarios/examples/faults_choco_sgd.json";
  TempFolder temp("choco");
  const auto run_dir = temp.path() / "run";
  REQUIRE(run_cli("run " + example + " --quiet --set run.epochs=2 --out " + run_dir.string()).exit_code == 0);
  const nlohmann::json summary = summary_of(run_dir);
  CHECK(summary["end_reason"] == "completed");
  CHECK(summary["waiting"]["timeouts"].get<std::uint64_t>() > 0);
  // Every random loss leaves a stale copy that asks for a whole one.
  CHECK(summary["waiting"]["whole_copies_sent"].get<std::uint64_t>() > 0);
  CHECK(summary["faults"]["messages_lost_random"].get<std::uint64_t>() > 0);
}

TEST_CASE("SGP with faults runs to the end with running sums, and summary.json counts its waits") {
  const std::string example = std::string(CDSIM_SOURCE_DIR) + "/scenarios/examples/faults_sgp.json";
  TempFolder temp("sgp");
  const auto run_dir = temp.path() / "run";
  REQUIRE(run_cli("run " + example + " --quiet --set run.epochs=2 --out " + run_dir.string()).exit_code == 0);
  const nlohmann::json summary = summary_of(run_dir);
  CHECK(summary["end_reason"] == "completed");
  CHECK(summary["waiting"]["timeouts"].get<std::uint64_t>() > 0);
  CHECK(summary["faults"]["messages_lost_random"].get<std::uint64_t>() > 0);
  // Without a timeout a lost share leaves its receiver waiting for ever.
  const auto stalled = run_cli("run " + example + " --quiet --set algorithm.timeout=0s --out " + (temp.path() / "stalled").string());
  CHECK(stalled.exit_code == 3);
}
