// `cdsim plot RUN_DIR...`: draws run directories with analysis/plot.py. Given a sweep
// folder, it draws one line per configuration with a band over the seeds, computed here
// (analysis/studies/band_series.h) and handed to the script as JSON (--series). The script runs
// under /usr/bin/python3 (or $CDSIM_PYTHON), started with posix_spawn and an argv built
// from the options — no shell, so any path is passed as it is. The script is found at
// CDSIM_SOURCE_DIR/analysis/plot.py unless $CDSIM_PLOT_SCRIPT names another; its exit
// code is cdsim's (2 for bad input).
#include <spawn.h>
#include <sys/wait.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "analysis/studies/band_series.h"
#include "apps/commands.h"

extern char** environ;

namespace cdsim::apps {
namespace {

struct PlotArguments {
  std::vector<std::string> run_directories;
  std::string output_file;
  std::string x_axis;
  std::string metric;
  std::string y_scale;
  std::string x_scale;
  std::string title;
  std::string band = "ci95";  // sweeps: none, std or ci95
  std::string by;             // sweeps: group by these fields only
  double width = 0.0;         // inches; 0: the script's default
  double height = 0.0;
  std::vector<std::string> labels;
  int dpi = 0;
  bool dump_data = false;
};

std::string environment_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// The script's argv after the interpreter and script: options first, then `--` so that a
// run directory whose name starts with '-' is not read as an option.
std::vector<std::string> script_arguments(const PlotArguments& arguments, const std::string& series_file) {
  std::vector<std::string> argv;
  const auto add = [&argv](const char* option, const std::string& value) {
    if (value.empty()) return;
    argv.emplace_back(option);
    argv.push_back(value);
  };
  if (arguments.dump_data) {
    argv.emplace_back("--dump-data");
  } else {
    const std::filesystem::path first = arguments.run_directories.front();
    add("--out", arguments.output_file.empty() ? (first / "plot.png").string() : arguments.output_file);
  }
  add("--yscale", arguments.y_scale);
  add("--xscale", arguments.x_scale);
  add("--title", arguments.title);
  if (arguments.dpi != 0) add("--dpi", std::to_string(arguments.dpi));
  if (arguments.width > 0) add("--width", std::to_string(arguments.width));
  if (arguments.height > 0) add("--height", std::to_string(arguments.height));
  if (!series_file.empty()) {
    add("--series", series_file);
    return argv;
  }
  add("--x", arguments.x_axis);
  add("--metric", arguments.metric);
  if (!arguments.labels.empty()) {
    argv.emplace_back("--labels");
    argv.insert(argv.end(), arguments.labels.begin(), arguments.labels.end());
  }
  argv.emplace_back("--");
  argv.insert(argv.end(), arguments.run_directories.begin(), arguments.run_directories.end());
  return argv;
}

bool is_sweep_folder(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::is_regular_file(std::filesystem::path(path) / "sweep.json", ignored);
}

// The sweep's lines and bands as JSON: the metric (default: test accuracy when every run
// has one, else test loss) against epoch, simulated time and bytes, or the one --x axis.
std::string sweep_series(const PlotArguments& arguments) {
  std::vector<std::filesystem::path> paths(arguments.run_directories.begin(), arguments.run_directories.end());
  const std::vector<studies::RunRecord> runs = studies::load_runs(paths);
  if (runs.empty()) throw std::invalid_argument("no complete runs to plot");
  std::string metric = arguments.metric;
  if (metric.empty()) {
    metric = "test_accuracy";
    for (const studies::RunRecord& run : runs) {
      const bool has = run.metrics.has("test_accuracy") &&
                       std::isfinite(run.metrics.rows.back()[run.metrics.column("test_accuracy")]);
      if (!has) metric = "test_loss";
    }
  }
  const std::vector<std::pair<std::string, std::string>> axes = {
      {"epoch", "epoch"}, {"sim_time", "sim_time_s"}, {"bytes", "bytes_total"}};
  std::vector<studies::BandPanel> panels;
  for (const auto& [option, column] : axes) {
    if (arguments.x_axis.empty() || arguments.x_axis == option) panels.push_back({column, metric});
  }
  if (panels.empty()) throw std::invalid_argument("--x " + arguments.x_axis + ": expected epoch, sim_time or bytes");
  if (arguments.x_axis.empty()) panels.push_back({"epoch", "consensus_distance"});
  const studies::Band band = arguments.band == "none"  ? studies::Band::kNone
                             : arguments.band == "std" ? studies::Band::kStd
                                                       : studies::Band::kCi95;
  return studies::band_series_json(runs, studies::split_list(arguments.by), panels, band);
}

int plot(const PlotArguments& arguments) {
  const std::string python = environment_or("CDSIM_PYTHON", "/usr/bin/python3");
  const std::string script =
      environment_or("CDSIM_PLOT_SCRIPT", std::string(CDSIM_SOURCE_DIR) + "/analysis/plot.py");
  if (!std::filesystem::is_regular_file(script)) {
    std::cerr << "error: plot script " << script
              << " not found; set CDSIM_PLOT_SCRIPT to the path of analysis/plot.py\n";
    return kExitRunFailed;
  }
  // A sweep's lines are computed here and passed in a hidden file beside the figure.
  std::string series_file;
  if (std::any_of(arguments.run_directories.begin(), arguments.run_directories.end(), is_sweep_folder)) {
    std::string series;
    try {
      series = sweep_series(arguments);
    } catch (const std::exception& error) {
      std::cerr << "error: " << arguments.run_directories.front() << ": " << error.what() << "\n";
      return kExitBadInput;
    }
    const std::filesystem::path first = arguments.run_directories.front();
    const std::filesystem::path out = arguments.output_file.empty() ? first / "plot.png" : std::filesystem::path(arguments.output_file);
    const std::filesystem::path folder = out.has_parent_path() ? out.parent_path() : std::filesystem::path(".");
    series_file = (folder / (".plot-series-" + std::to_string(::getpid()) + ".json")).string();
    std::ofstream(series_file, std::ios::binary) << series;
  }
  struct RemoveOnExit {
    std::string path;
    ~RemoveOnExit() {
      std::error_code ignored;
      if (!path.empty()) std::filesystem::remove(path, ignored);
    }
  } const cleanup{series_file};
  std::vector<std::string> argv = {python, script};
  for (std::string& argument : script_arguments(arguments, series_file)) argv.push_back(std::move(argument));
  std::vector<char*> c_argv;
  for (std::string& argument : argv) c_argv.push_back(argument.data());
  c_argv.push_back(nullptr);

  std::cout.flush();
  std::cerr.flush();
  pid_t child = 0;
  // posix_spawnp: $CDSIM_PYTHON may be a bare name looked up on PATH.
  const int spawn_error = ::posix_spawnp(&child, python.c_str(), nullptr, nullptr, c_argv.data(), environ);
  if (spawn_error != 0) {
    std::cerr << "error: cannot start " << python << ": " << std::strerror(spawn_error)
              << "; set CDSIM_PYTHON to a Python 3 with matplotlib\n";
    return kExitRunFailed;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      std::cerr << "error: waiting for " << script << ": " << std::strerror(errno) << "\n";
      return kExitRunFailed;
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  std::cerr << "error: " << script << " was stopped by signal " << WTERMSIG(status) << "\n";
  return kExitRunFailed;
}

}  // namespace

void add_plot_command(CLI::App& app, CommandResult& result) {
  auto arguments = std::make_shared<PlotArguments>();
  CLI::App* command = app.add_subcommand(
      "plot", "Plot run directories: a metric against epochs, simulated seconds and bytes, and "
              "consensus distance (analysis/plot.py, see docs/plots.md)");
  command->add_option("runs", arguments->run_directories, "Run directories written by 'cdsim run', or sweep folders")
      ->required();
  command->add_option("--out,-o", arguments->output_file,
                      "Figure to write, .png, .svg or .pdf (default: <first run dir>/plot.png)");
  command->add_option("--x", arguments->x_axis,
                      "One panel against epoch, sim_time or bytes (default: all panels)");
  command->add_option("--metric", arguments->metric,
                      "metrics.csv column to plot (default: test_accuracy, or test_loss for regression)");
  command->add_option("--yscale", arguments->y_scale,
                      "auto, linear or log (default auto: log for losses and consensus distance)");
  command->add_option("--labels", arguments->labels, "One legend label per run (default: scenario / "
                                                      "algorithm / topology from summary.json)");
  command->add_option("--xscale", arguments->x_scale, "linear or log (default linear)")
      ->check(CLI::IsMember({"linear", "log"}));
  command->add_option("--band", arguments->band, "Sweeps: the band around each configuration's mean over "
                                                 "seeds: none, std or ci95 (95% Student-t interval)")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "std", "ci95"}));
  command->add_option("--by", arguments->by, "Sweeps: one line per value of these fields (comma-separated; "
                                             "default: every field the runs differ in but the seed)");
  command->add_option("--width", arguments->width, "Figure width in inches")->check(CLI::Range(0.5, 100.0));
  command->add_option("--height", arguments->height, "Figure height in inches")->check(CLI::Range(0.5, 100.0));
  command->add_option("--title", arguments->title, "Figure title (wrapped to the figure's width)");
  command->add_option("--dpi", arguments->dpi, "PNG resolution in dots per inch (default 100)")
      ->check(CLI::PositiveNumber);
  command->add_flag("--dump-data", arguments->dump_data,
                    "Print the plotted series as JSON instead of drawing");
  command->callback([arguments, &result] { result.exit_code = plot(*arguments); });
}

}  // namespace cdsim::apps
