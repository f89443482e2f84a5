#include <doctest/doctest.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;

namespace {

const std::string kQuickstart = std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json";
const std::string kShort = " --quiet --set run.steps=60 --set run.eval_every_steps=5";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Column `index` of a metrics.csv line.
double cell(const std::string& line, std::size_t index) {
  std::istringstream in(line);
  std::string value;
  for (std::size_t i = 0; i <= index; ++i) std::getline(in, value, ',');
  return std::stod(value);
}

// The metrics.csv lines of the full run up to the first one whose column `index` is at
// most (or at least) `threshold`.
std::vector<std::string> prefix_until(const std::vector<std::string>& full, std::size_t index, double threshold,
                                      bool at_most) {
  std::vector<std::string> prefix = {full.front()};
  for (std::size_t i = 1; i < full.size(); ++i) {
    prefix.push_back(full[i]);
    const double value = cell(full[i], index);
    if (at_most ? value <= threshold : value >= threshold) break;
  }
  return prefix;
}

}  // namespace

TEST_CASE("run.stop ends a run at the first evaluation meeting the target, budget of time or of bytes") {
  TempFolder temp("stop");
  const auto full_dir = temp.path() / "full";
  REQUIRE(run_cli("run " + kQuickstart + kShort + " --out " + full_dir.string()).exit_code == 0);
  const std::vector<std::string> full = lines_of(read_text(full_dir / "metrics.csv"));
  REQUIRE(full.size() == 1 + 13);  // steps 0, 5, ..., 60
  // Columns: step 0, sim_time_s 2, bytes_total 3, test_loss 6.
  struct Case {
    std::string settings;
    std::string reason;
    std::size_t column;
    double threshold;
    bool at_most;
  };
  // Thresholds away from any printed value, so the rounding of metrics.csv cannot matter.
  const double loss_target = cell(full[4], 6) * (1 + 1e-6);  // just above the loss at step 15
  const double time_budget = (cell(full[5], 2) + cell(full[6], 2)) / 2;  // between steps 20 and 25
  const double byte_budget = cell(full[8], 3) - 1;
  char loss_text[64], time_text[64];
  std::snprintf(loss_text, sizeof loss_text, "%.17g", loss_target);
  std::snprintf(time_text, sizeof time_text, "%.17g", time_budget);
  const std::vector<Case> cases = {
      {std::string(" --set run.stop.metric=test_loss --set run.stop.value=") + loss_text, "target", 6, loss_target, true},
      {std::string(" --set run.stop.sim_time=") + time_text, "sim_time_budget", 2, time_budget, false},
      {" --set run.stop.bytes=" + std::to_string(static_cast<long long>(byte_budget)), "byte_budget", 3,
       static_cast<double>(static_cast<long long>(byte_budget)), false}};
  for (const Case& c : cases) {
    CAPTURE(c.settings);
    const auto out = temp.path() / c.reason;
    const auto outcome = run_cli("run " + kQuickstart + kShort + c.settings + " --out " + out.string());
    INFO(outcome.output);
    REQUIRE(outcome.exit_code == 0);
    const std::vector<std::string> expected = prefix_until(full, c.column, c.threshold, c.at_most);
    REQUIRE(expected.size() < full.size());  // it does stop early
    CHECK(lines_of(read_text(out / "metrics.csv")) == expected);
    const nlohmann::json summary = nlohmann::json::parse(read_text(out / "summary.json"));
    CHECK(summary["stop"]["reason"] == c.reason);
    CHECK(summary["stop"]["step"] == static_cast<std::int64_t>(cell(expected.back(), 0)));
    CHECK(summary["steps"] == static_cast<std::int64_t>(cell(expected.back(), 0)));
    CHECK(summary["planned_steps"] == 60);
    CHECK(summary["stop"]["bytes_total"] == static_cast<std::int64_t>(cell(expected.back(), 3)));
  }
  const nlohmann::json summary = nlohmann::json::parse(read_text(full_dir / "summary.json"));
  CHECK(summary["stop"]["reason"] == "steps");
  CHECK(summary["steps"] == 60);
}

TEST_CASE("run.stop rejects a value without a metric and an unknown metric") {
  const auto no_metric = run_cli("validate " + kQuickstart + " --set run.stop.value=0.5");
  CHECK(no_metric.exit_code == 2);
  CHECK(no_metric.output.find("/run/stop/metric") != std::string::npos);
  const auto unknown = run_cli("validate " + kQuickstart + " --set run.stop.metric=speed --set run.stop.value=1");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("/run/stop/metric") != std::string::npos);
}
