#include "analysis/run_errors.h"

#include <exception>

#include "core/invalid_input.h"
#include "scenarios/scenario_loader.h"

namespace cdsim {

RunFailure current_run_failure(const std::string& origin) {
  try {
    throw;
  } catch (const ScenarioError& error) {
    return {true, error.what()};
  } catch (const InvalidInput& error) {
    return {true, ScenarioError(origin, error.field(), error.what()).what()};
  } catch (const std::exception& error) {
    return {false, origin + ": run failed: " + error.what()};
  } catch (...) {
    return {false, origin + ": run failed: unknown error"};
  }
}

}  // namespace cdsim
