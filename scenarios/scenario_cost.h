// What a scenario will cost before anything is allocated: its step count, model size,
// memory, gradient work, messages and simulated time, estimated from the scenario and the
// shape of its data (core/data_loader.h probe_data). check_scenario_cost compares them
// with the stated bounds of scenarios/scenario_limits.h, so that `cdsim validate` and the
// start of `cdsim run` reject a scenario that would exhaust memory, run for ever or
// overflow its simulated clock, naming the field to change.
#pragma once

#include <cstdint>

#include "core/data_loader.h"
#include "scenarios/scenario.h"

namespace cdsim {

struct ScenarioCost {
  double epochs_per_step = 0.0;
  std::int64_t total_steps = 0;    // gradient steps (rounds for FedAvg)
  std::int64_t observe_every = 1;  // steps between evaluations (see run.eval_every_steps)
  std::uint64_t parameters = 0;    // per model
  double flops_per_sample = 0.0;
  double edges = 0.0;              // of the topology (expected, for random graphs)
  double memory_bytes = 0.0;       // estimated peak
  double gradient_flops = 0.0;     // training and evaluation
  double messages = 0.0;
  double simulated_seconds = 0.0;  // an upper estimate of the run's simulated length
};

// The shape of the scenario's data (core/data_loader.h probe_data; for a communication-only
// replay, one batch per agent and nothing else). Throws InvalidInput with "/data/..." fields.
DataShape probe_scenario_data(const Scenario& scenario);

// Throws InvalidInput(field relative to the scenario root, ...) when the scenario's model
// does not fit its data or a bound is exceeded. `force` waives the cost bounds (memory,
// work, messages, parameters); the step-count and simulated-time bounds always hold,
// because beyond them the run's integers would overflow.
ScenarioCost check_scenario_cost(const Scenario& scenario, const DataShape& data, bool force);

}  // namespace cdsim
