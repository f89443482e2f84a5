// Step-size schedules: how the learning rate changes with the step count k (k = 0 for
// the first step). step_size() gives the FACTOR that multiplies the base learning rate
// (OptimizerSpec::learning_rate); learning_rate_at() in core/optimizer.h gives alpha_k.
#pragma once

#include <cstdint>
#include <string>

namespace cdsim {

struct StepSizeSchedule {
  // constant:     1
  // step:         drop_factor ^ floor(k / drop_every)
  // inverse_sqrt: 1 / sqrt(1 + decay * k)
  // inverse:      1 / (1 + decay * k)            (Keras' SGD `decay`)
  // power:        1 / (k + 1)^exponent           (alpha / k^epsilon, counting steps from 1)
  std::string kind = "constant";
  double drop_factor = 0.5;        // step
  std::int64_t drop_every = 1000;  // step, in steps
  double decay = 1e-3;             // inverse_sqrt, inverse
  double exponent = 0.5;           // power; in (0, 1] for the usual diminishing-step conditions
};

// Throws InvalidInput("/kind", "/drop_factor", ...) for a bad schedule.
void validate(const StepSizeSchedule& schedule);

// The factor multiplying the base learning rate at step `step` (>= 0).
double step_size(const StepSizeSchedule& schedule, std::int64_t step);

}  // namespace cdsim
