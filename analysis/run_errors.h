// The one line a user sees when a scenario cannot be loaded, checked or run, for the
// program (after "error: ") and the Python module (as the exception's message) alike: bad
// input names the file and the field as a JSON pointer; anything else is a failed run.
#pragma once

#include <string>

namespace cdsim {

struct RunFailure {
  bool bad_input = false;  // the scenario is at fault (exit 2), not the run (exit 1)
  std::string message;     // "<origin>: /field: what", or "<origin>: run failed: what"
};

// Classifies the exception being handled (call it only inside a catch block): a
// ScenarioError or InvalidInput is bad input, any other exception a failed run. `origin`
// names the scenario: its path, or what the caller calls inline text.
RunFailure current_run_failure(const std::string& origin);

}  // namespace cdsim
