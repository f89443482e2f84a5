#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/analysis/plot_harness.h"

using namespace cdsim::testing;

namespace {

nlohmann::json dump(const std::vector<std::filesystem::path>& runs, const std::string& arguments) {
  const CliOutcome outcome = run_plot(runs, "--dump-data " + arguments);
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  return nlohmann::json::parse(outcome.output);
}

std::vector<double> numbers(const nlohmann::json& values) { return values.get<std::vector<double>>(); }

// The points a panel should hold, computed from metrics.csv here: finite pairs, and only
// positive y on a log scale.
void check_series_match_csv(const nlohmann::json& line, const std::filesystem::path& run,
                            const std::string& x, const std::string& y, bool log_scale) {
  auto columns = read_metric_columns(run / "metrics.csv");
  REQUIRE(columns.count(x) == 1);
  REQUIRE(columns.count(y) == 1);
  std::vector<double> expected_x;
  std::vector<double> expected_y;
  for (std::size_t i = 0; i < columns[x].size(); ++i) {
    const double value = columns[y][i];
    if (std::isfinite(columns[x][i]) && std::isfinite(value) && (!log_scale || value > 0)) {
      expected_x.push_back(columns[x][i]);
      expected_y.push_back(value);
    }
  }
  INFO("run " << run << ", " << y << " against " << x);
  REQUIRE(expected_x.size() >= 2);
  CHECK(line["run"] == run.string());
  CHECK(numbers(line["x"]) == expected_x);  // the same decimal text parses to the same double
  CHECK(numbers(line["y"]) == expected_y);
}

}  // namespace

TEST_CASE("every default panel draws each run's own metrics.csv columns") {
  TempFolder temp("plot-data");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const auto complete = quickstart_runs().complete();
  const nlohmann::json data = dump({ring, complete}, "");
  // Regression runs have no accuracy: the default metric falls back to the test loss.
  CHECK(data["metric"] == "test_loss");
  const std::vector<std::pair<std::string, std::string>> panels = {
      {"epoch", "test_loss"}, {"sim_time_s", "test_loss"}, {"bytes_total", "test_loss"},
      {"epoch", "consensus_distance"}};
  REQUIRE(data["panels"].size() == panels.size());
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const nlohmann::json& panel = data["panels"][p];
    CHECK(panel["x"] == panels[p].first);
    CHECK(panel["y"] == panels[p].second);
    CHECK(panel["yscale"] == "log");
    REQUIRE(panel["series"].size() == 2);
    check_series_match_csv(panel["series"][0], ring, panels[p].first, panels[p].second, true);
    check_series_match_csv(panel["series"][1], complete, panels[p].first, panels[p].second, true);
  }
  // Consensus distance is 0 before the first step: a log axis leaves that point out.
  CHECK(data["panels"][3]["series"][0]["x"].size() + 1 == data["panels"][0]["series"][0]["x"].size());
}

TEST_CASE("lines are labelled scenario / algorithm / topology unless labels are given") {
  TempFolder temp("plot-labels");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const auto complete = quickstart_runs().complete();
  const nlohmann::json series = dump({ring, complete}, "--x epoch")["panels"][0]["series"];
  CHECK(series[0]["label"] == "quickstart / cdsgd / ring");
  CHECK(series[1]["label"] == "quickstart_complete / cdsgd / complete");
  const nlohmann::json named = dump({ring, complete}, "--x epoch --labels 'ring 8' K8")["panels"][0]["series"];
  CHECK(named[0]["label"] == "ring 8");
  CHECK(named[1]["label"] == "K8");
  // Two runs of one scenario are told apart by their directory names.
  const auto again = copy_run(quickstart_runs().ring(), temp.path(), "again");
  const nlohmann::json twins = dump({ring, again}, "--x epoch")["panels"][0]["series"];
  CHECK(twins[0]["label"] == "quickstart / cdsgd / ring (ring)");
  CHECK(twins[1]["label"] == "quickstart / cdsgd / ring (again)");
}

TEST_CASE("one axis, another metric and a linear scale give one panel of that column") {
  TempFolder temp("plot-one-panel");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const nlohmann::json data = dump({ring}, "--x bytes --metric average_model_test_loss --yscale linear");
  REQUIRE(data["panels"].size() == 1);
  CHECK(data["panels"][0]["yscale"] == "linear");
  check_series_match_csv(data["panels"][0]["series"][0], ring, "bytes_total", "average_model_test_loss", false);
}

TEST_CASE("extra metrics.csv columns, in any order, change nothing that is plotted") {
  TempFolder temp("plot-extra");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const nlohmann::json before = dump({ring}, "");
  // Add a column at the front of every line.
  std::istringstream in(read_text(ring / "metrics.csv"));
  std::string line;
  std::string widened;
  bool header = true;
  while (std::getline(in, line)) {
    widened += (header ? std::string("wall_clock_s,") : std::string("1.5,")) + line + "\n";
    header = false;
  }
  write_text(ring / "metrics.csv", widened);
  CHECK(dump({ring}, "") == before);
}

TEST_CASE("an accuracy metric on a regression run exits 2 and points to the loss") {
  TempFolder temp("plot-accuracy");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const CliOutcome outcome = run_plot({ring}, "--metric test_accuracy --dump-data");
  CHECK(outcome.exit_code == 2);
  CHECK(mentions(outcome, (ring / "metrics.csv").string()));
  CHECK(mentions(outcome, "--metric test_loss"));
  const CliOutcome unknown = run_plot({ring}, "--metric no_such_column --dump-data");
  CHECK(unknown.exit_code == 2);
  CHECK(mentions(unknown, "'no_such_column'"));
}

TEST_CASE("classification runs plot test accuracy on a linear axis, mixed with regression the loss") {
  TempFolder temp("plot-classes");
  const auto scenario = temp.path() / "mixture.json";
  write_text(scenario, R"({"name": "mixture", "agents": 4, "topology": {"kind": "ring"},
    "data": {"source": "gaussian_mixture", "train_samples": 400, "test_samples": 200,
             "dimension": 4, "classes": 3, "noise_std": 1.0},
    "model": {"kind": "softmax_regression"},
    "algorithm": {"kind": "cdsgd", "learning_rate": 0.1, "batch_size": 16}, "run": {"epochs": 3}})");
  const auto mixture = make_run(temp.path(), scenario.string(), "mixture");
  const nlohmann::json data = dump({mixture}, "");
  CHECK(data["metric"] == "test_accuracy");
  CHECK(data["panels"][0]["yscale"] == "linear");
  check_series_match_csv(data["panels"][0]["series"][0], mixture, "epoch", "test_accuracy", false);
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  CHECK(dump({mixture, ring}, "")["metric"] == "test_loss");
}

TEST_CASE("a run without summary.json is labelled by its directory name") {
  TempFolder temp("plot-no-summary");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  std::filesystem::remove(ring / "summary.json");
  CHECK(dump({ring}, "--x epoch")["panels"][0]["series"][0]["label"] == "ring");
  write_text(ring / "summary.json", "{not json");
  const CliOutcome broken = run_plot({ring}, "--dump-data");
  CHECK(broken.exit_code == 2);
  CHECK(mentions(broken, (ring / "summary.json").string()));
}

TEST_CASE("a linear scale for the metric leaves the consensus-distance panel logarithmic") {
  const nlohmann::json data = dump({quickstart_runs().ring()}, "--yscale linear");
  REQUIRE(data["panels"].size() == 4);
  for (std::size_t p = 0; p < 3; ++p) CHECK(data["panels"][p]["yscale"] == "linear");
  CHECK(data["panels"][3]["y"] == "consensus_distance");
  CHECK(data["panels"][3]["yscale"] == "log");
}
