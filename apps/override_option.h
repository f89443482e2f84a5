// The `--set FIELD=VALUE` option that run, validate and topology share
// (scenarios/scenario_overrides.h does the work).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "scenarios/scenario_overrides.h"

namespace cdsim::apps {

inline void add_override_option(CLI::App* command, std::vector<std::string>& assignments) {
  command->add_option("--set", assignments,
                      "Override a scenario field before validation: FIELD=VALUE, FIELD a dotted path "
                      "(network.bandwidth=100Mbps, topology.kind=torus, seed=3); VALUE is JSON when it "
                      "parses, else a string. Repeatable")
      ->take_all()
      ->allow_extra_args(false);
}

// Throws InvalidInput naming the malformed assignment.
inline std::vector<ScenarioOverride> parse_overrides(const std::vector<std::string>& assignments) {
  std::vector<ScenarioOverride> overrides;
  for (const std::string& assignment : assignments) overrides.push_back(parse_override(assignment));
  return overrides;
}

}  // namespace cdsim::apps
