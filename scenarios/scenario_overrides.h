// Command-line overrides of scenario fields (`--set network.bandwidth=100Mbps`): a dotted
// path into the scenario JSON and a value, applied to the file's JSON before it is read,
// so the loader validates the result and names a bad field by its JSON pointer as usual.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "scenarios/scenario.h"

namespace cdsim {

struct ScenarioOverride {
  std::string field;  // dotted path, e.g. "algorithm.learning_rate"; a number indexes an array
  std::string value;  // parsed as JSON when it parses ("0.05", "true", "[64]"), else a string
};

// Splits "FIELD=VALUE" at the first '='; throws InvalidInput("", ...) when there is none
// or FIELD is empty.
ScenarioOverride parse_override(const std::string& assignment);

// "/algorithm/learning_rate" for "algorithm.learning_rate".
std::string override_pointer(const std::string& field);

// Scenario JSON text with the overrides applied in order. Intermediate objects are made
// when absent; a null value removes the field (its default applies); setting run.steps
// drops run.epochs and the other way round, since a scenario gives one of the two. Throws InvalidInput naming the override's pointer when
// the path runs through a value that is not an object (or an array and an index).
std::string apply_overrides(const std::string& json_text, std::span<const ScenarioOverride> overrides);

// load_scenario / parse_scenario (scenarios/scenario_loader.h) with overrides applied
// first. A ScenarioError about an overridden field says which --set caused it.
Scenario load_scenario(const std::string& path, std::span<const ScenarioOverride> overrides);
Scenario parse_scenario(const std::string& json_text, const std::string& origin,
                        std::span<const ScenarioOverride> overrides);

}  // namespace cdsim
