// Maps the exceptions of loading and running a scenario to one line on stderr and the
// program's exit codes: bad input (the file, the field) exits 2, a failed run exits 1.
#pragma once

#include <iostream>
#include <string>

#include "analysis/run_errors.h"
#include "apps/commands.h"

namespace cdsim::apps {

template <typename Body>
int with_scenario_errors(const std::string& scenario_path, Body body) {
  try {
    return body();
  } catch (...) {
    const RunFailure failure = current_run_failure(scenario_path);
    std::cerr << "error: " << failure.message << "\n";
    return failure.bad_input ? kExitBadInput : kExitRunFailed;
  }
}

}  // namespace cdsim::apps
