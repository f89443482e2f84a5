// Maps the exceptions of loading and running a scenario to one line on stderr and the
// program's exit codes: bad input (the file, the field) exits 2, a failed run exits 1.
#pragma once

#include <exception>
#include <iostream>
#include <string>

#include "apps/commands.h"
#include "core/invalid_input.h"
#include "scenarios/scenario_loader.h"

namespace cdsim::apps {

template <typename Body>
int with_scenario_errors(const std::string& scenario_path, Body body) {
  try {
    return body();
  } catch (const ScenarioError& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kExitBadInput;
  } catch (const InvalidInput& error) {
    std::cerr << "error: " << scenario_path << ": "
              << (error.field().empty() ? std::string() : error.field() + ": ") << error.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& error) {
    std::cerr << "error: " << scenario_path << ": run failed: " << error.what() << "\n";
    return kExitRunFailed;
  }
}

}  // namespace cdsim::apps
