#include "analysis/studies/sweep_runner.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <cerrno>
#include <cstring>
#include <thread>

#include <nlohmann/json.hpp>

#include "analysis/run_scenario.h"
#include "scenarios/scenario_loader.h"

extern char** environ;

namespace cdsim::studies {
namespace {

using Json = nlohmann::json;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes beside the target and renames, so a reader never sees half a file.
void write_atomically(const std::filesystem::path& path, const std::string& contents) {
  const std::filesystem::path staged = path.parent_path() / ("." + path.filename().string() + ".tmp-" + std::to_string(::getpid()));
  {
    std::ofstream out(staged, std::ios::binary | std::ios::trunc);
    out << contents;
    if (!out) throw std::runtime_error(staged.string() + ": cannot write");
  }
  std::filesystem::rename(staged, path);
}

// The files a run directory holds (analysis/run_scenario.h); additive files of newer
// versions are listed here too so that clearing a stale run removes them.
const std::set<std::string>& run_files() {
  static const std::set<std::string> kFiles = {"metrics.csv", "agents.csv", "summary.json", "scenario.resolved.json",
                                               "timing.json", "events.pb", "links.csv", ".cdsim-run"};  // immutable
  return kFiles;
}

const std::vector<std::string>& required_run_files() {
  static const std::vector<std::string> kRequired = {"metrics.csv", "agents.csv", "summary.json",
                                                     "scenario.resolved.json", "timing.json"};  // immutable
  return kRequired;
}

std::filesystem::path run_directory(const std::filesystem::path& folder, const SweepRun& run) {
  return folder / "runs" / run.id;
}

// The last line of a text (without its newline), or "" when it does not end in one.
std::string last_complete_line(const std::string& text) {
  if (text.empty() || text.back() != '\n') return "";
  const std::size_t start = text.rfind('\n', text.size() - 2);
  return text.substr(start == std::string::npos ? 0 : start + 1, text.size() - 1 - (start == std::string::npos ? 0 : start + 1));
}

std::string csv_cell(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string axis_cell(const std::string& json_value) {
  const Json value = Json::parse(json_value);
  return csv_cell(value.is_string() ? value.get<std::string>() : value.dump());
}

// The run figures index.csv copies from summary.json, as (column, JSON pointer).
const std::vector<std::pair<std::string, std::string>>& index_figures() {
  static const std::vector<std::pair<std::string, std::string>> kFigures = {
      {"steps", "/steps"},
      {"epochs", "/epochs"},
      {"sim_time_s", "/sim_time_s"},
      {"bytes_total", "/bytes_total"},
      {"messages_total", "/messages_total"},
      {"train_loss", "/final/train_loss"},
      {"test_loss", "/final/test_loss"},
      {"train_accuracy", "/final/train_accuracy"},
      {"test_accuracy", "/final/test_accuracy"},
      {"average_model_test_accuracy", "/final/average_model_test_accuracy"},
      {"consensus_distance", "/final/consensus_distance"},
      {"diverged", "/diverged"},
      {"stop_reason", "/stop/reason"},
      {"end_reason", "/end_reason"}};  // immutable table
  return kFigures;
}

std::string figure_cell(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return csv_cell(value.get<std::string>());
  if (value.is_number_float()) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.9g", value.get<double>());
    return buffer;
  }
  return value.dump();
}

std::string format_duration(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  std::ostringstream out;
  if (total >= 3600) out << total / 3600 << "h";
  if (total >= 60) out << (total % 3600) / 60 << "m";
  out << total % 60 << "s";
  return out.str();
}

// One line over the whole sweep: done, failed, running, ETA from this session's pace.
class SweepProgress {
 public:
  SweepProgress(std::ostream* out, bool terminal, std::size_t total, std::size_t already_done, std::size_t jobs)
      : out_(out), terminal_(terminal), total_(total), done_(already_done), skipped_(already_done), jobs_(jobs),
        start_(std::chrono::steady_clock::now()) {}

  void update(std::size_t done, std::size_t failed, std::size_t running, const std::string& event) {
    done_ = done;
    if (out_ == nullptr) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const std::size_t finished_here = done_ + failed - skipped_;
    std::string eta = "?";
    const std::size_t remaining = total_ - done_ - failed;
    if (finished_here > 0) eta = format_duration(elapsed / static_cast<double>(finished_here) * static_cast<double>(remaining));
    if (remaining == 0) eta = "0s";
    std::ostringstream line;
    line << "sweep: " << done_ << "/" << total_ << " done, " << failed << " failed, " << running << " running, elapsed "
         << format_duration(elapsed) << ", ETA " << eta;
    if (terminal_) {
      if (!event.empty()) *out_ << "\r\033[K" << event << "\n";
      *out_ << "\r\033[K" << line.str() << std::flush;
    } else {
      *out_ << line.str() << (event.empty() ? "" : " (" + event + ")") << "\n" << std::flush;
    }
  }
  void finish() {
    if (out_ != nullptr && terminal_) *out_ << "\n" << std::flush;
  }

 private:
  std::ostream* out_;
  bool terminal_;
  std::size_t total_;
  std::size_t done_;
  std::size_t skipped_;
  std::size_t jobs_;
  std::chrono::steady_clock::time_point start_;
};

// Starts `argv` with stdout and stderr to `log`; returns the child's pid.
pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> pointers;
  for (const std::string& arg : argv) pointers.push_back(const_cast<char*>(arg.c_str()));
  pointers.push_back(nullptr);
  pid_t pid = 0;
  const int error = ::posix_spawn(&pid, argv.front().c_str(), &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error(argv.front() + ": cannot start: " + std::strerror(error));
  return pid;
}

// The child's error line from its log, for the progress display.
std::string failure_reason(const std::filesystem::path& log) {
  std::istringstream in(read_text(log));
  std::string line, reason;
  while (std::getline(in, line)) {
    if (line.rfind("error: ", 0) == 0) reason = line;
  }
  return reason;
}

}  // namespace

std::string to_string(RunStatus status) {
  switch (status) {
    case RunStatus::kComplete: return "complete";
    case RunStatus::kFailed: return "failed";
    case RunStatus::kMissing: return "missing";
  }
  return "missing";
}

std::filesystem::path sweep_folder(const SweepSpec& spec, const SweepOptions& options) {
  return options.output_directory.empty() ? std::filesystem::path("runs") / spec.name : options.output_directory;
}

std::filesystem::path prepare_sweep_folder(const SweepSpec& spec, const SweepOptions& options) {
  const std::filesystem::path folder = sweep_folder(spec, options);
  std::error_code error;
  if (std::filesystem::exists(folder, error)) {
    const bool is_directory = std::filesystem::is_directory(folder, error);
    const bool is_sweep = is_directory && std::filesystem::exists(folder / "sweep.json", error);
    const bool is_empty = is_directory && std::filesystem::is_empty(folder, error);
    if (!is_sweep && !is_empty) {
      throw std::runtime_error(folder.string() + ": exists and is not a cdsim sweep folder; choose another --out");
    }
  }
  std::filesystem::create_directories(folder / "runs", error);
  std::filesystem::create_directories(folder / "logs", error);
  if (error) throw std::runtime_error(folder.string() + ": cannot create the sweep folder: " + error.message());
  write_atomically(folder / "sweep.json", resolved_sweep_json(spec));
  if (spec.base_file.empty()) write_atomically(base_scenario_path(spec, folder), spec.base_json);
  return folder;
}

std::filesystem::path base_scenario_path(const SweepSpec& spec, const std::filesystem::path& folder) {
  return spec.base_file.empty() ? std::filesystem::absolute(folder / "base.scenario.json") : spec.base_file;
}

bool run_is_complete(const SweepSpec& spec, const SweepRun& run, const std::filesystem::path& folder) {
  const std::filesystem::path directory = run_directory(folder, run);
  std::error_code error;
  for (const std::string& name : required_run_files()) {
    if (!std::filesystem::is_regular_file(directory / name, error)) return false;
  }
  const Json summary = Json::parse(read_text(directory / "summary.json"), nullptr, /*allow_exceptions=*/false);
  if (summary.is_discarded() || !summary.is_object() || !summary.contains("steps")) return false;
  const std::string last = last_complete_line(read_text(directory / "metrics.csv"));
  if (last.substr(0, last.find(',')) != summary["steps"].dump()) return false;
  std::string expected;
  try {
    expected = resolved_scenario_json(load_run_scenario(spec, run));
  } catch (const std::exception&) {
    return false;
  }
  return read_text(directory / "scenario.resolved.json") == expected;
}

bool clear_incomplete_run(const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::exists(directory, error)) return true;
  if (!std::filesystem::is_directory(directory, error)) return false;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (!entry.is_regular_file() || run_files().count(entry.path().filename().string()) == 0) return false;
  }
  std::filesystem::remove_all(directory, error);
  return !error;
}

std::vector<std::string> run_command_line(const SweepSpec& spec, const SweepRun& run,
                                          const std::filesystem::path& folder, const SweepOptions& options,
                                          std::size_t threads) {
  std::vector<std::string> argv = {options.executable.string(), "run", base_scenario_path(spec, folder).string(),
                                   "--quiet", "--threads", std::to_string(threads), "--out",
                                   std::filesystem::absolute(run_directory(folder, run)).string()};
  for (const ScenarioOverride& override_value : run.overrides) {
    argv.push_back("--set");
    argv.push_back(override_value.field + "=" + override_value.value);
  }
  return argv;
}

std::vector<RunStatus> run_sweep(const SweepSpec& spec, const std::vector<SweepRun>& runs, const SweepOptions& options) {
  const std::filesystem::path folder = prepare_sweep_folder(spec, options);
  std::vector<RunStatus> statuses(runs.size(), RunStatus::kMissing);
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (run_is_complete(spec, runs[i], folder)) {
      statuses[i] = RunStatus::kComplete;
    } else {
      pending.push_back(i);
    }
  }
  const std::size_t jobs = std::max<std::size_t>(1, options.jobs);
  const std::size_t cores = std::max<unsigned>(1, std::thread::hardware_concurrency());
  const std::size_t threads = std::max<std::size_t>(1, cores / jobs);
  std::size_t done = runs.size() - pending.size();
  std::size_t failed = 0;
  SweepProgress progress(options.progress, options.progress_is_terminal, runs.size(), done, jobs);
  progress.update(done, failed, 0, done > 0 ? std::to_string(done) + " complete already" : "");
  std::map<pid_t, std::size_t> running;  // child pid -> run index
  std::size_t next = 0;
  // A run that ended with no progress possible (faults) wrote its whole directory: it is a
  // result of the study, counted complete, and its summary.json says how it ended.
  auto finish = [&](std::size_t index, bool ok, bool ended_early) {
    const SweepRun& run = runs[index];
    const std::filesystem::path log = folder / "logs" / (run.id + ".log");
    if ((ok || ended_early) && run_is_complete(spec, run, folder)) {
      statuses[index] = RunStatus::kComplete;
      ++done;
      progress.update(done, failed, running.size(),
                      ended_early ? "ended early " + run.id + ": no progress was possible (see its summary.json)" : "");
    } else {
      statuses[index] = RunStatus::kFailed;
      ++failed;
      const std::string reason = failure_reason(log);
      progress.update(done, failed, running.size(),
                      "failed " + run.id + ": " + (reason.empty() ? "see " + log.string() : reason));
    }
  };
  while (next < pending.size() || !running.empty()) {
    while (next < pending.size() && running.size() < jobs) {
      const std::size_t index = pending[next++];
      const SweepRun& run = runs[index];
      if (!clear_incomplete_run(run_directory(folder, run))) {
        statuses[index] = RunStatus::kFailed;
        ++failed;
        progress.update(done, failed, running.size(),
                        "failed " + run.id + ": " + run_directory(folder, run).string() +
                            " holds files cdsim did not write; not touching it");
        continue;
      }
      const pid_t pid = spawn(run_command_line(spec, run, folder, options, threads), folder / "logs" / (run.id + ".log"));
      running.emplace(pid, index);
    }
    if (running.empty()) continue;
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("waiting for a run: ") + std::strerror(errno));
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::size_t index = it->second;
    running.erase(it);
    const bool exited = WIFEXITED(status);
    finish(index, exited && WEXITSTATUS(status) == 0, exited && WEXITSTATUS(status) == kExitStatusNoProgress);
  }
  progress.finish();
  write_index(spec, runs, statuses, folder);
  return statuses;
}

RunStatus run_in_process(const SweepSpec& spec, const SweepRun& run, const std::filesystem::path& folder,
                         std::size_t threads) {
  if (run_is_complete(spec, run, folder)) return RunStatus::kComplete;
  const std::filesystem::path directory = run_directory(folder, run);
  std::ofstream log(folder / "logs" / (run.id + ".log"), std::ios::trunc);
  try {
    if (!clear_incomplete_run(directory)) {
      throw std::runtime_error(directory.string() + " holds files cdsim did not write; not touching it");
    }
    RunOptions run_options;
    run_options.output_directory = directory;
    run_options.threads = threads;
    run_scenario(load_run_scenario(spec, run), run_options);
  } catch (const std::exception& error) {
    log << "error: " << run.id << ": " << error.what() << "\n";
    return RunStatus::kFailed;
  }
  return run_is_complete(spec, run, folder) ? RunStatus::kComplete : RunStatus::kFailed;
}

std::vector<RunStatus> run_sweep_in_process(const SweepSpec& spec, const std::vector<SweepRun>& runs,
                                            const SweepOptions& options, std::size_t threads) {
  const std::filesystem::path folder = prepare_sweep_folder(spec, options);
  std::vector<RunStatus> statuses(runs.size(), RunStatus::kMissing);
  std::size_t done = 0, failed = 0;
  SweepProgress progress(options.progress, options.progress_is_terminal, runs.size(), 0, 1);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    statuses[i] = run_in_process(spec, runs[i], folder, threads);
    const bool ok = statuses[i] == RunStatus::kComplete;
    (ok ? done : failed) += 1;
    const std::string reason = ok ? "" : failure_reason(folder / "logs" / (runs[i].id + ".log"));
    progress.update(done, failed, 0, ok ? "" : "failed " + runs[i].id + ": " + reason);
  }
  progress.finish();
  write_index(spec, runs, statuses, folder);
  return statuses;
}

void write_index(const SweepSpec& spec, const std::vector<SweepRun>& runs, const std::vector<RunStatus>& statuses,
                 const std::filesystem::path& folder) {
  std::string csv = "id";
  for (const SweepAxis& axis : spec.axes) csv += "," + csv_cell(axis.field);
  csv += ",seed,status";
  for (const auto& figure : index_figures()) csv += "," + figure.first;
  csv += ",run_dir\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const SweepRun& run = runs[i];
    csv += csv_cell(run.id);
    for (const std::string& value : run.axis_values) csv += "," + axis_cell(value);
    csv += "," + std::to_string(run.seed) + "," + to_string(statuses[i]);
    Json summary;
    if (statuses[i] == RunStatus::kComplete) {
      summary = Json::parse(read_text(run_directory(folder, run) / "summary.json"), nullptr, false);
    }
    for (const auto& figure : index_figures()) {
      const Json::json_pointer pointer(figure.second);
      const bool has = summary.is_object() && summary.contains(pointer);
      csv += "," + (has ? figure_cell(summary.at(pointer)) : std::string());
    }
    csv += "," + csv_cell(std::filesystem::path("runs") / run.id) + "\n";
  }
  write_atomically(folder / "index.csv", csv);
}

}  // namespace cdsim::studies
