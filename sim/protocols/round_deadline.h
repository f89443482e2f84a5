// The deadline of a server's round (algorithm.timeout), shared by FedAvg and the parameter
// server: one pending event that closes the round `timeout` after it opened. It is
// inclusive, as synchronous consensus's timeout: at the deadline it steps aside once,
// behind every event already due at that instant, so an answer arriving exactly then
// still counts. What closing means (and whether the round is still open) is the caller's.
#pragma once

#include <utility>

#include "sim/simulation.h"
#include "sim/time.h"

namespace cdsim {

class RoundDeadline {
 public:
  // Runs `on_expiry` at now + timeout, after the events already due then; nothing when
  // timeout <= 0. The simulation must outlive the pending event.
  template <typename OnExpiry>
  void arm(Simulation& simulation, SimTime timeout, OnExpiry on_expiry) {
    if (timeout <= SimTime::zero()) return;
    event_ = simulation.schedule_after(timeout, [this, &simulation, on_expiry = std::move(on_expiry)]() mutable {
      event_ = simulation.schedule_at(simulation.now(), std::move(on_expiry));
    });
  }
  // The round closed before its deadline (or at it): the pending event, if any, goes.
  void cancel(Simulation& simulation) {
    simulation.cancel(event_);
    event_ = EventHandle{};
  }

 private:
  EventHandle event_;
};

}  // namespace cdsim
