// A run directory that appears whole or not at all. Files are written into a hidden
// staging folder beside the final one; commit() moves it into place (replacing an older
// run of the same name). Destroyed without commit(), it removes the staging folder, so a
// failed run leaves nothing half-written under a final name.
#pragma once

#include <filesystem>
#include <string>

namespace cdsim {

class RunDirectory {
 public:
  // Creates the staging folder next to `final_path`; throws std::runtime_error on failure,
  // or when `final_path` exists and is neither empty nor an earlier run directory.
  explicit RunDirectory(std::filesystem::path final_path);
  ~RunDirectory();
  RunDirectory(const RunDirectory&) = delete;
  RunDirectory& operator=(const RunDirectory&) = delete;

  // Writes (or replaces) one file of the run, by name relative to the run directory.
  void write_file(const std::string& name, const std::string& contents);
  // Where a file of this name is staged (for writers that stream, such as traces).
  std::filesystem::path staged_path(const std::string& name) const;

  // Moves the staged run into place; afterwards the destructor leaves it alone.
  void commit();

  const std::filesystem::path& final_path() const { return final_path_; }

 private:
  std::filesystem::path final_path_;
  std::filesystem::path staging_path_;
  bool committed_ = false;
};

}  // namespace cdsim
