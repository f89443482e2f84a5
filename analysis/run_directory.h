// A run directory that appears whole or not at all, and that never costs the user a file.
// Files are written into a hidden staging folder beside the final one; commit() moves the
// earlier run (if any) aside, the new one in, and only then deletes the earlier run's
// files: a kill at any moment leaves the old run or the new one in place (a later run
// puts a set-aside old run back). Only what cdsim writes is ever deleted: an earlier run
// is replaced only when every entry in it is a file cdsim writes (its manifest
// `.cdsim-run` lists them). Destroyed without commit(), it removes its staging folder.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace cdsim {

class RunDirectory {
 public:
  // Checks `final_path` before anything is written: it must be absent, an empty folder or
  // an earlier run holding only cdsim's files, must not be (or contain) the current
  // folder, and its parent must be writable. Throws InvalidInput("", "<path>: ...") when
  // it cannot take a run (bad input). Removes stale staging folders of dead processes
  // beside it, then creates its own.
  explicit RunDirectory(std::filesystem::path final_path);
  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  // Writes (or replaces) one file of the run, by name relative to the run directory.
  void write_file(const std::string& name, const std::string& contents);
  // Where a file of this name is staged (for writers that stream, such as traces).
  std::filesystem::path staged_path(const std::string& name);

  // Moves the staged run into place; afterwards the destructor leaves it alone. Throws
  // std::runtime_error when the move fails (the earlier run is then kept).
  void commit();

  const std::filesystem::path& final_path() const { return final_path_; }

  // The name of the manifest a run directory holds.
  static constexpr const char* kManifest = ".cdsim-run";

 private:
  std::filesystem::path final_path_;    // as the user named it
  std::filesystem::path absolute_path_;  // for the checks and renames
  std::filesystem::path staging_path_;
  std::set<std::string> written_;  // names of the run's files, for the manifest
  bool committed_ = false;
};

}  // namespace cdsim
