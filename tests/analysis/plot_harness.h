// Shared by the plot tests: real run directories made with `cdsim run`, and metrics.csv
// read back by column name, independently of analysis/plot.py.
#pragma once

#include <doctest/doctest.h>

#include <filesystem>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/apps/cli_harness.h"

namespace cdsim::testing {

inline const std::string kPlotQuickstart = std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json";
inline const std::string kPlotQuickstartComplete =
    std::string(CDSIM_SOURCE_DIR) + "/scenarios/examples/quickstart_complete.json";

// Runs `scenario` quietly into `folder`/`name` and returns the run directory.
inline std::filesystem::path make_run(const std::filesystem::path& folder, const std::string& scenario,
                                      const std::string& name) {
  const std::filesystem::path out = folder / name;
  const CliOutcome outcome = run_cli("run " + scenario + " --quiet --out " + out.string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  return out;
}

// The quickstart on a ring and on a complete graph, run once per test process: runs are
// deterministic, so sharing them changes nothing, and it keeps the suite fast under the
// sanitizers. Tests that edit a run, or write into it, work on a copy (copy_run).
class QuickstartRuns {
 public:
  QuickstartRuns()
      : folder_("plot-runs"),
        ring_(make_run(folder_.path(), kPlotQuickstart, "ring")),
        complete_(make_run(folder_.path(), kPlotQuickstartComplete, "complete")) {}
  const std::filesystem::path& ring() const { return ring_; }
  const std::filesystem::path& complete() const { return complete_; }

 private:
  TempFolder folder_;
  std::filesystem::path ring_;
  std::filesystem::path complete_;
};

inline const QuickstartRuns& quickstart_runs() {
  static const QuickstartRuns runs;
  return runs;
}

// A copy of `run` at `folder`/`name`, free to edit.
inline std::filesystem::path copy_run(const std::filesystem::path& run, const std::filesystem::path& folder,
                                      const std::string& name) {
  const std::filesystem::path copy = folder / name;
  std::filesystem::copy(run, copy, std::filesystem::copy_options::recursive);
  return copy;
}

// metrics.csv as column name -> values ("nan" parses to NaN).
inline std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> cells;
  std::istringstream fields(line);
  std::string cell;
  while (std::getline(fields, cell, ',')) cells.push_back(cell);
  return cells;
}

inline std::map<std::string, std::vector<double>> read_metric_columns(const std::filesystem::path& csv) {
  std::istringstream in(read_text(csv));
  std::string line;
  std::getline(in, line);
  const std::vector<std::string> header = split_commas(line);
  std::map<std::string, std::vector<double>> columns;
  for (const std::string& name : header) columns[name];
  while (std::getline(in, line)) {
    std::vector<std::string> cells = split_commas(line);
    if (!line.empty() && line.back() == ',') cells.emplace_back();  // getline drops a last empty cell
    REQUIRE(cells.size() == header.size());
    // An empty cell is a figure that does not apply (NaN).
    for (std::size_t i = 0; i < cells.size(); ++i) {
      columns[header[i]].push_back(cells[i].empty() ? std::nan("") : std::stod(cells[i]));
    }
  }
  return columns;
}

inline bool mentions(const CliOutcome& outcome, const std::string& text) {
  return outcome.output.find(text) != std::string::npos;
}

// "plot RUN... ARGS" through the cdsim binary.
inline CliOutcome run_plot(const std::vector<std::filesystem::path>& runs, const std::string& arguments) {
  std::string command = "plot";
  for (const std::filesystem::path& run : runs) command += " " + run.string();
  return run_cli(command + " " + arguments);
}

}  // namespace cdsim::testing
