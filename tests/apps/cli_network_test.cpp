// End-to-end checks of heterogeneous links: per-edge latencies and bandwidths from graph
// files give the step times the synchronous max-plus recurrence predicts.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/protocols/wire_size.h"
#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_text;

namespace {

struct Link {
  std::size_t u;
  std::size_t v;
  std::int64_t latency_ns;
  std::int64_t bits_per_second;
};

// Synchronous CDSGD: agent j starts step k + 1 once it has computed step k (C) and every
// neighbour l's step-k parameters have arrived (l's start + C + transmission + latency).
std::int64_t predicted_makespan_ns(std::size_t agents, const std::vector<Link>& links, std::int64_t compute_ns,
                                   std::int64_t bytes, std::int64_t steps) {
  std::vector<std::int64_t> start(agents, 0);
  for (std::int64_t k = 0; k < steps; ++k) {
    std::vector<std::int64_t> next(agents);
    for (std::size_t j = 0; j < agents; ++j) next[j] = start[j] + compute_ns;
    for (const Link& link : links) {
      const std::int64_t transfer = (bytes * 8 * 1'000'000'000 + link.bits_per_second - 1) / link.bits_per_second +
                                    link.latency_ns;
      next[link.v] = std::max(next[link.v], start[link.u] + compute_ns + transfer);
      next[link.u] = std::max(next[link.u], start[link.v] + compute_ns + transfer);
    }
    start = next;
  }
  return *std::max_element(start.begin(), start.end());
}

double final_sim_time(const std::filesystem::path& run) {
  return nlohmann::json::parse(read_text(run / "summary.json"))["sim_time_s"].get<double>();
}

std::string scenario_json(std::size_t agents, const std::string& kind, const std::string& file) {
  return R"({"name": "hetero", "agents": )" + std::to_string(agents) + R"(,
    "topology": {"kind": ")" + kind + R"(", "file": ")" + file + R"("},
    "network": {"latency": "1ms", "bandwidth": "100Mbit/s"},
    "compute": {"step_time": "5ms"},
    "data": {"source": "synthetic_linear", "train_samples": 400, "test_samples": 50, "dimension": 30},
    "algorithm": {"kind": "cdsgd", "learning_rate": 0.01, "batch_size": 10},
    "run": {"steps": 6}})";
}

const std::int64_t kBytes = cdsim::parameter_message_size(cdsim::AgentId{0}, cdsim::AgentId{1}, 0,
                                                          cdsim::PayloadKind::kParameters, 31).bytes();

}  // namespace

TEST_CASE("per-edge DOT latencies and bandwidths on a path give the step times of the max-plus recurrence") {
  TempFolder temp("hetero-path");
  write_text(temp.path() / "path.dot",
             "graph path {\n  0 -- 1 [latency=\"2ms\"];\n  1 -- 2 [latency=\"7ms\", bandwidth=\"1Mbit/s\"];\n"
             "  2 -- 3;\n}\n");
  write_text(temp.path() / "s.json", scenario_json(4, "dot", "path.dot"));
  const auto outcome = run_cli("run " + (temp.path() / "s.json").string() + " --quiet --out " +
                               (temp.path() / "run").string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const std::vector<Link> links = {{0, 1, 2'000'000, 100'000'000}, {1, 2, 7'000'000, 1'000'000},
                                   {2, 3, 1'000'000, 100'000'000}};
  const std::int64_t expected = predicted_makespan_ns(4, links, 5'000'000, kBytes, 6);
  CHECK(final_sim_time(temp.path() / "run") == doctest::Approx(static_cast<double>(expected) * 1e-9).epsilon(1e-9));
  // The slow edge sets the pace: slower than the same path with default links throughout.
  CHECK(expected > predicted_makespan_ns(4, {{0, 1, 1'000'000, 100'000'000}, {1, 2, 1'000'000, 100'000'000},
                                             {2, 3, 1'000'000, 100'000'000}},
                                         5'000'000, kBytes, 6));
}

TEST_CASE("per-edge edge-list latencies on a star give the step times of the max-plus recurrence") {
  TempFolder temp("hetero-star");
  write_text(temp.path() / "star.txt", "0 1 latency=3ms\n0 2 latency=0.5ms bandwidth=10Mbit/s\n0 3\n0 4 latency=11ms\n");
  write_text(temp.path() / "s.json", scenario_json(5, "edge_list", "star.txt"));
  const auto outcome = run_cli("run " + (temp.path() / "s.json").string() + " --quiet --out " +
                               (temp.path() / "run").string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const std::vector<Link> links = {{0, 1, 3'000'000, 100'000'000}, {0, 2, 500'000, 10'000'000},
                                   {0, 3, 1'000'000, 100'000'000}, {0, 4, 11'000'000, 100'000'000}};
  const std::int64_t expected = predicted_makespan_ns(5, links, 5'000'000, kBytes, 6);
  CHECK(final_sim_time(temp.path() / "run") == doctest::Approx(static_cast<double>(expected) * 1e-9).epsilon(1e-9));
}

TEST_CASE("a graph file's bad link value or unknown edge attribute stops the run naming the file and the field") {
  TempFolder temp("hetero-bad");
  write_text(temp.path() / "bad.txt", "0 1 latency=fast\n1 2\n");
  write_text(temp.path() / "s.json", scenario_json(3, "edge_list", "bad.txt"));
  const auto bad = run_cli("run " + (temp.path() / "s.json").string() + " --quiet --out " +
                           (temp.path() / "run").string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("/topology/file") != std::string::npos);
  CHECK(bad.output.find("edge 0 -- 1: latency \"fast\"") != std::string::npos);
  CHECK(!std::filesystem::exists(temp.path() / "run"));
  write_text(temp.path() / "odd.dot", "graph { 0 -- 1 [jitter=\"1ms\"]; 1 -- 2; }\n");
  write_text(temp.path() / "s.json", scenario_json(3, "dot", "odd.dot"));
  const auto odd = run_cli("validate " + (temp.path() / "s.json").string());
  CHECK(odd.exit_code == 2);
  CHECK(odd.output.find("unknown attribute 'jitter'") != std::string::npos);
}
