// run.evaluation in a whole run: the notice before a run whose evaluation costs more than
// its training, and a seeded subset of agents in agents.csv.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "analysis/metrics.h"
#include "analysis/run_scenario.h"
#include "core/rng.h"
#include "scenarios/scenario_loader.h"
#include "tests/core/temp_dir.h"

using namespace cdsim;

namespace {

// Eight agents on 200 training samples: an epoch is 2 steps of 8 x 16 samples, and every
// evaluation runs each agent over all 300 samples of both sets.
std::string scenario_json(const std::string& run) {
  return R"({"name": "evaluation_check", "agents": 8, "topology": {"kind": "ring"},
    "data": {"source": "synthetic_linear", "train_samples": 200, "test_samples": 100, "dimension": 5},
    "model": {"kind": "linear_regression"}, "algorithm": {"kind": "cdsgd", "batch_size": 16},
    "run": )" + run + "}";
}

std::string notice_of(const std::string& run, const testing::TempDir& temp) {
  std::ostringstream notices;
  RunOptions options;
  options.output_directory = temp.file("run");
  options.notices = &notices;
  run_scenario(parse_scenario(scenario_json(run), "<test>"), options);
  return notices.str();
}

}  // namespace

TEST_CASE("a run whose evaluation costs more than its training says so in one line, and one that does not is silent") {
  {
    // Every step evaluated: about 12 evaluations x (8 agents x 300 samples + 100) / 3 =
    // 10,000 sample passes against 10 steps x half an epoch of 200 samples = 1,000.
    testing::TempDir temp;
    const std::string notice = notice_of(R"({"steps": 10, "eval_every_steps": 1})", temp);
    CHECK(notice.find("run.evaluation") != std::string::npos);
    CHECK(std::count(notice.begin(), notice.end(), '\n') == 1);
  }
  {
    // Off: nothing to pay for.
    testing::TempDir temp;
    CHECK(notice_of(R"({"steps": 10, "eval_every_steps": 1, "evaluation": {"mode": "off"}})", temp).empty());
  }
  {
    // Two evaluations of the averaged model on 10 samples against 40 steps of training.
    testing::TempDir temp;
    CHECK(notice_of(R"({"steps": 40, "eval_every_steps": 40, "evaluation": {"mode": "average_model", "samples": 10}})",
                    temp)
              .empty());
  }
}

TEST_CASE("with run.evaluation.agents, agents.csv holds exactly the seeded subset's rows") {
  testing::TempDir temp;
  RunOptions options;
  options.output_directory = temp.file("run");
  const Scenario scenario = parse_scenario(scenario_json(R"({"steps": 4, "evaluation": {"agents": 3}})"), "<test>");
  const RunResult result = run_scenario(scenario, options);
  const std::vector<std::size_t> expected = seeded_subset(8, 3, Rng(scenario.seed, 2, RngPurpose::kEvaluation));
  std::ifstream in(result.run_directory / "agents.csv");
  std::string line;
  std::getline(in, line);  // header
  std::set<std::size_t> seen;
  std::size_t rows = 0;
  while (std::getline(in, line)) {
    const std::size_t first = line.find(',');
    const std::size_t second = line.find(',', first + 1);
    seen.insert(static_cast<std::size_t>(std::stoul(line.substr(first + 1, second - first - 1))));
    ++rows;
  }
  CHECK(seen == std::set<std::size_t>(expected.begin(), expected.end()));
  CHECK(rows == 3 * result.metrics.size());
}
