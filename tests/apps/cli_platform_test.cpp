// End-to-end checks of NICs and platforms: a parameter server pays for its fan-out at its
// NIC, the switch model is the single-switch platform, GraphML platform files run as the
// generators they describe, and summary.json names the network.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/apps/cli_harness.h"
#include "tests/sim/platform_graphml.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_text;

namespace {

nlohmann::json summary_of(const std::filesystem::path& run) {
  return nlohmann::json::parse(read_text(run / "summary.json"));
}

// A communication-only replay of `agents` agents on a ring, with the given network section.
std::string replay(const std::string& algorithm, const std::string& network, std::size_t agents = 6) {
  return R"({"name": "platform", "agents": )" + std::to_string(agents) + R"(, "topology": {"kind": "ring"},
    "network": )" + network + R"(, "compute": {"step_time": "5ms"},
    "model": {"kind": "none", "parameters": 25000}, "algorithm": )" + algorithm + R"(,
    "run": {"steps": 4, "evaluation": {"mode": "off"}}})";
}

// Runs `scenario` into `out` (which must succeed) and returns its summary.json.
nlohmann::json run_summary(const std::filesystem::path& scenario, const std::filesystem::path& out) {
  const auto outcome = run_cli("run " + scenario.string() + " --quiet --out " + out.string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  return summary_of(out);
}

}  // namespace

TEST_CASE("a parameter server's NIC is shared by its workers: a step costs 2 N S / D plus compute and latency") {
  // Every node's NIC sends and receives at D; the edges are 100 times faster. The N uploads
  // share the server's downlink (D / N each), then the N downloads its uplink: each phase
  // takes N S 8 / D, and a message crosses one edge latency (the NIC links have none).
  TempFolder temp("nic_server");
  const auto scenario = temp.path() / "ps.json";
  constexpr double kD = 20e6;
  write_text(scenario, replay(R"({"kind": "sgd", "communication": "parameter_server"})",
                              R"({"model": "nic", "latency": "1ms", "bandwidth": "2Gbps",
                                  "nic": {"uplink": "20Mbps", "downlink": "20Mbps"}})"));
  const nlohmann::json summary = run_summary(scenario, temp.path() / "run");
  const double bytes = summary["bytes_total"].get<double>() / summary["messages_total"].get<double>();
  const double step_s = 0.005 + 2 * 0.001 + 2 * 6 * bytes * 8 / kD;
  CHECK(summary["sim_time_s"].get<double>() == doctest::Approx(4 * step_s).epsilon(1e-9));
  CHECK(summary["network"]["model"] == "nic");
  CHECK(summary["network"]["platform"]["kind"] == "nic");
  CHECK(summary["network"]["platform"]["hosts"] == 7);  // 6 workers and the server
  // The busiest links are the server's NIC: 6 workers x 4 steps messages each way.
  const nlohmann::json& busiest = summary["network"]["most_loaded_links"][0];
  CHECK(busiest["messages"] == 24);
  CHECK((busiest["from"] == 6 || busiest["to"] == 6));
}

TEST_CASE("the switch model and platform kind switch run identically") {
  TempFolder temp("switch_platform");
  const std::string algorithm = R"({"kind": "cdsgd"})";
  write_text(temp.path() / "switch.json",
             replay(algorithm, R"({"model": "switch", "latency": "1ms", "bandwidth": "10Mbps", "nic": {"uplink": "4Mbps"}})"));
  write_text(temp.path() / "platform.json",
             replay(algorithm, R"({"model": "platform", "latency": "1ms", "bandwidth": "10Mbps", "nic": {"uplink": "4Mbps"},
                                   "platform": {"kind": "switch"}})"));
  const nlohmann::json a = run_summary(temp.path() / "switch.json", temp.path() / "switch");
  const nlohmann::json b = run_summary(temp.path() / "platform.json", temp.path() / "platform");
  CHECK(read_text(temp.path() / "switch" / "metrics.csv") == read_text(temp.path() / "platform" / "metrics.csv"));
  CHECK(a["sim_time_s"] == b["sim_time_s"]);
  CHECK(a["network"]["most_loaded_links"] == b["network"]["most_loaded_links"]);
}

TEST_CASE("a dumbbell's bottleneck carries the ring's two crossing flows each way") {
  // 6 agents on a ring, hosts 0-2 on one switch and 3-5 on the other: the ring edges 2-3 and
  // 5-0 cross, so two flows share each direction of the bottleneck at B_core / 2; with
  // B_core well below the host links that is the step's transfer time.
  TempFolder temp("dumbbell");
  const auto scenario = temp.path() / "dumbbell.json";
  write_text(scenario, replay(R"({"kind": "cdsgd"})", R"({"model": "platform", "latency": "0s", "bandwidth": "10Gbps",
      "platform": {"kind": "dumbbell", "core_latency": "2ms", "core_bandwidth": "10Mbps"}})"));
  const nlohmann::json summary = run_summary(scenario, temp.path() / "run");
  const double bytes = summary["bytes_total"].get<double>() / summary["messages_total"].get<double>();
  // A fluid flow moves at its route's narrowest share throughout (the host links, shared by
  // at most two flows at 10 Gbit/s, never bind), so the crossing messages, the slowest a
  // step waits for, take 2 S / B_core plus the core's latency.
  const double step_s = 0.005 + 0.002 + 2 * bytes * 8 / 10e6;
  CHECK(summary["sim_time_s"].get<double>() == doctest::Approx(4 * step_s).epsilon(1e-9));
  CHECK(summary["network"]["platform"]["switches"] == 2);

  const auto topology = run_cli("topology " + scenario.string());
  INFO(topology.output);
  CHECK(topology.output.find("network \"platform\": platform \"dumbbell\", 6 hosts, 2 switches, 7 full-duplex links") !=
        std::string::npos);
}

TEST_CASE("platform errors name the field and exit 2") {
  TempFolder temp("platform_errors");
  const auto scenario = temp.path() / "bad.json";
  write_text(scenario, replay(R"({"kind": "cdsgd"})", R"({"model": "platform", "platform": {"kind": "fat"}})"));
  const auto outcome = run_cli("run " + scenario.string() + " --quiet --out " + (temp.path() / "run").string());
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("/network/platform/kind") != std::string::npos);
  CHECK(std::count(outcome.output.begin(), outcome.output.end(), '\n') == 1);
  CHECK_FALSE(std::filesystem::exists(temp.path() / "run"));
}

namespace {

// A GraphML platform file: hosts "h<agent>" (listed in `host_order`, each with its agent
// attribute) on the leaf switch "l<leaf_of(agent)>", leaves joined to a router "core" by
// `core_data` (no core when there is one leaf).
template <typename LeafOf>
std::string platform_graphml(const std::vector<int>& host_order, std::size_t leaves, LeafOf leaf_of,
                             const std::string& host_data, const std::string& core_data) {
  std::vector<cdsim::testing::GraphmlTestNode> nodes;
  std::vector<cdsim::testing::GraphmlTestEdge> edges;
  for (const int h : host_order) {
    nodes.push_back({"h" + std::to_string(h), "host", "<data key=\"a\">" + std::to_string(h) + "</data>"});
    edges.push_back({"l" + std::to_string(leaf_of(h)), "h" + std::to_string(h), host_data});
  }
  for (std::size_t k = 0; k < leaves; ++k) nodes.push_back({"l" + std::to_string(k), "switch", ""});
  if (leaves > 1) nodes.push_back({"core", "router", ""});
  for (std::size_t k = 0; leaves > 1 && k < leaves; ++k) edges.push_back({"l" + std::to_string(k), "core", core_data});
  return cdsim::testing::platform_graphml(nodes, edges);
}

// Runs the scenarios `generated` and `file` (a platform file beside them) and checks that
// both runs wrote the same metrics.csv and simulated time.
void check_same_runs(const TempFolder& temp, const std::string& generated, const std::string& file) {
  write_text(temp.path() / "generated.json", generated);
  write_text(temp.path() / "file.json", file);
  const nlohmann::json a = run_summary(temp.path() / "generated.json", temp.path() / "generated");
  const nlohmann::json b = run_summary(temp.path() / "file.json", temp.path() / "file");
  CHECK(read_text(temp.path() / "generated" / "metrics.csv") == read_text(temp.path() / "file" / "metrics.csv"));
  CHECK(a["sim_time_s"] == b["sim_time_s"]);
  CHECK(a["network"]["most_loaded_links"] == b["network"]["most_loaded_links"]);
  CHECK(b["network"]["platform"]["kind"] == "file");
  // cdsim topology simulates the same round on both.
  const auto topology = run_cli("topology --json " + (temp.path() / "generated.json").string() + " " +
                                (temp.path() / "file.json").string());
  INFO(topology.output);
  REQUIRE(topology.exit_code == 0);
  const nlohmann::json reports = nlohmann::json::parse(topology.output);
  CHECK(reports[0]["round_time_method"] == "simulated");
  CHECK(reports[0]["round_time_s"] == reports[1]["round_time_s"]);
}

}  // namespace

TEST_CASE("a GraphML star behind one switch runs byte-identically to platform switch") {
  TempFolder temp("file_star");
  // The file gives the host links 1 ms and 10 Mbit/s; the file scenario's own defaults differ.
  write_text(temp.path() / "star.graphml",
             platform_graphml({3, 0, 5, 1, 4, 2}, 1, [](int) { return 0; },
                              R"(<data key="l">1ms</data><data key="b">10Mbps</data>)", ""));
  const std::string algorithm = R"({"kind": "cdsgd"})";
  check_same_runs(temp,
                  replay(algorithm, R"({"model": "platform", "latency": "1ms", "bandwidth": "10Mbps",
                                        "nic": {"uplink": "4Mbps"}, "platform": {"kind": "switch"}})"),
                  replay(algorithm, R"({"model": "platform", "latency": "7ms", "bandwidth": "1Gbps",
                                        "nic": {"uplink": "4Mbps"},
                                        "platform": {"kind": "file", "file": "star.graphml"}})"));
}

TEST_CASE("a GraphML two-level tree with a parameter server runs byte-identically to platform tree") {
  // 6 workers and the server (host 6) on leaves of 3: hosts 0-2, 3-5 and 6; each leaf's
  // core link has 3 x 10 Mbit/s / 2 = 15 Mbit/s and 3 ms.
  TempFolder temp("file_tree");
  write_text(temp.path() / "tree.graphml",
             platform_graphml({6, 2, 0, 4, 1, 3, 5}, 3, [](int h) { return h / 3; }, "",
                              R"(<data key="l">3ms</data><data key="b">15Mbps</data>)"));
  const std::string algorithm = R"({"kind": "sgd", "communication": "parameter_server"})";
  check_same_runs(temp,
                  replay(algorithm, R"({"model": "platform", "latency": "1ms", "bandwidth": "10Mbps",
                                        "platform": {"kind": "tree", "hosts_per_switch": 3, "oversubscription": 2,
                                                     "core_latency": "3ms"}})"),
                  replay(algorithm, R"({"model": "platform", "latency": "1ms", "bandwidth": "10Mbps",
                                        "platform": {"kind": "file", "file": "tree.graphml"}})"));
}

TEST_CASE("a bad platform file is one line naming the field and the node, exit 2, no run folder") {
  TempFolder temp("file_errors");
  // Six hosts for a parameter server of 6 workers, which needs 7 (the server is host 6).
  write_text(temp.path() / "short.graphml", platform_graphml({0, 1, 2, 3, 4, 5}, 1, [](int) { return 0; }, "", ""));
  write_text(temp.path() / "ps.json", replay(R"({"kind": "sgd", "communication": "parameter_server"})",
                                             R"({"model": "platform", "platform": {"kind": "file", "file": "short.graphml"}})"));
  // A host with an unknown role.
  std::string hub = platform_graphml({0, 1, 2, 3, 4, 5}, 1, [](int) { return 0; }, "", "");
  hub.replace(hub.find("<data key=\"r\">host</data><data key=\"a\">4</data>"), 25, "<data key=\"r\">hub</data>");
  write_text(temp.path() / "hub.graphml", hub);
  write_text(temp.path() / "ring.json",
             replay(R"({"kind": "cdsgd"})", R"({"model": "platform", "platform": {"kind": "file", "file": "hub.graphml"}})"));
  struct Case {
    std::string scenario;
    std::string part;
  };
  for (const Case& c : {Case{"ps.json", "has 6 hosts; expected 7"}, Case{"ring.json", "node 'h4': role 'hub'"}}) {
    const std::string path = (temp.path() / c.scenario).string();
    for (const std::string& command : {"run " + path + " --quiet --out " + (temp.path() / "run").string(),
                                       "validate " + path}) {
      CAPTURE(command);
      const auto outcome = run_cli(command);
      CHECK(outcome.exit_code == 2);
      CHECK(outcome.output.find("/network/platform/file") != std::string::npos);
      CHECK(outcome.output.find(c.part) != std::string::npos);
      CHECK(std::count(outcome.output.begin(), outcome.output.end(), '\n') == 1);
      CHECK_FALSE(std::filesystem::exists(temp.path() / "run"));
    }
  }
}
