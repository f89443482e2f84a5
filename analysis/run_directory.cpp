#include "analysis/run_directory.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "core/invalid_input.h"

namespace cdsim {
namespace {

namespace fs = std::filesystem;

// Files cdsim writes into a run directory, for runs written before the manifest existed
// (and the figure `cdsim plot` draws there by default).
const std::set<std::string>& legacy_run_files() {
  static const std::set<std::string> kFiles = {  // immutable constant, not shared state
      "metrics.csv", "agents.csv", "summary.json", "scenario.resolved.json", "timing.json",
      "events.pb",   "plot.png",   "plot.svg",     "plot.pdf",               RunDirectory::kManifest};
  return kFiles;
}

[[noreturn]] void bad_output(const fs::path& path, const std::string& problem) {
  throw InvalidInput("", path.string() + ": " + problem);
}

// The names a run directory's manifest lists (empty when it has none).
std::set<std::string> manifest_of(const fs::path& run) {
  std::set<std::string> names;
  std::ifstream in(run / RunDirectory::kManifest);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.find('/') == std::string::npos && line != "." && line != "..") names.insert(line);
  }
  return names;
}

bool is_cdsim_file(const std::string& name, const std::set<std::string>& manifest) {
  return legacy_run_files().count(name) > 0 || manifest.count(name) > 0;
}

// The first entry of `run` that cdsim did not write, or "" when all are cdsim's.
std::string foreign_entry(const fs::path& run) {
  const std::set<std::string> manifest = manifest_of(run);
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(run, error)) {
    const std::string name = entry.path().filename().string();
    std::error_code type_error;
    if (!entry.is_regular_file(type_error) || !is_cdsim_file(name, manifest)) return name;
  }
  if (error) return "(unreadable: " + error.message() + ")";
  return "";
}

// Deletes the files of a run cdsim wrote and then the folder, if that leaves it empty;
// anything else in it stays.
void remove_run_files(const fs::path& run) {
  const std::set<std::string> manifest = manifest_of(run);
  std::error_code error;
  std::vector<fs::path> doomed;
  for (const fs::directory_entry& entry : fs::directory_iterator(run, error)) {
    std::error_code type_error;
    if (entry.is_regular_file(type_error) && is_cdsim_file(entry.path().filename().string(), manifest)) {
      doomed.push_back(entry.path());
    }
  }
  for (const fs::path& file : doomed) fs::remove(file, error);
  fs::remove(run, error);  // fails, harmlessly, if something else is left
}

bool process_is_alive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// The pid that ends a name "<prefix><pid>", or -1.
long pid_suffix(const std::string& name, const std::string& marker) {
  const std::size_t at = name.rfind(marker);
  if (at == std::string::npos || at + marker.size() >= name.size()) return -1;
  const std::string digits = name.substr(at + marker.size());
  if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stol(digits);
}

// Folders of runs that died beside `parent`: a staging folder of a dead process is
// removed; an earlier run a dead process had moved aside is put back if its place is
// empty, and otherwise removed (only its cdsim files). Folders of live processes stay.
void clean_stale_folders(const fs::path& parent) {
  std::error_code error;
  std::vector<fs::path> stale_staging;
  std::vector<fs::path> stale_aside;
  for (const fs::directory_entry& entry : fs::directory_iterator(parent, error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] != '.') continue;
    const long staging_pid = pid_suffix(name, ".staging-");
    const long aside_pid = pid_suffix(name, ".replaced-");
    if (staging_pid > 0 && staging_pid != ::getpid() && !process_is_alive(staging_pid)) {
      stale_staging.push_back(entry.path());
    } else if (aside_pid > 0 && aside_pid != ::getpid() && !process_is_alive(aside_pid)) {
      stale_aside.push_back(entry.path());
    }
  }
  for (const fs::path& staging : stale_staging) {
    // A staging folder holds only what a run of cdsim wrote into it.
    fs::remove_all(staging, error);
  }
  for (const fs::path& aside : stale_aside) {
    // ".<name>.replaced-<pid>" was the run "<name>".
    const std::string name = aside.filename().string();
    const fs::path original = parent / name.substr(1, name.rfind(".replaced-") - 1);
    if (!fs::exists(original, error)) {
      fs::rename(aside, original, error);
    } else {
      remove_run_files(aside);
    }
  }
}

}  // namespace

RunDirectory::RunDirectory(fs::path final_path) : final_path_(std::move(final_path)) {
  std::error_code error;
  absolute_path_ = fs::weakly_canonical(fs::absolute(final_path_, error), error);
  if (error || absolute_path_.filename().empty() || absolute_path_ == absolute_path_.root_path()) {
    bad_output(final_path_, "cannot be used as a run directory; choose another --out");
  }
  const fs::path cwd = fs::current_path(error);
  if (!error) {
    const fs::path inside = fs::weakly_canonical(cwd, error).lexically_relative(absolute_path_);
    if (!error && !inside.empty() && *inside.begin() != "..") {
      bad_output(final_path_, "is the current folder or contains it; choose another --out");
    }
  }
  const fs::path parent = absolute_path_.parent_path();
  if (fs::exists(absolute_path_, error)) {
    if (!fs::is_directory(absolute_path_, error)) {
      bad_output(final_path_, "exists and is not a folder; choose another --out");
    }
    const bool is_empty = fs::is_empty(absolute_path_, error);
    const bool is_earlier_run = fs::exists(absolute_path_ / "scenario.resolved.json", error);
    if (!is_empty && !is_earlier_run) {
      bad_output(final_path_, "exists and is not a cdsim run directory; choose another --out");
    }
    if (!is_empty) {
      const std::string foreign = foreign_entry(absolute_path_);
      if (!foreign.empty()) {
        bad_output(final_path_, "is an earlier run that also holds \"" + foreign +
                                    "\", which cdsim did not write; move it or choose another --out");
      }
    }
  }
  fs::create_directories(parent, error);
  if (error) bad_output(parent, "cannot create the output folder: " + error.message());
  if (::access(parent.c_str(), W_OK | X_OK) != 0) bad_output(parent, "the output folder is not writable");
  clean_stale_folders(parent);
  // The process id keeps two concurrent runs of one scenario from sharing a staging folder.
  staging_path_ = parent / ("." + absolute_path_.filename().string() + ".staging-" + std::to_string(::getpid()));
  fs::remove_all(staging_path_, error);  // our own pid's: a leftover of this very process
  fs::create_directory(staging_path_, error);
  if (error) bad_output(staging_path_, "cannot create the run folder: " + error.message());
}

RunDirectory::~RunDirectory() {
  if (!committed_) {
    std::error_code ignored;
    fs::remove_all(staging_path_, ignored);
  }
}

fs::path RunDirectory::staged_path(const std::string& name) {
  written_.insert(name);
  return staging_path_ / name;
}

void RunDirectory::write_file(const std::string& name, const std::string& contents) {
  const fs::path path = staged_path(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) throw std::runtime_error(path.string() + ": cannot write the file");
}

void RunDirectory::commit() {
  std::string manifest;
  for (const std::string& name : written_) manifest += name + "\n";
  write_file(kManifest, manifest);
  std::error_code error;
  const fs::path aside = absolute_path_.parent_path() /
                         ("." + absolute_path_.filename().string() + ".replaced-" + std::to_string(::getpid()));
  bool replaced = false;
  if (fs::exists(absolute_path_, error)) {
    // Checked again: files may have appeared since the constructor looked.
    const std::string foreign = fs::is_empty(absolute_path_, error) ? "" : foreign_entry(absolute_path_);
    if (!foreign.empty()) {
      throw std::runtime_error(final_path_.string() + ": now holds \"" + foreign +
                               "\", which cdsim did not write; the new run was not moved in");
    }
    fs::rename(absolute_path_, aside, error);
    if (error) {
      throw std::runtime_error(final_path_.string() + ": cannot move the earlier run aside: " + error.message());
    }
    replaced = true;
  }
  fs::rename(staging_path_, absolute_path_, error);
  if (error) {
    std::error_code ignored;
    if (replaced) fs::rename(aside, absolute_path_, ignored);
    throw std::runtime_error(final_path_.string() + ": cannot move the run into place: " + error.message());
  }
  committed_ = true;
  if (replaced) remove_run_files(aside);
}

}  // namespace cdsim
