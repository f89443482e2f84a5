#include "analysis/studies/summary.h"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/analysis/studies/study_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_small_sweep;

namespace {

// metrics.csv read here on its own: column name -> values, row by row.
std::map<std::string, std::vector<double>> read_columns(const std::filesystem::path& path) {
  std::istringstream in(read_text(path));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> names;
  {
    std::istringstream header(line);
    std::string name;
    while (std::getline(header, name, ',')) names.push_back(name);
  }
  std::map<std::string, std::vector<double>> columns;
  while (std::getline(in, line)) {
    std::istringstream cells(line);
    std::string cell;
    for (std::size_t c = 0; std::getline(cells, cell, ','); ++c) {
      columns[names[c]].push_back(cell.empty() || cell == "nan" ? NAN : std::stod(cell));
    }
  }
  return columns;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double sample_std_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

}  // namespace

TEST_CASE("Student t quantiles match the published table") {
  // t(0.975, df) from standard tables.
  CHECK(cdsim::studies::student_t_975(1) == doctest::Approx(12.7062047).epsilon(1e-7));
  CHECK(cdsim::studies::student_t_975(2) == doctest::Approx(4.30265273).epsilon(1e-7));
  CHECK(cdsim::studies::student_t_975(4) == doctest::Approx(2.77644511).epsilon(1e-7));
  CHECK(cdsim::studies::student_t_975(30) == doctest::Approx(2.04227246).epsilon(1e-7));
}

TEST_CASE("describe gives the mean, the sample std and the t interval, leaving NaN out") {
  const std::vector<double> values = {1.0, 2.0, 4.0, NAN};
  const cdsim::studies::Statistic s = cdsim::studies::describe(values);
  CHECK(s.n == 3);
  CHECK(s.mean == doctest::Approx(7.0 / 3.0));
  const double expected_std = std::sqrt(((1 - 7.0 / 3) * (1 - 7.0 / 3) + (2 - 7.0 / 3) * (2 - 7.0 / 3) + (4 - 7.0 / 3) * (4 - 7.0 / 3)) / 2);
  CHECK(s.std_dev == doctest::Approx(expected_std));
  CHECK(s.ci95 == doctest::Approx(4.30265273 * expected_std / std::sqrt(3.0)));
  const std::vector<double> one = {5.0};
  CHECK(std::isnan(cdsim::studies::describe(one).std_dev));
}

TEST_CASE("a target is reached at least for accuracies and at most for other metrics unless told") {
  CHECK(cdsim::studies::parse_target("test_accuracy=0.8").at_least);
  CHECK_FALSE(cdsim::studies::parse_target("test_loss=0.2").at_least);
  const auto explicit_target = cdsim::studies::parse_target("consensus_distance>=3");
  CHECK(explicit_target.at_least);
  CHECK(explicit_target.value == 3.0);
  CHECK_THROWS(cdsim::studies::parse_target("test_loss"));
  CHECK_THROWS(cdsim::studies::parse_target("test_loss=abc"));
}

TEST_CASE("summarize groups a sweep by configuration and matches statistics computed from metrics.csv") {
  TempFolder temp("summarize");
  const auto sweep = write_small_sweep(temp.path(), R"("grid": {"topology.kind": ["ring", "complete"]}, "seeds": [1, 2, 3])");
  const auto out = temp.path() / "out";
  REQUIRE(run_cli("sweep " + sweep.string() + " --quiet --out " + out.string() + " -j 2").exit_code == 0);

  // A target some evaluations reach: the first run's test loss at its third evaluation.
  const double target = read_columns(out / "runs" / "kind=ring__seed=1" / "metrics.csv")["test_loss"][2];
  char target_text[64];
  std::snprintf(target_text, sizeof target_text, "%.9g", target);
  const auto outcome = run_cli("summarize " + out.string() + " --format json --target test_loss=" + target_text);
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json groups = nlohmann::json::parse(outcome.output);
  REQUIRE(groups.size() == 2);
  for (std::size_t g = 0; g < 2; ++g) {
    const std::string kind = g == 0 ? "ring" : "complete";
    const nlohmann::json& group = groups[g];
    CHECK(group["configuration"]["topology.kind"] == kind);
    CHECK(group["configuration"].size() == 1);
    CHECK(group["seeds"] == nlohmann::json::array({1, 2, 3}));
    std::vector<double> final_loss, final_bytes, reached_time, reached_bytes, reached_epochs;
    for (int seed = 1; seed <= 3; ++seed) {
      auto columns = read_columns(out / "runs" / ("kind=" + kind + "__seed=" + std::to_string(seed)) / "metrics.csv");
      final_loss.push_back(columns["test_loss"].back());
      final_bytes.push_back(columns["bytes_total"].back());
      for (std::size_t r = 0; r < columns["test_loss"].size(); ++r) {
        if (columns["test_loss"][r] <= target) {
          reached_time.push_back(columns["sim_time_s"][r]);
          reached_bytes.push_back(columns["bytes_total"][r]);
          reached_epochs.push_back(columns["epoch"][r]);
          break;
        }
      }
    }
    const nlohmann::json& loss = group["final"]["test_loss"];
    CHECK(loss["n"] == 3);
    CHECK(loss["mean"].get<double>() == doctest::Approx(mean_of(final_loss)).epsilon(1e-9));
    CHECK(loss["std"].get<double>() == doctest::Approx(sample_std_of(final_loss)).epsilon(1e-9));
    CHECK(loss["ci95"].get<double>() ==
          doctest::Approx(4.30265273 * sample_std_of(final_loss) / std::sqrt(3.0)).epsilon(1e-7));
    CHECK(group["final"]["bytes_total"]["mean"].get<double>() == doctest::Approx(mean_of(final_bytes)));
    const nlohmann::json& reach = group["target"];
    CHECK(reach["runs"] == 3);
    CHECK(reach["reached"] == reached_time.size());
    if (!reached_time.empty()) {
      CHECK(reach["sim_time_s"]["mean"].get<double>() == doctest::Approx(mean_of(reached_time)).epsilon(1e-9));
      CHECK(reach["bytes"]["mean"].get<double>() == doctest::Approx(mean_of(reached_bytes)).epsilon(1e-9));
      CHECK(reach["epochs"]["mean"].get<double>() == doctest::Approx(mean_of(reached_epochs)).epsilon(1e-9));
    }
    if (reached_time.size() >= 2) {
      CHECK(reach["sim_time_s"]["std"].get<double>() == doctest::Approx(sample_std_of(reached_time)).epsilon(1e-9));
    }
  }
  CHECK(groups[0]["target"]["reached"].get<int>() >= 1);  // the run the target came from
}

TEST_CASE("summarize --by pools the other axes, and the text formats show every group") {
  TempFolder temp("summarize-by");
  const auto sweep = write_small_sweep(
      temp.path(), R"("grid": {"topology.kind": ["ring", "complete"], "algorithm.learning_rate": [0.02, 0.05]}, "seeds": [1])");
  const auto out = temp.path() / "out";
  REQUIRE(run_cli("sweep " + sweep.string() + " --quiet --out " + out.string() + " -j 2").exit_code == 0);
  const auto by = run_cli("summarize " + out.string() + " --by topology.kind --format json");
  REQUIRE(by.exit_code == 0);
  const nlohmann::json groups = nlohmann::json::parse(by.output);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0]["seeds"].size() == 2);  // both learning rates pooled
  CHECK(groups[0]["final"]["test_loss"]["n"] == 2);
  for (const char* format : {"table", "markdown", "csv"}) {
    const auto text = run_cli("summarize " + out.string() + " --format " + std::string(format));
    CAPTURE(format);
    REQUIRE(text.exit_code == 0);
    for (const char* value : {"ring", "complete", "0.02", "0.05"}) CHECK(text.output.find(value) != std::string::npos);
  }
  CHECK(run_cli("summarize " + out.string() + " --by nosuch.field").exit_code == 2);
  CHECK(run_cli("summarize " + out.string() + " --metrics nosuch_metric").exit_code == 2);
  CHECK(run_cli("summarize " + (temp.path() / "nothing").string()).exit_code == 2);
}

TEST_CASE("summarize over loose run directories groups by the fields their scenarios differ in") {
  TempFolder temp("summarize-loose");
  for (const auto& [name, lr] : std::vector<std::pair<std::string, std::string>>{{"a", "0.02"}, {"b", "0.05"}}) {
    REQUIRE(run_cli("run " + cdsim::testing::kQuickstartScenario + " --quiet --set run.steps=8 --set algorithm.learning_rate=" +
                    lr + " --out " + (temp.path() / name).string())
                .exit_code == 0);
  }
  const auto outcome = run_cli("summarize " + (temp.path() / "a").string() + " " + (temp.path() / "b").string() + " --format json");
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json groups = nlohmann::json::parse(outcome.output);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0]["configuration"] == nlohmann::json({{"algorithm.learning_rate", "0.02"}}));
  CHECK(groups[1]["configuration"] == nlohmann::json({{"algorithm.learning_rate", "0.05"}}));
}

TEST_CASE("a field only some runs' kinds have (a torus' rows) does not split the configurations") {
  TempFolder temp("summarize-kinds");
  for (const std::string kind : {"ring", "torus"}) {
    REQUIRE(run_cli("run " + cdsim::testing::kQuickstartScenario + " --quiet --set agents=9 --set run.steps=4 --set topology.kind=" + kind +
                    " --out " + (temp.path() / kind).string())
                .exit_code == 0);
  }
  const auto outcome = run_cli("summarize " + (temp.path() / "ring").string() + " " + (temp.path() / "torus").string() +
                               " --format json");
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json groups = nlohmann::json::parse(outcome.output);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0]["configuration"] == nlohmann::json({{"topology.kind", "ring"}}));
  CHECK(groups[1]["configuration"] == nlohmann::json({{"topology.kind", "torus"}}));
}
