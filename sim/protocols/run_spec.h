// How long a run lasts, how often it is evaluated, and what it records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim {

// run.stop: end a run before its steps are done. Every condition is checked at each
// evaluation (step 0, every eval_every_steps / eval_every_time, the last step); the run
// ends at the first evaluation that meets any of them, so that evaluation is the run's
// last metrics row. Budgets therefore overshoot by at most one evaluation interval.
struct StopSpec {
  std::string metric;      // a metrics.csv column; "" = no metric target
  double value = 0.0;      // the target
  bool at_least = true;    // reached when metric >= value (default for accuracies), else <=
  SimTime sim_time = SimTime::zero();  // simulated-time budget; 0 = none
  ByteCount bytes{0};                  // traffic budget (bytes on the wire); 0 = none
};

// What each evaluation computes (run.evaluation). Modes: "full" (every evaluated agent
// on the train and test sets, the averaged model on the test set, the consensus distance),
// "test" (the same without the train set), "average_model" (the averaged model and the
// consensus distance only), "off" (nothing but the traffic and the time).
struct EvaluationSpec {
  std::string mode = "full";
  std::size_t samples = 0;  // 0: whole sets; else a seeded sample of this many of each set
  std::size_t agents = 0;   // 0: every agent; else a seeded subset of this many agents
};

// The default number of agents evaluated in a run of more agents than this: beyond it, a
// seeded subset of this many (evaluating a million agents would dwarf the training).
inline constexpr std::size_t kDefaultEvaluatedAgents = 1024;

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
  EvaluationSpec evaluation;
  // Write events.pb: every message's send, transmission start and arrival.
  bool trace = false;
  StopSpec stop;
};

}  // namespace cdsim
