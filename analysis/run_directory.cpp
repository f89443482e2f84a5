#include "analysis/run_directory.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <system_error>

namespace cdsim {

RunDirectory::RunDirectory(std::filesystem::path final_path) : final_path_(std::move(final_path)) {
  if (final_path_.filename().empty()) final_path_ = final_path_.parent_path();
  const std::filesystem::path parent =
      final_path_.has_parent_path() ? final_path_.parent_path() : std::filesystem::path(".");
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    throw std::runtime_error(parent.string() + ": cannot create the output folder: " + error.message());
  }
  // Replace only an earlier run (it has scenario.resolved.json) or an empty folder, never
  // a folder of the user's that happens to be named as the output.
  if (std::filesystem::exists(final_path_, error)) {
    const bool is_directory = std::filesystem::is_directory(final_path_, error);
    const bool is_earlier_run = is_directory && std::filesystem::exists(final_path_ / "scenario.resolved.json", error);
    const bool is_empty = is_directory && std::filesystem::is_empty(final_path_, error);
    if (!is_earlier_run && !is_empty) {
      throw std::runtime_error(final_path_.string() +
                               ": exists and is not a cdsim run directory; choose another --out");
    }
  }
  // The process id keeps two concurrent runs of one scenario from sharing a staging folder.
  staging_path_ = parent / ("." + final_path_.filename().string() + ".staging-" + std::to_string(::getpid()));
  std::filesystem::remove_all(staging_path_, error);
  std::filesystem::create_directory(staging_path_, error);
  if (error) {
    throw std::runtime_error(staging_path_.string() + ": cannot create the run folder: " + error.message());
  }
}

RunDirectory::~RunDirectory() {
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove_all(staging_path_, ignored);
  }
}

std::filesystem::path RunDirectory::staged_path(const std::string& name) const {
  return staging_path_ / name;
}

void RunDirectory::write_file(const std::string& name, const std::string& contents) {
  const std::filesystem::path path = staged_path(name);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  out.close();
  if (!out) throw std::runtime_error(path.string() + ": cannot write the file");
}

void RunDirectory::commit() {
  std::error_code error;
  if (std::filesystem::exists(final_path_, error)) {
    std::filesystem::remove_all(final_path_, error);
    if (error) {
      throw std::runtime_error(final_path_.string() + ": cannot replace the earlier run: " + error.message());
    }
  }
  std::filesystem::rename(staging_path_, final_path_, error);
  if (error) {
    throw std::runtime_error(final_path_.string() + ": cannot move the run into place: " + error.message());
  }
  committed_ = true;
}

}  // namespace cdsim
