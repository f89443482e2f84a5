#include "sim/simulation.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace cdsim {

Simulation::Simulation(std::uint64_t seed) : seed_(seed) {}

EventHandle Simulation::schedule_at(SimTime when, Callback callback) {
  if (when < now_) {
    throw std::logic_error("Simulation::schedule_at(" + to_string(when) + "): the time is in the past, now is " +
                           to_string(now_));
  }
  return queue_.push(when, std::move(callback));
}

EventHandle Simulation::schedule_after(SimTime delay, Callback callback) {
  if (delay < SimTime::zero()) {
    throw std::logic_error("Simulation::schedule_after(" + to_string(delay) + "): the delay is negative");
  }
  return queue_.push(now_ + delay, std::move(callback));
}

bool Simulation::cancel(EventHandle handle) { return queue_.cancel(handle); }

bool Simulation::step() {
  if (queue_.empty()) return false;
  EventQueue::Event event = queue_.pop();
  now_ = event.time;
  ++events_executed_;
  event.callback();
  return true;
}

void Simulation::run() {
  stop_requested_ = false;
  while (!stop_requested_ && !stop_flag_raised() && step()) {
  }
}

void Simulation::run_until(SimTime limit) {
  if (limit < now_) {
    throw std::logic_error("Simulation::run_until(" + to_string(limit) + "): the limit is in the past, now is " +
                           to_string(now_));
  }
  stop_requested_ = false;
  while (!stop_requested_ && !stop_flag_raised() && !queue_.empty() && queue_.peek_time() <= limit) step();
  if (!stop_requested_ && !stop_flag_raised()) now_ = limit;
}

}  // namespace cdsim
