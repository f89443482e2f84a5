#include "analysis/studies/sweep_spec.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_topology.h"

using cdsim::ScenarioError;
using cdsim::studies::expand_sweep;
using cdsim::studies::parse_sweep;
using cdsim::studies::SweepRun;

namespace {

const std::string kBase = std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json";
const std::string kSweepFile = std::string(CDSIM_SOURCE_DIR) + "/scenarios/study.json";  // anchors "../"-free paths

std::string sweep_with(const std::string& rest) { return "{\"base\": \"quickstart.json\"" + rest + "}"; }

ScenarioError error_of(const std::string& text) {
  try {
    const auto spec = parse_sweep(text, kSweepFile);
    cdsim::studies::check_sweep_runs(spec, expand_sweep(spec));
  } catch (const ScenarioError& error) {
    return error;
  }
  FAIL("expected the sweep to be rejected: " << text);
  return ScenarioError("", "", "");
}

// The value one run gives a field, as the override text.
std::string value_of(const SweepRun& run, const std::string& field) {
  for (const auto& o : run.overrides) {
    if (o.field == field) return o.value;
  }
  return "";
}

}  // namespace

TEST_CASE("the issue's minimal sweep expands into the product of its axes times its seeds, seeds fastest") {
  const auto spec = parse_sweep(
      R"({"base": "quickstart.json", "grid": {"topology.kind": ["ring", "complete"], "algorithm.learning_rate": [0.05, 0.1]}, "seeds": [1, 2, 3]})",
      kSweepFile);
  CHECK(spec.base_file == std::filesystem::path(kBase));
  const std::vector<SweepRun> runs = expand_sweep(spec);
  REQUIRE(runs.size() == 2 * 2 * 3);
  std::set<std::vector<std::string>> combinations;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    // Order: topology slowest, then learning rate, then seed.
    CHECK(value_of(runs[i], "topology.kind") == (i < 6 ? "\"ring\"" : "\"complete\""));
    CHECK(value_of(runs[i], "algorithm.learning_rate") == ((i / 3) % 2 == 0 ? "0.05" : "0.1"));
    CHECK(runs[i].seed == 1 + i % 3);
    CHECK(value_of(runs[i], "seed") == std::to_string(1 + i % 3));
    combinations.insert({value_of(runs[i], "topology.kind"), value_of(runs[i], "algorithm.learning_rate"),
                         value_of(runs[i], "seed")});
  }
  CHECK(combinations.size() == runs.size());
  CHECK(runs.front().id == "kind=ring__learning_rate=0.05__seed=1");
  CHECK(runs.back().id == "kind=complete__learning_rate=0.1__seed=3");
}

TEST_CASE("run ids are the same for the same sweep file, and unique") {
  const std::string text = sweep_with(R"(, "grid": {"network.bandwidth": ["10Mbps", "1Gbps"], "model.kind": ["linear_regression"]}, "seeds": 2)");
  const auto first = expand_sweep(parse_sweep(text, kSweepFile));
  const auto second = expand_sweep(parse_sweep(text, kSweepFile));
  REQUIRE(first.size() == 4);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < first.size(); ++i) {
    CHECK(first[i].id == second[i].id);
    ids.insert(first[i].id);
  }
  CHECK(ids.size() == 4);
  CHECK(first[0].id == "bandwidth=10Mbps__kind=linear_regression__seed=1");
}

TEST_CASE("zipped axes vary together: a zip group of n values is one factor of n in the product") {
  const auto spec = parse_sweep(
      sweep_with(R"(, "grid": {"topology.kind": ["ring", "complete", "star"]}, "zip": {"network.latency": ["1ms", "5ms"], "network.bandwidth": ["1Gbps", "100Mbps"]}, "seeds": [4])"),
      kSweepFile);
  const auto runs = expand_sweep(spec);
  REQUIRE(runs.size() == 3 * 2);
  for (const SweepRun& run : runs) {
    const std::string latency = value_of(run, "network.latency");
    CHECK(value_of(run, "network.bandwidth") == (latency == "\"1ms\"" ? "\"1Gbps\"" : "\"100Mbps\""));
    CHECK(run.seed == 4);
  }
}

TEST_CASE("grid and zip are factors in the file's order, and a null axis value is left out of run ids") {
  const auto runs = expand_sweep(parse_sweep(
      sweep_with(R"(, "zip": {"topology.kind": ["ring", "random_regular"], "topology.degree": [null, 4]}, "grid": {"network.model": ["point_to_point", "switch"]})"),
      kSweepFile));
  REQUIRE(runs.size() == 4);
  CHECK(runs[0].id == "kind=ring__model=point_to_point__seed=1");
  CHECK(runs[1].id == "kind=ring__model=switch__seed=1");
  CHECK(runs[2].id == "kind=random_regular__degree=4__model=point_to_point__seed=1");
  CHECK(value_of(runs[0], "topology.degree") == "null");
}

TEST_CASE("axes with the same last name are named by their whole path in run ids") {
  const auto runs = expand_sweep(parse_sweep(
      sweep_with(R"(, "grid": {"topology.kind": ["ring"], "model.kind": ["linear_regression"]})"), kSweepFile));
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].id == "topology.kind=ring__model.kind=linear_regression__seed=1");
}

TEST_CASE("a bad sweep file is rejected naming the file and the JSON pointer") {
  for (const auto& [text, pointer] : std::vector<std::pair<std::string, std::string>>{
           {sweep_with(R"(, "gird": {})"), "/gird"},
           {sweep_with(R"(, "grid": {"topology.kind": []})"), "/grid/topology.kind"},
           {sweep_with(R"(, "grid": {"topology.kind": "ring"})"), "/grid/topology.kind"},
           {sweep_with(R"(, "grid": {"network.bandwith": ["1Gbps"]})"), "/grid/network.bandwith/0"},
           {sweep_with(R"(, "grid": {"topology.kind": ["ring", "nosuchkind"]})"), "/grid/topology.kind/1"},
           {sweep_with(R"(, "zip": {"network.latency": ["1ms", "2ms"], "network.bandwidth": ["1Gbps"]})"), "/zip/network.bandwidth"},
           {sweep_with(R"(, "seeds": 0)"), "/seeds"},
           {sweep_with(R"(, "seeds": [1, 1])"), "/seeds/1"},
           {sweep_with(R"(, "set": {"run.stepz": 3})"), "/set/run.stepz"},
           {R"({"grid": {}})", "/base"},
           {R"({"base": "missing.json"})", "/base"},
           {R"({"base": {"agents": 0}})", "/base/agents"}}) {
    CAPTURE(text);
    const ScenarioError error = error_of(text);
    CHECK(error.file() == kSweepFile);
    CHECK(error.field() == pointer);
  }
}

TEST_CASE("an inline base is resolved with paths relative to the sweep file, and each run loads it with its overrides") {
  const auto spec = parse_sweep(R"({"base": {"agents": 6, "topology": {"kind": "edge_list", "file": "g.txt"}}, "grid": {"agents": [6]}})",
                                "/some/where/s.json");
  CHECK(spec.base_file.empty());
  const cdsim::Scenario base = cdsim::parse_scenario(spec.base_json, "elsewhere.json");
  CHECK(base.topology.file == "/some/where/g.txt");
  const auto runs = expand_sweep(spec);
  const cdsim::Scenario first = cdsim::studies::load_run_scenario(spec, runs.front());
  CHECK(first.agents == 6);
  CHECK(first.seed == 1);
}

TEST_CASE("every sweep shipped under scenarios/studies/ reads, expands and gives valid scenarios with their topologies") {
  const std::filesystem::path root = std::filesystem::path(CDSIM_SOURCE_DIR) / "scenarios" / "studies";
  std::size_t sweeps = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    if (entry.path().extension() != ".json") continue;
    CAPTURE(entry.path().string());
    ++sweeps;
    const auto spec = cdsim::studies::read_sweep_file(entry.path());
    const auto runs = expand_sweep(spec);
    CHECK(runs.size() >= 2);
    cdsim::studies::check_sweep_runs(spec, runs);
    for (const SweepRun& run : runs) {
      const cdsim::Scenario scenario = cdsim::studies::load_run_scenario(spec, run);
      CHECK(cdsim::build_scenario_topology(scenario).graph.vertex_count() == scenario.agents);
    }
  }
  CHECK(sweeps >= 1);
}

TEST_CASE("a sweep file nested too deep, with an out-of-range number or a duplicate key is rejected before it is read") {
  const std::string deep = "{\"base\": \"quickstart.json\", \"set\": {\"x\": " + std::string(100'000, '[') +
                           std::string(100'000, ']') + "}}";
  CHECK(error_of(deep).field().find("/set/x") == 0);
  CHECK(std::string(error_of(sweep_with(", \"seeds\": [1e999]")).what()).find("range") != std::string::npos);
  CHECK(error_of(sweep_with(", \"seeds\": [1], \"seeds\": [2]")).field() == "/seeds");
}

TEST_CASE("a sweep of more than a million runs, or a seed count above a million, is rejected before expanding") {
  std::string grid = ", \"grid\": {";
  for (int axis = 0; axis < 7; ++axis) {
    grid += std::string(axis == 0 ? "" : ", ") + "\"algorithm.learning_rate" + std::to_string(axis) + "\": [";
    for (int v = 0; v < 10; ++v) grid += std::string(v == 0 ? "" : ", ") + std::to_string(v + 1);
    grid += "]";
  }
  grid += "}";
  const ScenarioError too_many = error_of(sweep_with(grid));
  CHECK(too_many.field() == "/grid");
  CHECK(std::string(too_many.what()).find("more than 1000000 runs") != std::string::npos);
  CHECK(error_of(sweep_with(", \"seeds\": 1000000000000")).field() == "/seeds");
  CHECK(parse_sweep(sweep_with(", \"seeds\": 3"), kSweepFile).seeds.size() == 3);
}
