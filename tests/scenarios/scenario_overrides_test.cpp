#include "scenarios/scenario_overrides.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/invalid_input.h"
#include "scenarios/scenario_loader.h"

using cdsim::ScenarioError;
using cdsim::ScenarioOverride;

namespace {

cdsim::Scenario with(const std::string& text, const std::vector<std::string>& assignments) {
  std::vector<ScenarioOverride> overrides;
  for (const std::string& assignment : assignments) overrides.push_back(cdsim::parse_override(assignment));
  return cdsim::parse_scenario(text, "base.json", overrides);
}

ScenarioError error_of(const std::string& text, const std::vector<std::string>& assignments) {
  try {
    with(text, assignments);
  } catch (const ScenarioError& error) {
    return error;
  }
  FAIL("expected the overrides to be rejected");
  return ScenarioError("", "", "");
}

}  // namespace

TEST_CASE("an override value is JSON when it parses and a string otherwise") {
  const cdsim::Scenario s = with(R"({"agents": 4})", {"agents=12", "algorithm.learning_rate=0.25",
                                                      "mixing.lazy=true", "network.bandwidth=100Mbps",
                                                      "topology.kind=torus", "model.kind=\"mlp\"",
                                                      "model.hidden=[7,3]"});
  CHECK(s.agents == 12);
  CHECK(s.algorithm.learning_rate == 0.25);
  CHECK(s.mixing.lazy);
  CHECK(s.network.bandwidth.bits_per_second() == 100'000'000);
  CHECK(s.topology.kind == "torus");
  CHECK(s.model.kind == "mlp");
  CHECK(s.model.hidden == std::vector<std::size_t>{7, 3});
}

TEST_CASE("a dotted path reaches nested sections, made when the base lacks them, and array elements") {
  const cdsim::Scenario s = with(R"({"model": {"kind": "mlp", "hidden": [5, 6]}})",
                                 {"data.partition.kind=dirichlet", "algorithm.schedule.kind=inverse",
                                  "model.hidden.1=9"});
  CHECK(s.partition.kind == "dirichlet");
  CHECK(s.algorithm.schedule.kind == "inverse");
  CHECK(s.model.hidden == std::vector<std::size_t>{5, 9});
}

TEST_CASE("later overrides win and the value string may itself contain '='") {
  const cdsim::ScenarioOverride parsed = cdsim::parse_override("description=a=b");
  CHECK(parsed.field == "description");
  CHECK(parsed.value == "a=b");
  CHECK(with("{}", {"seed=3", "seed=7"}).seed == 7);
}

TEST_CASE("overriding run.steps replaces run.epochs and the other way round") {
  const cdsim::Scenario steps = with(R"({"run": {"epochs": 3}})", {"run.steps=11"});
  CHECK(steps.run.steps == 11);
  const cdsim::Scenario epochs = with(R"({"run": {"steps": 4}})", {"run.epochs=2"});
  CHECK(epochs.run.steps == 0);
  CHECK(epochs.run.epochs == 2.0);
}

TEST_CASE("an override of an unknown field is rejected naming its pointer and the --set") {
  for (const auto& [assignment, pointer] : std::vector<std::pair<std::string, std::string>>{
           {"network.bandwith=1Gbps", "/network/bandwith"},
           {"nosuchsection.x=1", "/nosuchsection"},
           {"algorithm.schedule.period=3", "/algorithm/schedule/period"}}) {
    CAPTURE(assignment);
    const ScenarioError error = error_of("{}", {assignment});
    CHECK(error.file() == "base.json");
    CHECK(error.field() == pointer);
    CHECK(std::string(error.what()).find("unknown key") != std::string::npos);
    CHECK(std::string(error.what()).find("--set " + assignment) != std::string::npos);
  }
}

TEST_CASE("a bad override value is reported by the loader as for a file, naming the --set") {
  const ScenarioError error = error_of("{}", {"algorithm.learning_rate=-1"});
  CHECK(error.field() == "/algorithm/learning_rate");
  CHECK(std::string(error.what()).find("--set algorithm.learning_rate=-1") != std::string::npos);
}

TEST_CASE("an override through a value that is not an object, or a malformed one, is an error") {
  CHECK(error_of(R"({"seed": 2})", {"seed.low=1"}).field() == "/seed");
  CHECK(error_of(R"({"model": {"hidden": [1]}})", {"model.hidden.4=2"}).field() == "/model/hidden/4");
  CHECK_THROWS_AS(cdsim::parse_override("no_equals_sign"), cdsim::InvalidInput);
  CHECK_THROWS_AS(cdsim::parse_override("=3"), cdsim::InvalidInput);
  CHECK(error_of("{}", {"network..bandwidth=1"}).field().empty());
}

TEST_CASE("the overridden values are what the resolved scenario writes") {
  const cdsim::Scenario s = with("{}", {"network.latency=5ms", "topology.kind=complete"});
  const cdsim::Scenario again = cdsim::parse_scenario(cdsim::resolved_scenario_json(s), "again.json");
  CHECK(again.network.latency == cdsim::SimTime::from_ms(5));
  CHECK(again.topology.kind == "complete");
}

TEST_CASE("an override with null removes the field, so that a kind which does not read it accepts the scenario") {
  const std::string base = R"({"agents": 8, "topology": {"kind": "random_regular", "degree": 3}})";
  CHECK(with(base, {}).topology.degree == 3);
  const cdsim::Scenario ring = with(base, {"topology.kind=ring", "topology.degree=null"});
  CHECK(ring.topology.kind == "ring");
  CHECK(ring.topology.degree == cdsim::TopologySpec{}.degree);
  CHECK(error_of(base, {"topology.kind=ring"}).field() == "/topology/degree");
}
