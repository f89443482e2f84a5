// Which agents are crashed, for the protocols: the run's crash and recover events
// (ProtocolContext::agent_changes, the same list FaultyNetwork applies to messages),
// scheduled on the simulation, with a life counter per agent that every crash bumps, so
// that an event an agent scheduled before it crashed (a compute finishing, a model to
// send) can tell that it belongs to a past life and do nothing. A crash of a crashed
// agent and a recovery of an up agent change nothing.
//
// For protocols whose agents count steps it also keeps every agent's count: a crashed
// agent's count follows the slowest up agent (those steps finish with its parameters
// frozen, so a step is still complete when every up agent has finished it), and a
// recovered agent resumes at its count. Following the slowest, not the furthest, keeps a
// recovered agent where its waiting neighbours are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "sim/faulty_network.h"
#include "sim/simulation.h"

namespace cdsim {

class AgentOutages {
 public:
  using Handler = std::function<void(std::size_t agent, bool up)>;

  AgentOutages(const std::vector<AgentStateChange>& changes, std::size_t agents);

  // Schedules the changes; `handler` runs after each one that changes an agent's state.
  // Changes due now (at time 0) apply at once. Call once, from the protocol's start(),
  // before its agents begin (and begin only the up ones).
  void schedule(Simulation& simulation, Handler handler);

  bool any() const { return !changes_.empty(); }
  bool up(std::size_t agent) const { return down_[agent] == 0; }
  std::uint32_t life(std::size_t agent) const { return life_[agent]; }
  // The crashed agents, ascending.
  const std::vector<std::size_t>& crashed() const { return crashed_; }

  using StepFinisher = std::function<void(std::size_t agent, std::int64_t step)>;
  // Up agent `agent` has finished `step` (its count becomes `step`); then every crashed
  // agent behind the slowest up agent finishes the steps up to it through `finish`, in
  // ascending agent and step order.
  void finished(std::size_t agent, std::int64_t step, const StepFinisher& finish);
  // Brings the crashed agents up to the slowest up agent (after a crash), as finished() does.
  void catch_up(const StepFinisher& finish);
  // The agent's step count.
  std::int64_t steps(std::size_t agent) const { return steps_[agent]; }

 private:
  void apply(const AgentStateChange& change);

  std::vector<AgentStateChange> changes_;
  std::vector<std::uint8_t> down_;
  std::vector<std::uint32_t> life_;
  std::vector<std::size_t> crashed_;
  std::vector<std::int64_t> steps_;
  std::multiset<std::int64_t> up_steps_;  // the up agents' counts
  Handler handler_;
};

}  // namespace cdsim
