// One simulation: its clock, its pending events and the seed of its random streams. An
// ordinary value (no globals), so several can live side by side; components hold a
// Simulation& and schedule their work on it. Single-threaded: events run one at a time in
// (time, scheduling order), so a run is a pure function of its inputs and seed.
#pragma once

#include <csignal>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "core/rng.h"
#include "sim/event_callback.h"
#include "sim/event_queue.h"
#include "sim/time.h"

namespace cdsim {

class Simulation {
 public:
  // The action of an event: any void() callable whose captures fit in 56 bytes.
  using Callback = EventCallback;

  explicit Simulation(std::uint64_t seed);
  // Components keep references to their Simulation: it neither copies nor moves.
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // The time of the event being run, or of the last one run (zero before the first).
  SimTime now() const { return now_; }

  // Schedules `callback` (a Callback, or any callable one can hold, which is then built in
  // the queue's slot directly) at absolute time `when`; throws std::logic_error if
  // when < now().
  template <typename Function>
  EventHandle schedule_at(SimTime when, Function&& callback) {
    if (when < now_) throw_in_the_past(when);
    return queue_.emplace(when, std::forward<Function>(callback));
  }
  // Schedules `callback` at now() + delay; throws std::logic_error if delay < 0 and
  // std::overflow_error if the sum leaves SimTime's range.
  template <typename Function>
  EventHandle schedule_after(SimTime delay, Function&& callback) {
    if (delay < SimTime::zero()) throw_negative_delay(delay);
    return queue_.emplace(now_ + delay, std::forward<Function>(callback));
  }
  // Removes a pending event. False (a no-op) if it already ran or was cancelled.
  bool cancel(EventHandle handle);
  bool is_pending(EventHandle handle) const { return queue_.is_pending(handle); }

  // Runs the earliest pending event, advancing the clock to its time. False if none.
  // An exception thrown by the callback propagates; the event is consumed.
  bool step();
  // Runs events until none is left or stop() is called.
  void run();
  // Runs the events due at or before `limit`, then sets the clock to `limit` (unless
  // stop() ended the run early, which leaves the clock at the last event). Throws
  // std::logic_error if limit < now().
  void run_until(SimTime limit);
  // Called from inside a callback: run() / run_until() return once the current event is
  // done. Pending events stay queued; a later run() resumes with them.
  void stop() { stop_requested_ = true; }
  // A flag set from outside the simulation, such as by a signal handler: while it is
  // nonzero, run() and run_until() return at the next event boundary (before the next
  // event). nullptr (the default) for none; the flag must outlive its use here.
  void stop_when(const volatile std::sig_atomic_t* flag) { external_stop_ = flag; }
  bool stop_flag_raised() const { return external_stop_ != nullptr && *external_stop_ != 0; }

  // Events run so far (an event counts from the moment it starts).
  std::uint64_t events_executed() const { return events_executed_; }
  std::size_t pending_events() const { return queue_.size(); }

  std::uint64_t seed() const { return seed_; }
  // A random stream derived from (seed, stream, purpose); the same arguments always give
  // the same draws, independently of other streams and of the events run so far.
  Rng rng(std::uint64_t stream, RngPurpose purpose) const { return Rng(seed_, stream, purpose); }

 private:
  [[noreturn]] void throw_in_the_past(SimTime when) const;
  [[noreturn]] static void throw_negative_delay(SimTime delay);
  EventQueue queue_;
  SimTime now_ = SimTime::zero();
  std::uint64_t seed_;
  std::uint64_t events_executed_ = 0;
  bool stop_requested_ = false;
  const volatile std::sig_atomic_t* external_stop_ = nullptr;
};

}  // namespace cdsim
