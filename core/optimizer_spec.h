// What a scenario says about each agent's local optimizer. Plain values with defaults;
// the Optimizer (core/optimizer.h) validates them.
#pragma once

#include <string>

#include "core/step_size.h"

namespace cdsim {

struct OptimizerSpec {
  std::string kind = "sgd";     // sgd, momentum (Polyak heavy ball), nesterov (Keras form)
  double learning_rate = 0.01;  // base step size alpha, scaled by `schedule`
  double momentum = 0.95;       // mu, for momentum and nesterov
  double weight_decay = 0;      // L2 coefficient lambda: the gradient gets + lambda * x
  StepSizeSchedule schedule;
};

}  // namespace cdsim
