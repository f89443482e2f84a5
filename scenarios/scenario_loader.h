// Reading, validating and writing scenario files. Errors are ScenarioError values that
// name the file, the field (as a JSON pointer), what was found and what was expected.
#pragma once

#include <stdexcept>
#include <string>

#include "scenarios/scenario.h"

namespace cdsim {

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string file, std::string field_pointer, const std::string& message);
  const std::string& file() const { return file_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  std::string field_;
};

// Reads and validates a scenario file; throws ScenarioError.
Scenario load_scenario(const std::string& path);

// Parses scenario text; `origin` names it in errors (a file path or "<string>").
Scenario parse_scenario(const std::string& json_text, const std::string& origin);

// A JSON Schema (draft 2020-12) of scenario files, as JSON text: every field with its type,
// default and allowed values, recorded from the loader's own reads (scenarios/object_reader.h)
// while it loads an empty scenario. Editors can complete and check scenarios with it; the
// loader still has the last word (cross-field rules, files that must exist).
std::string scenario_json_schema();

// The scenario as JSON text with every default written out; loading it gives the same
// Scenario back.
std::string resolved_scenario_json(const Scenario& scenario);

}  // namespace cdsim
