#include "analysis/studies/band_series.h"

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/analysis/studies/study_harness.h"

using cdsim::testing::csv_rows;
using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_small_sweep;

TEST_CASE("plot on a sweep draws one line per configuration: the seeds' mean with a t-interval band") {
  TempFolder temp("band");
  const auto sweep = write_small_sweep(temp.path(), R"("grid": {"topology.kind": ["ring", "star"]}, "seeds": [1, 2, 3])");
  const auto out = temp.path() / "out";
  REQUIRE(run_cli("sweep " + sweep.string() + " --quiet --out " + out.string() + " -j 2").exit_code == 0);
  const auto plotted = run_cli("plot " + out.string() + " --dump-data --x epoch --metric test_loss --yscale linear");
  INFO(plotted.output);
  REQUIRE(plotted.exit_code == 0);
  const nlohmann::json data = nlohmann::json::parse(plotted.output);
  REQUIRE(data["panels"].size() == 1);
  const nlohmann::json& lines = data["panels"][0]["series"];
  REQUIRE(lines.size() == 2);
  for (std::size_t g = 0; g < 2; ++g) {
    const std::string kind = g == 0 ? "ring" : "star";
    CHECK(lines[g]["label"] == "kind=" + kind);
    // Column 1 is epoch, 6 test_loss in metrics.csv.
    std::vector<std::vector<std::vector<std::string>>> seeds;
    for (int seed = 1; seed <= 3; ++seed) {
      seeds.push_back(csv_rows(read_text(out / "runs" / ("kind=" + kind + "__seed=" + std::to_string(seed)) / "metrics.csv")));
    }
    const std::size_t points = seeds[0].size() - 1;
    REQUIRE(lines[g]["y"].size() == points);
    for (std::size_t k = 0; k < points; ++k) {
      double sum = 0, squares = 0, epoch = 0;
      for (const auto& rows : seeds) {
        sum += std::stod(rows[k + 1][6]);
        epoch += std::stod(rows[k + 1][1]);
      }
      const double mean = sum / 3;
      for (const auto& rows : seeds) squares += (std::stod(rows[k + 1][6]) - mean) * (std::stod(rows[k + 1][6]) - mean);
      const double half = 4.30265273 * std::sqrt(squares / 2) / std::sqrt(3.0);  // t(0.975, 2)
      CHECK(lines[g]["x"][k].get<double>() == doctest::Approx(epoch / 3));
      CHECK(lines[g]["y"][k].get<double>() == doctest::Approx(mean).epsilon(1e-9));
      CHECK(lines[g]["low"][k].get<double>() == doctest::Approx(mean - half).epsilon(1e-7));
      CHECK(lines[g]["high"][k].get<double>() == doctest::Approx(mean + half).epsilon(1e-7));
    }
  }
  // And the figure itself is drawn, with a std band, log x and a given size.
  const auto png = out / "bands.png";
  const auto drawn = run_cli("plot " + out.string() + " --band std --xscale log --width 9 --height 6 --out " + png.string());
  INFO(drawn.output);
  CHECK(drawn.exit_code == 0);
  CHECK(std::filesystem::file_size(png) > 1000);
}
