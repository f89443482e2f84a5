#include "scenarios/scenario_loader.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/scenarios/scenario_errors.h"

using cdsim::parse_scenario;
using cdsim::ScenarioError;
using cdsim::testing::error_of;

TEST_CASE("an empty object loads with every default filled") {
  const cdsim::Scenario s = parse_scenario("{}", "dir/defaults.json");
  CHECK(s.name == "defaults");
  CHECK(s.agents == 5);
  CHECK(s.topology.kind == "ring");
  CHECK(s.mixing.rule == "metropolis_hastings");
  CHECK(s.network.latency == cdsim::SimTime::from_ms(1));
  CHECK(s.network.bandwidth.bits_per_second() == 1'000'000'000);
  CHECK(s.algorithm.kind == "cdsgd");
  CHECK(s.run.epochs == 1.0);
  CHECK(s.run.steps == 0);
}

TEST_CASE("quantities accept unit strings and plain SI numbers") {
  const cdsim::Scenario s = parse_scenario(
      R"({"network": {"latency": "250us", "bandwidth": "100MB/s"}, "compute": {"step_time": 0.002}})",
      "q.json");
  CHECK(s.network.latency == cdsim::SimTime::from_us(250));
  CHECK(s.network.bandwidth.bits_per_second() == 800'000'000);
  CHECK(s.compute.step_time == cdsim::SimTime::from_ms(2));
  const cdsim::Scenario plain = parse_scenario(R"({"network": {"bandwidth": 125000000}})", "p.json");
  CHECK(plain.network.bandwidth.bits_per_second() == 1'000'000'000);
}

TEST_CASE("the resolved scenario loads back to the same resolved text") {
  const std::string text = R"({"name": "round", "seed": 9, "agents": 7,
      "topology": {"kind": "erdos_renyi", "edge_probability": 0.5},
      "network": {"latency": "3ms", "bandwidth": "10Mbps"},
      "data": {"partition": {"kind": "dirichlet", "dirichlet_alpha": 0.3}},
      "model": {"kind": "mlp", "hidden": [64, 32]},
      "algorithm": {"learning_rate": 0.1, "batch_size": 16},
      "run": {"steps": 40, "eval_every_steps": 5}})";
  const std::string resolved = cdsim::resolved_scenario_json(parse_scenario(text, "round.json"));
  const std::string again = cdsim::resolved_scenario_json(parse_scenario(resolved, "round.json"));
  CHECK(resolved == again);
  const cdsim::Scenario s = parse_scenario(resolved, "round.json");
  CHECK(s.seed == 9);
  CHECK(s.agents == 7);
  CHECK(s.topology.edge_probability == 0.5);
  CHECK(s.network.latency == cdsim::SimTime::from_ms(3));
  CHECK(s.model.hidden == std::vector<std::size_t>{64, 32});
  CHECK(s.run.steps == 40);
}

TEST_CASE("malformed JSON is reported with the file and a line and column") {
  const ScenarioError e = error_of("{\n  \"agents\": 5,\n  oops\n}");
  CHECK(e.file() == "bad.json");
  CHECK(std::string(e.what()).find("malformed JSON at line 3") != std::string::npos);
}

TEST_CASE("an unknown key is rejected by its JSON pointer, with the known keys listed") {
  const ScenarioError e = error_of(R"({"network": {"latency": "1ms", "bandwith": "1Gbps"}})");
  CHECK(e.field() == "/network/bandwith");
  const std::string message = e.what();
  CHECK(message.find("bad.json: /network/bandwith: unknown key") == 0);
  CHECK(message.find("bandwidth") != std::string::npos);
}

TEST_CASE("a wrong type names the field, what was found and what was expected") {
  const ScenarioError e = error_of(R"({"agents": "five"})");
  CHECK(e.field() == "/agents");
  const std::string message = e.what();
  CHECK(message.find("expected a whole number from 1 to 16777216") != std::string::npos);
  CHECK(message.find("\"five\"") != std::string::npos);
}

TEST_CASE("every bad value the skeleton promises to catch is rejected with its field") {
  struct Case {
    const char* text;
    const char* field;
  };
  const Case cases[] = {
      {R"({"agents": 0})", "/agents"},
      {R"({"agents": -3})", "/agents"},
      {R"({"network": {"bandwidth": "-1Gbps"}})", "/network/bandwidth"},
      {R"({"network": {"bandwidth": 0}})", "/network/bandwidth"},
      {R"({"network": {"bandwidth": "fast"}})", "/network/bandwidth"},
      {R"({"network": {"latency": "-1ms"}})", "/network/latency"},
      {R"({"algorithm": {"learning_rate": 0}})", "/algorithm/learning_rate"},
      {R"({"algorithm": {"learning_rate": -0.1}})", "/algorithm/learning_rate"},
      {R"({"algorithm": {"kind": "magic"}})", "/algorithm/kind"},
      {R"({"algorithm": {"batch_size": 0}})", "/algorithm/batch_size"},
      {R"({"topology": {"kind": "moebius"}})", "/topology/kind"},
      {R"({"topology": {"kind": "erdos_renyi", "edge_probability": 1.5}})", "/topology/edge_probability"},
      {R"({"topology": {"kind": "dot"}})", "/topology/file"},
      {R"({"topology": 3})", "/topology"},
      {R"({"run": {"steps": 10, "epochs": 1}})", "/run"},
      {R"({"name": "../escape"})", "/name"},
      {R"({"model": {"dropout": 1.0}})", "/model/dropout"},
      {R"([1, 2])", ""},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const ScenarioError e = error_of(c.text);
    CHECK(e.field() == c.field);
    CHECK(e.file() == "bad.json");
  }
}

TEST_CASE("a missing scenario file is an error naming the file") {
  try {
    cdsim::load_scenario("/nonexistent/scenario.json");
    FAIL("expected an error");
  } catch (const ScenarioError& error) {
    CHECK(error.file() == "/nonexistent/scenario.json");
    CHECK(std::string(error.what()).find("no such scenario file") != std::string::npos);
  }
}

TEST_CASE("relative paths in a scenario are taken relative to the scenario's folder") {
  const cdsim::Scenario s =
      parse_scenario(R"({"topology": {"kind": "edge_list", "file": "graphs/g.txt"}})", "/x/y/s.json");
  CHECK(s.topology.file == "/x/y/graphs/g.txt");
}

TEST_CASE("a communication-only replay loads with evaluation off and round-trips through the resolved JSON") {
  const cdsim::Scenario s = parse_scenario(R"({"model": {"kind": "none", "parameters": 100000}})", "replay.json");
  CHECK(cdsim::is_replay(s.model));
  CHECK(s.model.parameters == 100000);
  CHECK(s.run.evaluation.mode == "off");
  const std::string resolved = cdsim::resolved_scenario_json(s);
  CHECK(cdsim::resolved_scenario_json(parse_scenario(resolved, "resolved.json")) == resolved);
}

TEST_CASE("run.evaluation defaults to everything for small runs and to 1024 seeded agents beyond") {
  const cdsim::Scenario small = parse_scenario(R"({"agents": 1024})", "small.json");
  CHECK(small.run.evaluation.mode == "full");
  CHECK(small.run.evaluation.samples == 0);
  CHECK(small.run.evaluation.agents == 0);
  const cdsim::Scenario large = parse_scenario(R"({"agents": 1025})", "large.json");
  CHECK(large.run.evaluation.agents == cdsim::kDefaultEvaluatedAgents);
  const cdsim::Scenario given = parse_scenario(
      R"({"agents": 20, "run": {"evaluation": {"mode": "test", "samples": 500, "agents": 4}}})", "given.json");
  CHECK(given.run.evaluation.mode == "test");
  CHECK(given.run.evaluation.samples == 500);
  CHECK(given.run.evaluation.agents == 4);
}

TEST_CASE("bad replay and evaluation settings are rejected with their field") {
  struct Case {
    const char* text;
    const char* field;
  };
  const Case cases[] = {
      {R"({"model": {"kind": "none"}})", "/model/parameters"},
      {R"({"model": {"kind": "mlp", "hidden": [4], "parameters": 10}})", "/model/parameters"},
      {R"({"model": {"kind": "none", "parameters": 5}, "compute": {"flops_per_second": 1e9}})",
       "/compute/flops_per_second"},
      {R"({"model": {"kind": "none", "parameters": 5}, "run": {"evaluation": {"mode": "full"}}})",
       "/run/evaluation/mode"},
      {R"({"run": {"evaluation": {"mode": "sometimes"}}})", "/run/evaluation/mode"},
      {R"({"agents": 4, "run": {"evaluation": {"agents": 5}}})", "/run/evaluation/agents"},
      {R"({"run": {"evaluation": {"samples": -1}}})", "/run/evaluation/samples"},
      {R"({"run": {"evaluation": {"every": 3}}})", "/run/evaluation/every"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const ScenarioError e = error_of(c.text);
    CHECK(e.field() == c.field);
  }
}

TEST_CASE("bad NIC and platform fields are rejected by their JSON pointer") {
  struct Case {
    const char* text;
    const char* field;
  };
  const Case cases[] = {
      {R"({"network": {"model": "mesh"}})", "/network/model"},
      {R"({"network": {"nic": {"uplink": "10Mbps"}}})", "/network/nic"},  // point_to_point has no NICs
      {R"({"network": {"model": "nic", "nic": {"uplink": "10 parsecs"}}})", "/network/nic/uplink"},
      {R"({"network": {"model": "nic", "nic": {"sideways": "1Gbps"}}})", "/network/nic/sideways"},
      {R"({"network": {"model": "switch", "platform": {"kind": "tree"}}})", "/network/platform"},
      {R"({"network": {"model": "platform", "platform": {"kind": "torus"}}})", "/network/platform/kind"},
      {R"({"network": {"model": "platform", "platform": {"kind": "tree", "hosts_per_switch": 0}}})",
       "/network/platform/hosts_per_switch"},
      {R"({"network": {"model": "platform", "platform": {"kind": "tree", "oversubscription": 0}}})",
       "/network/platform/oversubscription"},
      {R"({"network": {"model": "platform", "platform": {"kind": "switch", "oversubscription": 2}}})",
       "/network/platform/oversubscription"},
      {R"({"network": {"model": "platform", "platform": {"kind": "tree", "core_bandwidth": "1Gbps"}}})",
       "/network/platform/core_bandwidth"},
      {R"({"network": {"model": "platform", "platform": {"kind": "regions"}}})", "/network/platform/wan_latency"},
      {R"({"network": {"model": "platform", "platform": {"kind": "regions", "wan_latency": [["0s", "5ms"], ["0s"]]}}})",
       "/network/platform/wan_latency/1"},
      {R"({"network": {"model": "platform", "platform": {"kind": "regions", "wan_latency": [["0s", "5ms"], ["6ms", "0s"]]}}})",
       "/network/platform/wan_latency/1/0"},
      {R"({"network": {"model": "platform", "platform": {"kind": "regions", "wan_latency": [["0s", "5 lightyears"], ["5ms", "0s"]]}}})",
       "/network/platform/wan_latency/0/1"},
      {R"({"agents": 2, "network": {"model": "platform", "platform": {"kind": "regions",
           "wan_latency": [["0s", "1ms", "1ms"], ["1ms", "0s", "1ms"], ["1ms", "1ms", "0s"]]}}})",
       "/network/platform/wan_latency"},
      {R"({"network": {"model": "platform", "platform": {"kind": "file"}}})", "/network/platform/file"},
      {R"({"network": {"model": "platform", "platform": {"kind": "file", "file": 3}}})", "/network/platform/file"},
      {R"({"network": {"model": "platform", "platform": {"kind": "tree", "file": "rack.graphml"}}})",
       "/network/platform/file"},
      {R"({"network": {"model": "platform", "platform": {"kind": "file", "file": "rack.graphml", "core_latency": "1ms"}}})",
       "/network/platform/core_latency"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const ScenarioError e = error_of(c.text);
    CHECK(e.field() == c.field);
  }
}

TEST_CASE("a platform file is taken relative to the scenario's folder and survives the resolved scenario") {
  const cdsim::Scenario first = cdsim::parse_scenario(
      R"({"network": {"model": "platform", "platform": {"kind": "file", "file": "racks/two.graphml"}}})",
      "/some/where/s.json");
  CHECK(first.network.platform.kind == "file");
  CHECK(first.network.platform.file == "/some/where/racks/two.graphml");
  const cdsim::Scenario again = cdsim::parse_scenario(cdsim::resolved_scenario_json(first), "resolved.json");
  CHECK(again.network.platform.file == first.network.platform.file);
}

TEST_CASE("NIC and platform fields survive the resolved scenario") {
  const char* text = R"({"agents": 6, "network": {"model": "platform", "nic": {"uplink": "25Mbit/s"},
      "platform": {"kind": "regions", "core_bandwidth": "100Mbps",
                   "wan_latency": [["0s", "30ms"], ["30ms", "0s"]]}}})";
  const cdsim::Scenario first = cdsim::parse_scenario(text, "ok.json");
  const cdsim::Scenario again = cdsim::parse_scenario(cdsim::resolved_scenario_json(first), "resolved.json");
  CHECK(again.network.model == "platform");
  CHECK(again.network.nic.uplink == first.network.nic.uplink);
  CHECK_FALSE(again.network.nic.downlink.has_value());
  CHECK(again.network.platform.kind == "regions");
  CHECK(again.network.platform.core_bandwidth == first.network.platform.core_bandwidth);
  CHECK(again.network.platform.wan_latency == first.network.platform.wan_latency);
  CHECK(again.network.platform.wan_latency[0][1] == cdsim::SimTime::from_ms(30));
}

TEST_CASE("a fault's link is two agents or a platform link's two ends, and the resolved form keeps the names") {
  const std::string text = R"({"name": "ends", "network": {"model": "platform", "platform": {"kind": "dumbbell"}},
      "faults": {"link_loss": [{"link": ["host:1", "switch:0"], "probability": 0.25}],
                 "events": [{"at": "1s", "kind": "link_down", "link": ["switch:0", "switch:1"]},
                            {"at": "2s", "kind": "link_degrade", "link": ["host:3", "switch:1"], "latency": "2ms"},
                            {"at": "3s", "kind": "link_up", "link": [0, 1]}]}})";
  const cdsim::Scenario s = parse_scenario(text, "ends.json");
  REQUIRE(s.faults.events.size() == 3);
  const std::vector<cdsim::PlatformNodeName>& cut = s.faults.events[0].platform_link;
  REQUIRE(cut.size() == 2);
  CHECK(cut[0].is_switch);
  CHECK(cut[0].index == 0);
  CHECK(cut[1].is_switch);
  CHECK(cut[1].index == 1);
  CHECK(s.faults.events[0].link.empty());
  CHECK_FALSE(s.faults.events[1].platform_link[0].is_switch);
  CHECK(s.faults.events[1].platform_link[0].index == 3);
  CHECK(s.faults.events[2].platform_link.empty());
  CHECK(s.faults.events[2].link == std::vector<std::size_t>{0, 1});
  REQUIRE(s.faults.link_loss.size() == 1);
  CHECK(s.faults.link_loss[0].link.empty());
  CHECK(s.faults.link_loss[0].platform_link[0].text() == "host:1");
  CHECK(s.faults.link_loss[0].platform_link[1].text() == "switch:0");
  const std::string resolved = cdsim::resolved_scenario_json(s);
  CHECK(resolved.find(R"("host:3")") != std::string::npos);
  CHECK(cdsim::resolved_scenario_json(parse_scenario(resolved, "ends.json")) == resolved);
}
