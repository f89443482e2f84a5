// Where a run's results come from: the cdsim build (version from the CMake project, git
// commit and whether the tree had uncommitted changes, build type) and a SHA-256 of every
// input file the run read (graph, mixing matrix, data files). run_scenario records both in
// summary.json; `cdsim --version` prints the build.
#pragma once

#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace cdsim {

struct BuildInfo {
  std::string version;     // CMake project version, e.g. "0.1.0"
  std::string git_commit;  // "unknown" when built outside a git checkout
  bool git_dirty = false;  // tracked files differed from the commit at build time
  std::string build_type;  // CMAKE_BUILD_TYPE
};
// Defined in a source file generated at build time (cmake/build_info.cmake).
BuildInfo build_info();

// "cdsim 0.1.0 (commit 1a2b3c4d5e6f, dirty, Release)".
std::string version_line(const BuildInfo& info);

struct InputFingerprint {
  std::string role;  // "topology", "mixing", "platform" or "data"
  std::string path;
  std::string sha256;
};
// The scenario's graph and mixing-matrix files (when it reads them) and `data_files`, in
// that order, each with its SHA-256.
std::vector<InputFingerprint> fingerprint_inputs(const Scenario& scenario, const std::vector<std::string>& data_files);

}  // namespace cdsim
