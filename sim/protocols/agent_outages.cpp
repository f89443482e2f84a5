#include "sim/protocols/agent_outages.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cdsim {

AgentOutages::AgentOutages(const std::vector<AgentStateChange>& changes, std::size_t agents)
    : changes_(changes), down_(agents, 0), life_(agents, 0), steps_(agents, 0) {
  for (std::size_t j = 0; j < agents; ++j) up_steps_.insert(0);
  for (const AgentStateChange& change : changes_) {
    if (change.agent.value >= agents) {
      throw std::logic_error("AgentOutages: a change for agent " + std::to_string(change.agent.value) + " of " +
                             std::to_string(agents));
    }
  }
}

void AgentOutages::schedule(Simulation& simulation, Handler handler) {
  handler_ = std::move(handler);
  for (const AgentStateChange& change : changes_) {
    // Those due now apply at once, before the protocol's agents begin.
    if (change.at <= simulation.now()) {
      apply(change);
      continue;
    }
    simulation.schedule_at(change.at, [this, change] { apply(change); });
  }
}

void AgentOutages::apply(const AgentStateChange& change) {
  const std::size_t j = change.agent.value;
  if (up(j) == change.up) return;
  down_[j] = change.up ? 0 : 1;
  const auto position = std::lower_bound(crashed_.begin(), crashed_.end(), j);
  if (change.up) {
    crashed_.erase(position);
    up_steps_.insert(steps_[j]);
  } else {
    ++life_[j];
    crashed_.insert(position, j);
    up_steps_.erase(up_steps_.find(steps_[j]));
  }
  if (handler_) handler_(j, change.up);
}

void AgentOutages::finished(std::size_t agent, std::int64_t step, const StepFinisher& finish) {
  up_steps_.erase(up_steps_.find(steps_[agent]));
  steps_[agent] = step;
  up_steps_.insert(step);
  if (!crashed_.empty()) catch_up(finish);
}

void AgentOutages::catch_up(const StepFinisher& finish) {
  if (up_steps_.empty()) return;
  const std::int64_t slowest = *up_steps_.begin();
  // A copy: `finish` may run protocol code, but never crashes or recovers anyone.
  const std::vector<std::size_t> crashed = crashed_;
  for (std::size_t c : crashed) {
    while (steps_[c] < slowest) finish(c, ++steps_[c]);
  }
}

}  // namespace cdsim
