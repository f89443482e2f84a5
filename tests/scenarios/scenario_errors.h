// Test helper: the ScenarioError a scenario text raises (the test fails if it loads).
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "scenarios/scenario_loader.h"

namespace cdsim::testing {

inline ScenarioError error_of(const std::string& text) {
  try {
    parse_scenario(text, "bad.json");
  } catch (const ScenarioError& error) {
    return error;
  }
  FAIL("expected the scenario to be rejected: " << text.substr(0, 200));
  return ScenarioError("", "", "");
}

}  // namespace cdsim::testing
