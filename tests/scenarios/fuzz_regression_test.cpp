// Replays every input kept under tests/fuzz/regressions/scenario_loader/ (crash inputs of
// the fuzzer and of the reliability issue): each must load or be rejected as bad input,
// and an accepted one must round-trip through its resolved form, as the harness demands.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "scenarios/scenario_loader.h"

namespace fs = std::filesystem;

TEST_CASE("every kept fuzzer input loads or is rejected as bad input, without crashing") {
  const fs::path folder = fs::path(CDSIM_SOURCE_DIR) / "tests/fuzz/regressions/scenario_loader";
  std::size_t replayed = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder)) {
    CAPTURE(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    try {
      const cdsim::Scenario scenario = cdsim::parse_scenario(text.str(), entry.path().string());
      const std::string resolved = cdsim::resolved_scenario_json(scenario);
      CHECK(cdsim::resolved_scenario_json(cdsim::parse_scenario(resolved, "resolved.json")) == resolved);
    } catch (const cdsim::ScenarioError& error) {
      CHECK(std::string(error.what()).find(entry.path().string()) == 0);
    }
    ++replayed;
  }
  CHECK(replayed >= 5);
}
