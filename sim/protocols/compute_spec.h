// What a scenario says about how long an agent computes per step: a fixed time, or the
// model's FLOPs times the batch over the agent's speed; agents may differ (a seeded
// log-normal spread of speeds) and any step may straggle.
#pragma once

#include "sim/time.h"

namespace cdsim {

struct ComputeSpec {
  SimTime step_time = SimTime::from_ms(5);  // used when flops_per_second is 0
  double flops_per_second = 0.0;            // > 0: time = FLOPs/sample * batch / speed
  double speed_spread = 0.0;                // sigma of log(speed multiplier), per agent
  double straggler_probability = 0.0;       // chance that one step of one agent straggles
  double straggler_slowdown = 4.0;          // a straggling step takes this many times longer
};

}  // namespace cdsim
