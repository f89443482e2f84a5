// `cdsim plot RUN_DIR...`: draws run directories with analysis/plot.py. Given a sweep
// folder, it draws one line per configuration with a band over the seeds, computed here
// (analysis/studies/band_series.h) and handed to the script as JSON (--series). The script runs
// under /usr/bin/python3 (or $CDSIM_PYTHON), started with posix_spawn and an argv built
// from the options — no shell, so any path is passed as it is. The script is
// $CDSIM_PLOT_SCRIPT, else ../share/cdsim/plot.py next to the installed program, else the
// source tree's analysis/plot.py (a build-tree program); its exit code is cdsim's (2 for
// bad input). --timeline first writes the run's Chrome timeline (analysis/trace_analysis.h)
// to a temporary file for the script to draw.
#include <spawn.h>
#include <unistd.h>
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
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "analysis/studies/band_series.h"
#include "analysis/trace_analysis.h"
#include "analysis/trace_reader.h"
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
  bool timeline = false;
};

// The plot script: the environment's, the installed one relative to this executable, or
// the source tree's.
std::string plot_script() {
  if (const char* value = std::getenv("CDSIM_PLOT_SCRIPT"); value != nullptr && *value != '\0') return value;
  std::error_code ignored;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", ignored);
  if (!executable.empty()) {
    const std::filesystem::path installed = executable.parent_path().parent_path() / "share" / "cdsim" / "plot.py";
    if (std::filesystem::is_regular_file(installed, ignored)) return installed.string();
  }
  return std::string(CDSIM_SOURCE_DIR) + "/analysis/plot.py";
}

// A temporary file removed when the object dies.
class TemporaryFile {
 public:
  explicit TemporaryFile(const std::string& suffix)
      : path_(std::filesystem::temp_directory_path() / ("cdsim-" + std::to_string(::getpid()) + suffix)) {}
  ~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
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
    const char* name = arguments.timeline ? "timeline.png" : "plot.png";
    add("--out", arguments.output_file.empty() ? (first / name).string() : arguments.output_file);
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

// Writes the run's timeline for plot.py --timeline; false (after saying why) when it cannot.
bool write_timeline(const PlotArguments& arguments, const std::filesystem::path& out) {
  if (arguments.run_directories.size() != 1) {
    std::cerr << "error: --timeline draws one run directory; give exactly one\n";
    return false;
  }
  const std::filesystem::path run = arguments.run_directories.front();
  if (!std::filesystem::is_regular_file(run / "events.pb")) {
    std::cerr << "error: " << (run / "events.pb").string()
              << ": no events trace (run the scenario with run.trace true)\n";
    return false;
  }
  try {
    const std::vector<TraceRecord> records = read_trace(run / "events.pb");
    const std::vector<LinkName> links =
        std::filesystem::is_regular_file(run / "links.csv") ? read_link_names(run / "links.csv") : std::vector<LinkName>{};
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    file << chrome_trace_json(records, links);
    if (!file) throw std::runtime_error(out.string() + ": cannot write the timeline");
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return false;
  }
  return true;
}

int plot(const PlotArguments& arguments) {
  const std::string python = environment_or("CDSIM_PYTHON", "/usr/bin/python3");
  const std::string script = plot_script();
  if (!std::filesystem::is_regular_file(script)) {
    std::cerr << "error: plot script " << script
              << " not found; set CDSIM_PLOT_SCRIPT to the path of analysis/plot.py\n";
    return kExitRunFailed;
  }
  // A sweep's lines are computed here and passed in a temporary file.
  const TemporaryFile series(".plot-series.json");
  std::string series_file;
  if (std::any_of(arguments.run_directories.begin(), arguments.run_directories.end(), is_sweep_folder)) {
    std::string text;
    try {
      text = sweep_series(arguments);
    } catch (const std::exception& error) {
      std::cerr << "error: " << arguments.run_directories.front() << ": " << error.what() << "\n";
      return kExitBadInput;
    }
    std::ofstream(series.path(), std::ios::binary) << text;
    series_file = series.path().string();
  }
  std::vector<std::string> argv = {python, script};
  const TemporaryFile timeline(".timeline.json");
  if (arguments.timeline) {
    if (!write_timeline(arguments, timeline.path())) return kExitBadInput;
    argv.emplace_back("--timeline");
    argv.push_back(timeline.path().string());
  }
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
  command->add_flag("--timeline", arguments->timeline,
                    "Draw one traced run's agents over simulated time: compute, wait, sends "
                    "(default out: <run dir>/timeline.png)");
  command->add_flag("--dump-data", arguments->dump_data,
                    "Print the plotted series as JSON instead of drawing");
  command->callback([arguments, &result] { result.exit_code = plot(*arguments); });
}

}  // namespace cdsim::apps
