// How long a run lasts and how often it is evaluated.
#pragma once

#include <cstdint>

namespace cdsim {

struct RunSpec {
  // Exactly one of steps and epochs is positive after loading; epochs are counted on an
  // agent's own shard (one epoch = one pass of each agent over its shard).
  std::int64_t steps = 0;
  double epochs = 0.0;
  // Evaluate every this many steps (0: once per epoch). Evaluation does not advance
  // simulated time. The first (step 0) and last steps are always evaluated.
  std::int64_t eval_every_steps = 0;
};

}  // namespace cdsim
