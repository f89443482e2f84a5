#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/scenario_loader.h"
#include "sim/protocols/wire_size.h"
#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;

namespace {

const std::string kQuickstart = std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json";

std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& path) {
  return cdsim::testing::csv_rows(read_text(path));
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("the quickstart scenario runs, its loss falls and its clock matches the link model") {
  TempFolder temp("quickstart");
  const auto out = temp.path() / "run";
  const auto outcome = run_cli("run " + kQuickstart + " --quiet --out " + out.string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  for (const char* name : {"metrics.csv", "summary.json", "scenario.resolved.json", "timing.json"}) {
    CHECK(std::filesystem::exists(out / name));
  }
  const auto rows = read_csv(out / "metrics.csv");
  REQUIRE(rows.size() >= 3);
  const auto& header = rows.front();
  for (const char* name : {"step", "epoch", "sim_time_s", "bytes_total", "messages_total", "train_loss",
                           "consensus_distance"}) {
    CHECK(std::find(header.begin(), header.end(), name) != header.end());
  }
  const double first_loss = std::stod(rows[1][column(header, "train_loss")]);
  const double last_loss = std::stod(rows.back()[column(header, "train_loss")]);
  CHECK(last_loss < 0.05 * first_loss);

  // Contention-free ring: every step costs compute + latency + one message's transmission.
  const cdsim::Scenario scenario = cdsim::load_scenario(kQuickstart);
  const std::size_t parameters = scenario.data.dimension + 1;  // linear regression: weights + bias
  const std::int64_t bytes = cdsim::parameter_message_size(cdsim::AgentId{0}, cdsim::AgentId{1}, 0,
                                                           cdsim::PayloadKind::kParameters, parameters).bytes();
  const std::int64_t bits_per_s = scenario.network.bandwidth.bits_per_second();
  const std::int64_t transmission_ns = (bytes * 8 * 1'000'000'000 + bits_per_s - 1) / bits_per_s;
  const std::int64_t step_ns = scenario.compute.step_time.ns() + scenario.network.latency.ns() + transmission_ns;
  const std::int64_t steps = std::stoll(rows.back()[column(header, "step")]);
  const double sim_time_s = std::stod(rows.back()[column(header, "sim_time_s")]);
  CHECK(sim_time_s == doctest::Approx(static_cast<double>(steps * step_ns) * 1e-9).epsilon(1e-8));
  // Two messages per ring edge per step: 2N messages on a ring of N.
  CHECK(std::stoll(rows.back()[column(header, "messages_total")]) == steps * 2 * static_cast<std::int64_t>(scenario.agents));
  CHECK(std::stoll(rows.back()[column(header, "bytes_total")]) == steps * 2 * static_cast<std::int64_t>(scenario.agents) * bytes);
}

TEST_CASE("running one scenario twice gives byte-identical run directories, timing.json aside") {
  TempFolder temp("determinism");
  const auto a = temp.path() / "a", b = temp.path() / "b";
  REQUIRE(run_cli("run " + kQuickstart + " --quiet --out " + a.string()).exit_code == 0);
  REQUIRE(run_cli("run " + kQuickstart + " --quiet --out " + b.string()).exit_code == 0);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(a)) names.push_back(entry.path().filename().string());
  CHECK(names.size() >= 4);
  for (const std::string& name : names) {
    if (name == "timing.json") continue;
    CAPTURE(name);
    REQUIRE(std::filesystem::exists(b / name));
    CHECK(read_text(a / name) == read_text(b / name));
  }
}

TEST_CASE("1, 2 and 4 threads give byte-identical run directories, timing.json aside, for every protocol") {
  TempFolder temp("threads");
  // A small neural network on a Gaussian mixture, so the agents' gradients are real work
  // with minibatch draws, with CDMSGD and with CHOCO-SGD; then the shipped baseline
  // examples, one per protocol.
  const auto mlp_scenario = temp.path() / "mlp.json";
  {
    std::ofstream out(mlp_scenario);
    out << R"({"name": "mlp_threads", "seed": 3, "agents": 5, "topology": {"kind": "ring"},
      "network": {"latency": "1ms", "bandwidth": "10Mbps"}, "compute": {"step_time": "2ms"},
      "data": {"source": "gaussian_mixture", "train_samples": 600, "test_samples": 200, "dimension": 12,
               "classes": 3, "partition": {"kind": "iid"}},
      "model": {"kind": "mlp", "hidden": [16]},
      "algorithm": {"kind": "cdmsgd", "learning_rate": 0.05, "batch_size": 16},
      "run": {"epochs": 3, "eval_every_steps": 5}})";
  }
  // CHOCO-SGD with a random compressor on the same network and data.
  const auto choco_scenario = temp.path() / "choco.json";
  {
    std::string text = read_text(mlp_scenario);
    const std::string from = R"("kind": "cdmsgd", "learning_rate": 0.05, "batch_size": 16)";
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), R"("kind": "choco_sgd", "learning_rate": 0.05, "batch_size": 16,
      "consensus_step_size": 0.5, "compression": {"kind": "qsgd", "levels": 4, "unbiased": false})");
    std::ofstream(choco_scenario) << text;
  }
  const std::string examples = std::string(CDSIM_SOURCE_DIR) + "/scenarios/examples/";
  for (const std::string& scenario :
       {mlp_scenario.string(), choco_scenario.string(), kQuickstart, examples + "baselines_async_cdsgd.json",
        examples + "baselines_parameter_server.json", examples + "baselines_all_reduce.json",
        examples + "baselines_fedavg.json", examples + "sgp_one_peer_exponential.json",
        examples + "faults_one_peer_exponential.json", examples + "faults_choco_sgd.json",
        examples + "faults_sgp.json"}) {
    CAPTURE(scenario);
    const auto one = temp.path() / "t1";
    REQUIRE(run_cli("run " + scenario + " --quiet --threads 1 --out " + one.string()).exit_code == 0);
    for (const char* threads : {"2", "4"}) {
      CAPTURE(threads);
      const auto many = temp.path() / (std::string("t") + threads);
      REQUIRE(run_cli("run " + scenario + " --quiet --threads " + threads + " --out " + many.string()).exit_code == 0);
      std::size_t compared = 0;
      for (const auto& entry : std::filesystem::directory_iterator(one)) {
        const std::string name = entry.path().filename().string();
        if (name == "timing.json") continue;
        CAPTURE(name);
        REQUIRE(std::filesystem::exists(many / name));
        CHECK(read_text(one / name) == read_text(many / name));
        ++compared;
      }
      CHECK(compared >= 4);
    }
  }
}

TEST_CASE("agents.csv has one row per agent per evaluation, consistent with metrics.csv") {
  TempFolder temp("agents");
  const auto out = temp.path() / "run";
  REQUIRE(run_cli("run " + kQuickstart + " --quiet --out " + out.string()).exit_code == 0);
  const auto metrics = read_csv(out / "metrics.csv");
  const auto agents = read_csv(out / "agents.csv");
  const cdsim::Scenario scenario = cdsim::load_scenario(kQuickstart);
  REQUIRE(agents.size() == 1 + (metrics.size() - 1) * scenario.agents);
  const auto& header = agents.front();
  // The mean of the agents' train losses is metrics.csv's train_loss, row by row.
  for (std::size_t r = 1; r < metrics.size(); ++r) {
    double sum = 0.0;
    for (std::size_t j = 0; j < scenario.agents; ++j) {
      const auto& row = agents[1 + (r - 1) * scenario.agents + j];
      CHECK(row[column(header, "step")] == metrics[r][column(metrics.front(), "step")]);
      sum += std::stod(row[column(header, "train_loss")]);
    }
    CHECK(sum / static_cast<double>(scenario.agents) ==
          doctest::Approx(std::stod(metrics[r][column(metrics.front(), "train_loss")])).epsilon(1e-6));
  }
}

TEST_CASE("a traced run has four events per message, a compute per agent and step, and one per evaluation") {
  TempFolder temp("trace");
  std::string text = read_text(kQuickstart);
  const std::string marker = "\"run\": {";
  const auto at = text.find(marker);
  REQUIRE(at != std::string::npos);
  text.insert(at + marker.size(), "\"trace\": true, ");
  const auto scenario = temp.path() / "traced.json";
  cdsim::testing::write_text(scenario, text);
  const auto out = temp.path() / "run";
  const auto outcome = run_cli("run " + scenario.string() + " --quiet --out " + out.string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const auto metrics = read_csv(out / "metrics.csv");
  const std::int64_t messages = std::stoll(metrics.back()[column(metrics.front(), "messages_total")]);
  const std::int64_t steps = std::stoll(metrics.back()[column(metrics.front(), "step")]);
  // Decode the length-delimited records by hand: a varint length, then the record, whose
  // type is field 1 (a varint, left out when it is 0, SEND).
  const std::string trace = read_text(out / "events.pb");
  std::map<std::uint64_t, std::int64_t> records_by_type;
  std::size_t i = 0;
  const auto varint = [&trace, &i] {
    std::uint64_t value = 0;
    int shift = 0;
    while (true) {
      const auto byte = static_cast<unsigned char>(trace[i++]);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      shift += 7;
      if (byte < 0x80) return value;
    }
  };
  while (i < trace.size()) {
    const std::uint64_t length = varint();
    const std::size_t end = i + length;
    std::uint64_t type = 0;
    if (length > 0 && trace[i] == 0x08) {
      ++i;
      type = varint();
    }
    ++records_by_type[type];
    i = end;
  }
  CHECK(i == trace.size());
  for (std::uint64_t type : {0, 1, 2, 3}) CHECK(records_by_type[type] == messages);  // send, start, arrival, end
  CHECK(records_by_type[4] == 8 * steps);  // compute: each of the 8 agents, every step
  CHECK(records_by_type[6] == static_cast<std::int64_t>(metrics.size() - 1));  // one per evaluation
  // links.csv: the ring's 8 edges as 16 directed links.
  CHECK(read_csv(out / "links.csv").size() == 1 + 16);
}

TEST_CASE("the resolved scenario of a run validates and loads back to the same scenario") {
  TempFolder temp("resolved");
  const auto out = temp.path() / "run";
  REQUIRE(run_cli("run " + kQuickstart + " --quiet --out " + out.string()).exit_code == 0);
  const auto outcome = run_cli("validate " + (out / "scenario.resolved.json").string());
  INFO(outcome.output);
  CHECK(outcome.exit_code == 0);
  const std::string resolved = read_text(out / "scenario.resolved.json");
  CHECK(cdsim::resolved_scenario_json(cdsim::parse_scenario(resolved, "x.json")) == resolved);
}

TEST_CASE("validate describes a one-model SGD scenario as the run simulates it: one model, its own step count") {
  // The quickstart's 4000 samples in batches of 32 are 125 steps an epoch for one model on
  // the whole set (16 for each of its 8 agents), 1250 in its 10 epochs.
  TempFolder temp("one-model");
  const std::string one_model = " --set algorithm.kind=sgd --set algorithm.communication=none";
  const auto outcome = run_cli("validate " + kQuickstart + one_model);
  INFO(outcome.output);
  CHECK(outcome.exit_code == 0);
  CHECK(outcome.output.find("one model on the whole training set") != std::string::npos);
  CHECK(outcome.output.find(", 1250 steps,") != std::string::npos);
  const auto out = temp.path() / "run";
  REQUIRE(run_cli("run " + kQuickstart + one_model + " --quiet --out " + out.string()).exit_code == 0);
  CHECK(read_text(out / "summary.json").find("\"steps\": 1250,") != std::string::npos);
}

TEST_CASE("progress lines go to stderr unless --quiet is given") {
  TempFolder temp("progress");
  const auto loud = run_cli("run " + kQuickstart + " --out " + (temp.path() / "a").string());
  CHECK(loud.exit_code == 0);
  CHECK(loud.output.find("step 0/") != std::string::npos);
  const auto quiet = run_cli("run " + kQuickstart + " --quiet --out " + (temp.path() / "b").string());
  CHECK(quiet.output.find("step 0/") == std::string::npos);
  CHECK(quiet.output.find("run dir") != std::string::npos);
}

TEST_CASE("summary.json reports shard sizes, label histograms that add up to them, and async staleness") {
  TempFolder temp("summary");
  const auto scenario = temp.path() / "mixture.json";
  cdsim::testing::write_text(scenario, R"({
    "name": "mixture", "agents": 4, "topology": {"kind": "ring"},
    "data": {"source": "gaussian_mixture", "classes": 3, "train_samples": 600, "test_samples": 150,
             "dimension": 4, "partition": {"kind": "label_shards", "classes_per_agent": 2}},
    "model": {"kind": "softmax_regression"},
    "compute": {"speed_spread": 0.5},
    "algorithm": {"kind": "async_cdsgd", "learning_rate": 0.1, "batch_size": 16},
    "run": {"epochs": 2}})");
  const auto out = temp.path() / "run";
  const auto outcome = run_cli("run " + scenario.string() + " --quiet --out " + out.string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json summary = nlohmann::json::parse(read_text(out / "summary.json"));
  REQUIRE(summary["shard_sizes"].size() == 4);
  REQUIRE(summary["label_histograms"].size() == 4);
  std::size_t total = 0;
  for (std::size_t j = 0; j < 4; ++j) {
    std::size_t histogram_total = 0, classes_present = 0;
    for (const auto& count : summary["label_histograms"][j]) {
      histogram_total += count.get<std::size_t>();
      if (count.get<std::size_t>() > 0) ++classes_present;
    }
    CHECK(histogram_total == summary["shard_sizes"][j].get<std::size_t>());
    CHECK(classes_present <= 2);
    total += histogram_total;
  }
  CHECK(total == 600);
  // Agents of different speeds never wait, so some mix stale parameters.
  CHECK(summary["staleness"]["samples"].get<std::uint64_t>() > 0);
  CHECK(summary["staleness"]["max"].get<std::int64_t>() > 0);
}

TEST_CASE("behind one switch an agent's messages share its uplink, so a complete graph pays for its degree") {
  TempFolder temp("switch");
  const auto scenario = temp.path() / "switch.json";
  cdsim::testing::write_text(scenario, R"({
    "name": "switched", "agents": 6, "topology": {"kind": "complete"}, "mixing": {"rule": "uniform"},
    "network": {"model": "switch", "latency": "1ms", "bandwidth": "10Mbps"},
    "compute": {"step_time": "5ms"},
    "data": {"source": "synthetic_linear", "train_samples": 600, "test_samples": 100, "dimension": 20},
    "algorithm": {"kind": "cdsgd", "learning_rate": 0.05, "batch_size": 20},
    "run": {"steps": 10}})");
  const auto out = temp.path() / "run";
  const auto outcome = run_cli("run " + scenario.string() + " --quiet --out " + out.string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const auto rows = read_csv(out / "metrics.csv");
  const double sim_time_s = std::stod(rows.back()[column(rows.front(), "sim_time_s")]);
  // Each agent's 5 messages leave through one uplink at a fifth of 10 Mbit/s each and arrive
  // through the receiver's downlink, shared by 5 senders alike: (N - 1) transmission times,
  // plus the latency of the two links crossed.
  const std::int64_t bytes = cdsim::parameter_message_size(cdsim::AgentId{0}, cdsim::AgentId{1}, 0,
                                                           cdsim::PayloadKind::kParameters, 21).bytes();
  const double transmission_s = static_cast<double>(bytes) * 8.0 / 10e6;
  const double step_s = 0.005 + 2 * 0.001 + 5 * transmission_s;
  CHECK(sim_time_s == doctest::Approx(10 * step_s).epsilon(1e-6));
}

TEST_CASE("a diverging run is flagged in summary.json and warned about on stderr") {
  TempFolder temp("diverge");
  const auto scenario = temp.path() / "diverge.json";
  // A step of 50 on least squares with unit-variance features: every step multiplies the error.
  cdsim::testing::write_text(scenario, R"({
    "name": "diverge", "agents": 4, "topology": {"kind": "ring"},
    "data": {"source": "synthetic_linear", "train_samples": 400, "test_samples": 100},
    "algorithm": {"kind": "cdsgd", "learning_rate": 50, "batch_size": 10},
    "run": {"epochs": 40}})");
  const auto out = temp.path() / "run";
  const auto outcome = run_cli("run " + scenario.string() + " --quiet --out " + out.string());
  INFO(outcome.output);
  CHECK(outcome.exit_code == 0);
  CHECK(outcome.output.find("warning: ") != std::string::npos);
  CHECK(outcome.output.find("diverged") != std::string::npos);
  const nlohmann::json summary = nlohmann::json::parse(read_text(out / "summary.json"));
  CHECK(summary["diverged"] == true);
  CHECK(summary["diverged_at_step"].get<std::int64_t>() > 0);
  // The quickstart converges and says so.
  const auto good = run_cli("run " + kQuickstart + " --quiet --out " + (temp.path() / "good").string());
  CHECK(good.output.find("warning") == std::string::npos);
  const nlohmann::json good_summary = nlohmann::json::parse(read_text(temp.path() / "good" / "summary.json"));
  CHECK(good_summary["diverged"] == false);
  CHECK(good_summary["topology"]["used_by_algorithm"] == true);
}
