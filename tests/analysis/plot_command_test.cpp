#include <doctest/doctest.h>

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "tests/analysis/plot_harness.h"

using namespace cdsim::testing;

namespace {

std::uint32_t big_endian_u32(const std::string& bytes, std::size_t offset) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[offset + i]);
  return value;
}

bool has_temporary_files(const std::filesystem::path& folder) {
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().filename().string().rfind(".plot-", 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("plotting two quickstart runs writes a PNG figure into the first run directory") {
  TempFolder temp("plot-png");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const auto complete = quickstart_runs().complete();
  const CliOutcome outcome = run_plot({ring, complete}, "");
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const std::string png = read_text(ring / "plot.png");
  REQUIRE(png.size() > 20'000);  // four panels of lines, axes and text, not a blank image
  CHECK(png.substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
  CHECK(png.substr(12, 4) == "IHDR");
  // Four panels in two rows: a 10 x 7.2 inch figure at 100 dots per inch.
  CHECK(big_endian_u32(png, 16) == 1000);
  CHECK(big_endian_u32(png, 20) == 720);
  CHECK(png.substr(png.size() - 8, 4) == "IEND");
  CHECK_FALSE(has_temporary_files(ring));
}

TEST_CASE("drawing the same runs to SVG twice gives byte-identical files") {
  TempFolder temp("plot-svg");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const auto complete = quickstart_runs().complete();
  const auto first = temp.path() / "first.svg";
  const auto second = temp.path() / "second.svg";
  REQUIRE(run_plot({ring, complete}, "--x bytes --out " + first.string()).exit_code == 0);
  REQUIRE(run_plot({ring, complete}, "--x bytes --out " + second.string()).exit_code == 0);
  const std::string svg = read_text(first);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(svg.find("<svg") != std::string::npos);
  CHECK(svg.find("quickstart_complete / cdsgd / complete") != std::string::npos);
  CHECK(svg == read_text(second));
}

TEST_CASE("a missing run directory exits 2 with its path in the message and writes nothing") {
  TempFolder temp("plot-missing");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const auto missing = temp.path() / "no-such-run";
  const CliOutcome outcome = run_plot({ring, missing}, "");
  CHECK(outcome.exit_code == 2);
  CHECK(mentions(outcome, missing.string()));
  CHECK(mentions(outcome, "does not exist"));
  CHECK_FALSE(std::filesystem::exists(ring / "plot.png"));
}

TEST_CASE("a metrics.csv without a plotted column exits 2 naming the file and the column") {
  TempFolder temp("plot-column");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const std::string csv = read_text(ring / "metrics.csv");
  const std::string column = ",consensus_distance";
  REQUIRE(csv.find(column) != std::string::npos);
  write_text(ring / "metrics.csv", std::string(csv).replace(csv.find(column), column.size(), ",renamed"));
  const CliOutcome outcome = run_plot({ring}, "");
  CHECK(outcome.exit_code == 2);
  CHECK(mentions(outcome, (ring / "metrics.csv").string()));
  CHECK(mentions(outcome, "'consensus_distance'"));
  CHECK_FALSE(std::filesystem::exists(ring / "plot.png"));
}

TEST_CASE("an empty or header-only metrics.csv exits 2 naming the file") {
  TempFolder temp("plot-empty");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const std::string csv = read_text(ring / "metrics.csv");
  for (const std::string& text : {std::string(), csv.substr(0, csv.find('\n') + 1)}) {
    write_text(ring / "metrics.csv", text);
    const CliOutcome outcome = run_plot({ring}, "");
    INFO(outcome.output);
    CHECK(outcome.exit_code == 2);
    CHECK(mentions(outcome, (ring / "metrics.csv").string()));
  }
}

TEST_CASE("bad options exit 2 before anything is drawn") {
  TempFolder temp("plot-options");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const CliOutcome extension = run_plot({ring}, "--out " + (temp.path() / "figure.jpeg").string());
  CHECK(extension.exit_code == 2);
  CHECK(mentions(extension, "figure.jpeg"));
  const CliOutcome folder = run_plot({ring}, "--out " + (temp.path() / "absent" / "figure.png").string());
  CHECK(folder.exit_code == 2);
  CHECK(mentions(folder, "does not exist"));
  const CliOutcome labels = run_plot({ring}, "--labels one two");
  CHECK(labels.exit_code == 2);
  CHECK(mentions(labels, "2 labels given for 1 run"));
  CHECK(run_plot({ring}, "--x wallclock").exit_code == 2);
  CHECK(run_plot({ring}, "--dpi 0").exit_code == 2);
}

TEST_CASE("a Python interpreter that cannot be started exits 1 naming it") {
  TempFolder temp("plot-python");
  const auto ring = copy_run(quickstart_runs().ring(), temp.path(), "ring");
  const std::string python = (temp.path() / "no-python").string();
  ::setenv("CDSIM_PYTHON", python.c_str(), 1);
  const CliOutcome outcome = run_plot({ring}, "");
  ::unsetenv("CDSIM_PYTHON");
  CHECK(outcome.exit_code == 1);
  CHECK(mentions(outcome, python));
}

TEST_CASE("run directories, labels and output names with spaces reach plot.py intact") {
  TempFolder temp("plot-names");
  const auto ring = quickstart_runs().ring();
  const auto spaced = copy_run(ring, temp.path(), "ring with spaces");
  // No shell between cdsim and Python: the quoted words below arrive as single arguments.
  const std::string figure = (temp.path() / "figure one.svg").string();
  const CliOutcome outcome =
      run_cli("plot --x epoch --labels first 'second one' --out '" + figure + "' '" + spaced.string() + "' " +
              ring.string());
  INFO(outcome.output);
  CHECK(outcome.exit_code == 0);
  CHECK(std::filesystem::exists(figure));
  CHECK(read_text(figure).find("second one") != std::string::npos);
}
