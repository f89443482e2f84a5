// Every count a scenario gives is checked against its stated bound (docs/scenario.md,
// "Bounds") and converted exactly: a value too large for its field is an error naming the
// field, never a wrapped, saturated or truncated number that runs something else.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "scenarios/scenario_limits.h"
#include "scenarios/scenario_loader.h"

using cdsim::parse_scenario;
using cdsim::ScenarioError;

namespace {

std::string field_of_error(const std::string& text) {
  try {
    parse_scenario(text, "bad.json");
  } catch (const ScenarioError& error) {
    return error.field();
  }
  return "<accepted>";
}

}  // namespace

TEST_CASE("step counts beyond int64 or the step bound are rejected, never wrapped to 1 step") {
  CHECK(field_of_error(R"({"run": {"steps": 9223372036854775808}})") == "/run/steps");   // 2^63
  CHECK(field_of_error(R"({"run": {"steps": 18446744073709551615}})") == "/run/steps");  // 2^64 - 1
  CHECK(field_of_error(R"({"run": {"steps": 1e19}})") == "/run/steps");
  CHECK(field_of_error(R"({"run": {"steps": 1000000001}})") == "/run/steps");
  CHECK(parse_scenario(R"({"run": {"steps": 1000000000}})", "ok.json").run.steps == 1'000'000'000);
  CHECK(field_of_error(R"({"run": {"epochs": 1e308}})") == "/run/epochs");
  CHECK(field_of_error(R"({"run": {"eval_every_steps": 18446744073709551615}})") == "/run/eval_every_steps");
}

TEST_CASE("sizes of agents, batches, rounds and layers are bounded by their fields") {
  CHECK(field_of_error(R"({"agents": 1e18})") == "/agents");
  CHECK(field_of_error(R"({"agents": 1e12})") == "/agents");
  CHECK(field_of_error(R"({"agents": 16777217})") == "/agents");
  CHECK(field_of_error(R"({"algorithm": {"batch_size": 18446744073709551615}})") == "/algorithm/batch_size");
  CHECK(field_of_error(R"({"algorithm": {"consensus_steps": 1e12}})") == "/algorithm/consensus_steps");
  CHECK(field_of_error(R"({"algorithm": {"local_epochs": 1e15}})") == "/algorithm/local_epochs");
  CHECK(field_of_error(R"({"algorithm": {"schedule": {"kind": "step", "drop_every": 9223372036854775808}}})") ==
        "/algorithm/schedule/drop_every");
  CHECK(field_of_error(R"({"model": {"kind": "mlp", "hidden": [10, 1000001]}})") == "/model/hidden/1");
  CHECK(field_of_error(R"({"data": {"train_samples": 1e12}})") == "/data/train_samples");
  CHECK(field_of_error(R"({"data": {"max_train_samples": 1e19}})") == "/data/max_train_samples");
  CHECK(field_of_error(R"({"compute": {"straggler_slowdown": 1e308}})") == "/compute/straggler_slowdown");
  CHECK(field_of_error(R"({"compute": {"straggler_slowdown": 0.5}})") == "/compute/straggler_slowdown");
}

TEST_CASE("a million-agent ring and the largest stated agent count load") {
  CHECK(parse_scenario(R"({"agents": 1048576})", "ok.json").agents == 1'048'576);
  CHECK(parse_scenario(R"({"agents": 16777216})", "ok.json").agents == cdsim::limits::kMaxAgents);
}

TEST_CASE("whole numbers written as floats convert exactly, and the full seed range round-trips") {
  CHECK(parse_scenario(R"({"run": {"steps": 2.0e3}})", "ok.json").run.steps == 2000);
  CHECK(field_of_error(R"({"run": {"steps": 20.5}})") == "/run/steps");
  const cdsim::Scenario s = parse_scenario(R"({"seed": 18446744073709551615})", "ok.json");
  CHECK(s.seed == UINT64_MAX);
  CHECK(parse_scenario(cdsim::resolved_scenario_json(s), "again.json").seed == UINT64_MAX);
}
