// check_scenario_cost against figures computed here from the scenario by hand: the step
// count of an epoch budget, the model size, the message count; and the bounds it enforces
// (the clock's range always, the cost bounds unless forced).
#include <doctest/doctest.h>

#include <string>

#include "core/data_loader.h"
#include "core/invalid_input.h"
#include "scenarios/scenario_cost.h"
#include "scenarios/scenario_loader.h"

using cdsim::check_scenario_cost;
using cdsim::parse_scenario;
using cdsim::probe_data;
using cdsim::Scenario;
using cdsim::ScenarioCost;

namespace {

ScenarioCost cost_of(const std::string& text, bool force = false) {
  const Scenario scenario = parse_scenario(text, "cost.json");
  return check_scenario_cost(scenario, probe_data(scenario.data), force);
}

std::string field_of_error(const std::string& text, bool force = false) {
  try {
    cost_of(text, force);
  } catch (const cdsim::InvalidInput& error) {
    return error.field();
  }
  return "<accepted>";
}

}  // namespace

TEST_CASE("an epoch budget is ceil(train / (agents x batch)) steps an epoch") {
  const ScenarioCost cost = cost_of(R"({"agents": 5, "data": {"train_samples": 1000},
                                        "algorithm": {"batch_size": 32}, "run": {"epochs": 3}})");
  const std::int64_t per_epoch = (1000 + 5 * 32 - 1) / (5 * 32);  // 7
  CHECK(cost.total_steps == 3 * per_epoch);
  CHECK(cost.observe_every == per_epoch);
  CHECK(cost_of(R"({"run": {"steps": 40, "eval_every_steps": 8}})").observe_every == 8);
}

TEST_CASE("the model size is the dense network's weights and biases") {
  const ScenarioCost cost = cost_of(R"({"data": {"source": "gaussian_mixture", "dimension": 20, "classes": 3},
                                        "model": {"kind": "mlp", "hidden": [100]}})");
  CHECK(cost.parameters == (20 * 100 + 100) + (100 * 3 + 3));
}

TEST_CASE("consensus traffic is two messages per edge per mixing round per step") {
  const ScenarioCost ring = cost_of(R"({"agents": 8, "topology": {"kind": "ring"},
                                        "algorithm": {"consensus_steps": 3}, "run": {"steps": 10}})");
  CHECK(ring.edges == 8);
  CHECK(ring.messages == 10.0 * 2 * 8 * 3);
  const ScenarioCost complete = cost_of(R"({"agents": 6, "topology": {"kind": "complete"}, "run": {"steps": 4}})");
  CHECK(complete.messages == 4.0 * 2 * (6 * 5 / 2));
  const ScenarioCost server = cost_of(R"({"agents": 6, "algorithm": {"kind": "sgd"}, "run": {"steps": 4}})");
  CHECK(server.messages == 4.0 * 2 * 6);
}

TEST_CASE("a run whose simulated length leaves the clock's range is rejected even when forced") {
  CHECK(field_of_error(R"({"compute": {"flops_per_second": 1e-300}})", true) == "/compute/flops_per_second");
  CHECK(field_of_error(R"({"compute": {"step_time": "2000000h"}, "run": {"steps": 1}})", true) == "/compute/step_time");
  CHECK(field_of_error(R"({"network": {"latency": "1h"}, "run": {"steps": 10000000}})", true) == "/run/steps");
  // The same latency over fewer steps fits: 1000 steps of an hour is 114 years.
  CHECK(field_of_error(R"({"network": {"latency": "1h"}, "run": {"steps": 1000}})") == "<accepted>");
}

TEST_CASE("the memory bound names the agents, and --force waives it") {
  const std::string big = R"({"agents": 1048576, "data": {"dimension": 10000, "train_samples": 40000, "test_samples": 10}})";
  CHECK(field_of_error(big) == "/agents");
  const ScenarioCost forced = cost_of(big, true);
  CHECK(forced.memory_bytes > 16.0 * 1024 * 1024 * 1024);
  CHECK(forced.parameters == 10001);
}

TEST_CASE("a model that does not fit its data is rejected by the model field") {
  CHECK(field_of_error(R"({"model": {"kind": "logistic_regression"}, "data": {"source": "gaussian_mixture", "classes": 3}})")
            .rfind("/model", 0) == 0);
}

TEST_CASE("a million-agent communication-only replay fits the bounds; its model holds no memory") {
  const ScenarioCost cost = cost_of(R"({"agents": 1048576, "model": {"kind": "none", "parameters": 1000000},
                                        "run": {"steps": 10}})");
  CHECK(cost.parameters == 1'000'000);
  CHECK(cost.gradient_flops == 0);
  CHECK(cost.messages == 10.0 * 2 * 1048576);  // a ring: two messages per edge per step
  CHECK(cost.memory_bytes < 2.0 * 1024 * 1024 * 1024);
}

TEST_CASE("evaluation costs follow run.evaluation: off costs nothing, a sample of agents costs less") {
  const std::string base = R"({"agents": 64, "run": {"steps": 100, "eval_every_steps": 10, "evaluation": )";
  const ScenarioCost full = cost_of(base + R"({"mode": "full"}}})");
  const ScenarioCost off = cost_of(base + R"({"mode": "off"}}})");
  const ScenarioCost few = cost_of(base + R"({"mode": "full", "agents": 8}}})");
  // Training alone: steps x agents x batch x FLOPs per sample.
  CHECK(off.gradient_flops == doctest::Approx(100.0 * 64 * 32 * off.flops_per_sample));
  CHECK(full.gradient_flops > few.gradient_flops);
  CHECK(few.gradient_flops > off.gradient_flops);
}

TEST_CASE("a replay's parameter count beyond 2^40 is rejected by its field") {
  CHECK_THROWS_AS(parse_scenario(R"({"model": {"kind": "none", "parameters": 2199023255553}})", "p.json"),
                  cdsim::ScenarioError);
}
