// Helpers for the studies tests: small sweeps over the quickstart scenario run through
// the cdsim binary, and whole-folder comparisons.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "tests/apps/cli_harness.h"

namespace cdsim::testing {

inline const std::string kQuickstartScenario = std::string(CDSIM_SOURCE_DIR) + "/scenarios/quickstart.json";

// A sweep file in `folder` over a short quickstart (24 steps, evaluated every 6).
inline std::filesystem::path write_small_sweep(const std::filesystem::path& folder, const std::string& grid_and_seeds) {
  const std::filesystem::path path = folder / "sweep.in.json";
  write_text(path, "{\"base\": \"" + kQuickstartScenario +
                       "\", \"set\": {\"run.steps\": 24, \"run.eval_every_steps\": 6}, " + grid_and_seeds + "}");
  return path;
}

// Every file under `root` (relative path -> contents), timing.json files left out.
inline std::map<std::string, std::string> folder_contents(const std::filesystem::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().filename() == "timing.json") continue;
    files[std::filesystem::relative(entry.path(), root).string()] = read_text(entry.path());
  }
  return files;
}

}  // namespace cdsim::testing
