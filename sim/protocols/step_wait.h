// One agent's wait for the messages of its step under algorithm.timeout, shared by the
// synchronous gossip protocols that go on without what did not come (CHOCO-SGD, SGP): the
// agent asks, each time something arrives, whether it can go on; the first ask of a step
// starts the wait and arms the deadline (RoundDeadline: inclusive), and once nothing is
// missing or the deadline has passed it goes on and the wait is added to WaitingStats.
#pragma once

#include <cstdint>
#include <utility>

#include "sim/protocols/protocol.h"
#include "sim/protocols/round_deadline.h"
#include "sim/simulation.h"

namespace cdsim {

class StepWait {
 public:
  // Whether the agent goes on with `step` now: true when nothing is `missing` or the
  // deadline of this step has passed. Otherwise false, and on the step's first ask the
  // deadline is armed to run `retry` (which asks again) `timeout` later; timeout <= 0
  // waits for ever. The object must stay in place while a deadline is pending.
  template <typename Retry>
  bool go_on(Simulation& simulation, SimTime timeout, std::int64_t step, bool missing, WaitingStats& stats,
             Retry retry) {
    const SimTime now = simulation.now();
    const bool first = step_ != step;
    if (first) {
      step_ = step;
      since_ = now;
      timed_out_ = false;
    }
    if (missing && !timed_out_) {
      if (first) {
        deadline_.arm(simulation, timeout, [this, step, retry = std::move(retry)]() mutable {
          if (step_ != step) return;
          timed_out_ = true;
          retry();
        });
      }
      return false;
    }
    deadline_.cancel(simulation);
    stats.agent_wait += now - since_;
    step_ = -1;
    return true;
  }
  // The agent crashed: its wait ends (and is counted), its deadline goes.
  void abandon(Simulation& simulation, WaitingStats& stats) {
    deadline_.cancel(simulation);
    if (step_ >= 0) stats.agent_wait += simulation.now() - since_;
    step_ = -1;
    timed_out_ = false;
  }

 private:
  std::int64_t step_ = -1;  // the step being waited for; -1: none
  SimTime since_;
  bool timed_out_ = false;
  RoundDeadline deadline_;
};

}  // namespace cdsim
