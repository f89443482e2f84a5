// Runs a sweep into its folder: SWEEPDIR/sweep.json (the resolved sweep), runs/<id>/ (an
// ordinary run directory per run, written by a child `cdsim run BASE --set ... --out`),
// logs/<id>.log (each child's output) and index.csv (one row per run). Runs already
// complete are skipped, so an interrupted sweep resumes; nothing in a run depends on how
// many run at once or in which order they finish.
#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "analysis/studies/sweep_spec.h"

namespace cdsim::studies {

enum class RunStatus { kComplete, kFailed, kMissing };
std::string to_string(RunStatus status);

struct SweepOptions {
  std::filesystem::path output_directory;  // empty: runs/<sweep name>
  std::size_t jobs = 1;                     // child processes at once
  std::filesystem::path executable;         // the cdsim binary the children run
  std::ostream* progress = nullptr;         // nullptr for silence
  bool progress_is_terminal = false;        // redraw one line instead of a line per run
};

// The sweep folder of `spec` under `options`: options.output_directory, or runs/<name>.
std::filesystem::path sweep_folder(const SweepSpec& spec, const SweepOptions& options);

// The sweep folder of `spec` under `options`: created when absent, accepted when empty or
// an earlier sweep (it holds sweep.json); throws std::runtime_error for any other folder.
// Writes sweep.json, and base.scenario.json when the base is inline.
std::filesystem::path prepare_sweep_folder(const SweepSpec& spec, const SweepOptions& options);

// Where the children read the base scenario from.
std::filesystem::path base_scenario_path(const SweepSpec& spec, const std::filesystem::path& folder);

// True when runs/<id> holds a whole run of exactly this run's scenario: every run file
// present and readable, metrics.csv ending at the step summary.json reports, and
// scenario.resolved.json what the sweep resolves for the run now (a changed base or axis
// value makes it stale).
bool run_is_complete(const SweepSpec& spec, const SweepRun& run, const std::filesystem::path& folder);

// Makes way for a rerun of an incomplete run: removes runs/<id> when it holds only files a
// run writes; returns false (and leaves it) when it holds anything else.
bool clear_incomplete_run(const std::filesystem::path& run_directory);

// The child's command line: executable run BASE --quiet --threads T --out DIR --set ...
std::vector<std::string> run_command_line(const SweepSpec& spec, const SweepRun& run,
                                          const std::filesystem::path& folder, const SweepOptions& options,
                                          std::size_t threads);

// Runs every incomplete run, `options.jobs` at a time, and returns each run's status
// (in the order of `runs`). Writes index.csv at the end.
std::vector<RunStatus> run_sweep(const SweepSpec& spec, const std::vector<SweepRun>& runs,
                                 const SweepOptions& options);

// Runs one run of the sweep in this process (no child): into runs/<id> unless it is
// complete already, with `threads` threads; what a child would print goes to logs/<id>.log
// (the failure's message). Returns kComplete or kFailed. For MPI ranks and the Python module.
RunStatus run_in_process(const SweepSpec& spec, const SweepRun& run, const std::filesystem::path& folder,
                         std::size_t threads);

// The whole sweep in this process, one run after another (prepare_sweep_folder, then
// run_in_process for each, then index.csv): the same folder `run_sweep` writes, byte for byte
// except timing.json and the logs. Returns each run's status in the order of `runs`.
std::vector<RunStatus> run_sweep_in_process(const SweepSpec& spec, const std::vector<SweepRun>& runs,
                                            const SweepOptions& options, std::size_t threads);

// index.csv: id, one column per axis (its dotted field path), seed, status, the run's
// final figures from summary.json (empty when it has none), run_dir relative to the folder.
void write_index(const SweepSpec& spec, const std::vector<SweepRun>& runs, const std::vector<RunStatus>& statuses,
                 const std::filesystem::path& folder);

}  // namespace cdsim::studies
