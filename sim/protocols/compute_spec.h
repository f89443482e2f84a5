// What a scenario says about how long an agent computes per step.
#pragma once

#include "sim/time.h"

namespace cdsim {

struct ComputeSpec {
  // Fixed time per step (forward + backward + update on one minibatch); the walking
  // skeleton's compute model.
  SimTime step_time = SimTime::from_ms(5);
};

}  // namespace cdsim
