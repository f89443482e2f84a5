#include "sim/simulation.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace cdsim {

Simulation::Simulation(std::uint64_t seed) : seed_(seed) {}

void Simulation::throw_in_the_past(SimTime when) const {
  throw std::logic_error("Simulation::schedule_at(" + to_string(when) + "): the time is in the past, now is " +
                         to_string(now_));
}

void Simulation::throw_negative_delay(SimTime delay) {
  throw std::logic_error("Simulation::schedule_after(" + to_string(delay) + "): the delay is negative");
}

bool Simulation::cancel(EventHandle handle) { return queue_.cancel(handle); }

bool Simulation::step() {
  if (queue_.empty()) return false;
  queue_.run_front([this](SimTime time) {
    now_ = time;
    ++events_executed_;
  });
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
