#include <doctest/doctest.h>

#include <string>

#include "scenarios/scenario_loader.h"

using cdsim::parse_scenario;
using cdsim::ScenarioError;

namespace {

// The JSON pointer of the error a scenario text raises, or "(loaded)".
std::string rejected_field(const std::string& text) {
  try {
    parse_scenario(text, "bad.json");
  } catch (const ScenarioError& error) {
    return error.field();
  }
  return "(loaded)";
}

}  // namespace

TEST_CASE("choco_sgd reads its compressor and consensus step size, and the resolved scenario keeps them") {
  const std::string text = R"({"algorithm": {"kind": "choco_sgd", "consensus_step_size": 0.3,
      "compression": {"kind": "top_k", "fraction": 0.01}}})";
  const cdsim::Scenario s = parse_scenario(text, "choco.json");
  CHECK(s.algorithm.kind == "choco_sgd");
  CHECK(s.algorithm.consensus_step_size == 0.3);
  CHECK(s.algorithm.compression.kind == "top_k");
  CHECK(s.algorithm.compression.fraction == 0.01);
  const std::string resolved = cdsim::resolved_scenario_json(s);
  CHECK(cdsim::resolved_scenario_json(parse_scenario(resolved, "choco.json")) == resolved);
  const cdsim::Scenario qsgd = parse_scenario(
      R"({"algorithm": {"kind": "choco_sgd", "compression": {"kind": "qsgd", "levels": 7, "unbiased": false}}})", "q.json");
  CHECK(qsgd.algorithm.compression.levels == 7);
  CHECK_FALSE(qsgd.algorithm.compression.unbiased);
}

TEST_CASE("a compressor that makes no sense is rejected by its field") {
  CHECK(rejected_field(R"({"algorithm": {"kind": "choco_sgd", "compression": {"kind": "top_k"}}})") ==
        "/algorithm/compression/count");
  CHECK(rejected_field(R"({"algorithm": {"kind": "choco_sgd", "compression": {"kind": "qsgd"}}})") ==
        "/algorithm/compression/levels");
  CHECK(rejected_field(R"({"algorithm": {"kind": "choco_sgd", "compression": {"kind": "scaled_sign", "fraction": 0.1}}})") ==
        "/algorithm/compression/fraction");
  CHECK(rejected_field(R"({"algorithm": {"kind": "choco_sgd", "compression": {"kind": "lz4"}}})") ==
        "/algorithm/compression/kind");
  CHECK(rejected_field(R"({"algorithm": {"kind": "choco_sgd", "consensus_step_size": 1.5}})") ==
        "/algorithm/consensus_step_size");
}

TEST_CASE("a field the chosen algorithm does not use is an error naming it") {
  CHECK(rejected_field(R"({"algorithm": {"kind": "sgd", "momentum": 0.9}})") == "/algorithm/momentum");
  CHECK(rejected_field(R"({"algorithm": {"kind": "cdsgd", "momentum": 0.9}})") == "/algorithm/momentum");
  CHECK(rejected_field(R"({"algorithm": {"kind": "fedavg", "momentum": 0.9}})") == "/algorithm/momentum");
  CHECK(rejected_field(R"({"algorithm": {"kind": "fedavg", "communication": "all_reduce"}})") == "/algorithm/communication");
  CHECK(rejected_field(R"({"algorithm": {"kind": "cdsgd", "client_fraction": 0.5}})") == "/algorithm/client_fraction");
  CHECK(rejected_field(R"({"algorithm": {"kind": "cdsgd", "compression": {"kind": "top_k", "count": 3}}})") ==
        "/algorithm/compression");
  CHECK(rejected_field(R"({"algorithm": {"kind": "cdsgd", "consensus_step_size": 0.5}})") == "/algorithm/consensus_step_size");
  CHECK(rejected_field(R"({"algorithm": {"kind": "msgd", "momentum": 0.9}})") == "(loaded)");
  CHECK(rejected_field(R"({"algorithm": {"kind": "cdmsgd", "momentum": 0.9, "consensus_steps": 2}})") == "(loaded)");
}

TEST_CASE("a topology or mixing field the chosen kind does not use is an error naming it") {
  CHECK(rejected_field(R"({"topology": {"kind": "ring", "neighbors_per_side": 2}})") == "/topology/neighbors_per_side");
  CHECK(rejected_field(R"({"topology": {"kind": "complete", "rows": 2}})") == "/topology/rows");
  CHECK(rejected_field(R"({"topology": {"kind": "ring_lattice", "neighbors_per_side": 2}})") == "(loaded)");
  CHECK(rejected_field(R"({"mixing": {"rule": "uniform", "self_weight": 0.5}})") == "/mixing/self_weight");
  CHECK(rejected_field(R"({"topology": {"kind": "torus"}, "mixing": {"rule": "ring_preset"}})") == "/mixing/rule");
  CHECK(rejected_field(R"({"agents": 4, "topology": {"kind": "complete"}, "mixing": {"rule": "ring_preset"}})") == "/mixing/rule");
  CHECK(rejected_field(R"({"topology": {"kind": "ring"}, "mixing": {"rule": "ring_preset"}})") == "(loaded)");
}

TEST_CASE("the resolved scenario writes only the fields its kinds use") {
  const std::string resolved = cdsim::resolved_scenario_json(parse_scenario(R"({"algorithm": {"kind": "sgd"}})", "s.json"));
  CHECK(resolved.find("\"momentum\"") == std::string::npos);
  CHECK(resolved.find("\"consensus_steps\"") == std::string::npos);
  CHECK(resolved.find("\"neighbors_per_side\"") == std::string::npos);
  CHECK(resolved.find("\"communication\"") != std::string::npos);
  CHECK(cdsim::resolved_scenario_json(parse_scenario(resolved, "s.json")) == resolved);
}

TEST_CASE("sgp runs on a time-varying topology and rejects the fields push-sum has no use for, compression among them") {
  const cdsim::Scenario s = parse_scenario(
      R"({"agents": 8, "topology": {"kind": "one_peer_exponential"}, "algorithm": {"kind": "sgp", "learning_rate": 0.1}})",
      "sgp.json");
  CHECK(s.algorithm.kind == "sgp");
  // Compressing push-sum's shares would break the conservation of sum x and sum w its
  // de-biasing relies on, so compression is not an sgp field.
  CHECK(rejected_field(R"({"algorithm": {"kind": "sgp", "compression": {"kind": "top_k", "count": 3}}})") ==
        "/algorithm/compression");
  CHECK(rejected_field(R"({"algorithm": {"kind": "sgp", "momentum": 0.9}})") == "/algorithm/momentum");
  CHECK(rejected_field(R"({"algorithm": {"kind": "sgp", "overlap_communication": true}})") ==
        "/algorithm/overlap_communication");
  CHECK(rejected_field(R"({"algorithm": {"kind": "sgp", "consensus_steps": 2}})") == "/algorithm/consensus_steps");
  // A timeout is an sgp field: with it (and with faults) the shares go as running sums.
  CHECK(rejected_field(R"({"algorithm": {"kind": "sgp", "timeout": "1ms"}})") == "(loaded)");
}

TEST_CASE("fedavg reads a compressor for its uploads and error_feedback; the resolved scenario keeps them") {
  const std::string text = R"({"algorithm": {"kind": "fedavg", "client_fraction": 0.5,
      "compression": {"kind": "qsgd", "levels": 3}, "error_feedback": false}})";
  const cdsim::Scenario s = parse_scenario(text, "fedavg.json");
  CHECK(s.algorithm.compression.kind == "qsgd");
  CHECK_FALSE(s.algorithm.error_feedback);
  const std::string resolved = cdsim::resolved_scenario_json(s);
  CHECK(cdsim::resolved_scenario_json(parse_scenario(resolved, "fedavg.json")) == resolved);
  CHECK(rejected_field(R"({"algorithm": {"kind": "cdsgd", "error_feedback": false}})") == "/algorithm/error_feedback");
}
