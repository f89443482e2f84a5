// How long a run lasts, how often it is evaluated, and what it records.
#pragma once

#include <cstdint>

#include "sim/time.h"

namespace cdsim {

struct RunSpec {
  // Exactly one of steps and epochs is positive after loading. An epoch is the training
  // set seen once by the agents together (see epochs_per_step in sim/protocols/protocol.h).
  std::int64_t steps = 0;
  double epochs = 0.0;
  // Evaluate every this many steps (0 with no eval_every_time: once per epoch), and/or at
  // the first step finished after each multiple of eval_every_time of simulated time.
  // Evaluation does not advance simulated time. Step 0 and the last step are always
  // evaluated.
  std::int64_t eval_every_steps = 0;
  SimTime eval_every_time = SimTime::zero();
  // Write events.pb: every message's send, transmission start and arrival.
  bool trace = false;
};

}  // namespace cdsim
