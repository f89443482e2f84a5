// Asynchronous CDSGD: agents never wait for each other. Each agent loops: compute its
// gradient at its current x_j, then x_j <- sum_l Pi[j][l] x_l - alpha g_j with, for each
// neighbour l, the latest vector received from l (the common start until one arrives),
// send the new x_j to its neighbours and start the next step at once. Records how stale
// the neighbours' vectors were at each mix. Owns the agents' state. A crashed agent
// (ProtocolContext::agent_changes) drops its step in progress and sends nothing; its
// neighbours keep mixing the latest vector they have of it, and its step count follows
// the slowest up agent with x_j frozen; on recovery it resumes from that x_j.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/message.h"
#include "sim/protocols/agent_outages.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/step_recorder.h"

namespace cdsim {

// Over every (mix, neighbour) pair: staleness = the mixing agent's step - the step of the
// neighbour's vector it used (x_l(s) counts as step s; the start is step 0). A neighbour's
// vector from ahead of the mixing agent counts as staleness 0. Synchronous CDSGD is 0.
struct StalenessStats {
  std::uint64_t samples = 0;  // (mix, neighbour) pairs
  double mean = 0.0;
  std::int64_t max = 0;
};

class AsynchronousConsensus final : public Protocol {
 public:
  // Takes over the network's delivery handler. Supports the consensus weight omega
  // (omega Pi + (1 - omega) I); throws InvalidInput("/kind", "/consensus_steps",
  // "/consensus_weight", "/learning_rate") for settings it cannot run. On the wire x_j(k)
  // carries round k.
  explicit AsynchronousConsensus(ProtocolContext context);

  void start() override;
  // Steps completed by every agent.
  std::int64_t completed_steps() const override;
  // Steps agent j has completed; fast agents run ahead of slow ones.
  std::int64_t steps_taken(std::size_t agent) const { return agents_[agent].step; }
  const std::vector<float>& parameters(std::size_t agent) const { return agents_[agent].parameters; }
  const StalenessStats& staleness() const { return staleness_; }

 private:
  struct Agent {
    std::vector<float> parameters;  // x_j(step)
    std::vector<float> gradient;    // g_j at x_j(step)
    std::vector<float> scratch;
    std::vector<std::size_t> neighbors;  // mixing-row columns other than j, ascending
    std::vector<std::shared_ptr<const std::vector<float>>> latest;  // by neighbour
    std::vector<std::int64_t> latest_step;                          // the step of each
    std::int64_t step = 0;
  };
  void begin_step(std::size_t agent);
  void finish_step(std::size_t agent);
  void deliver(Message&& message);
  void crash(std::size_t agent);
  void crashed_step(std::size_t agent, std::int64_t step);

  ProtocolContext context_;
  MixingMatrix mixing_;  // omega-blended copy of the scenario's matrix
  std::vector<Agent> agents_;
  StalenessStats staleness_;
  double staleness_sum_ = 0.0;
  StepRecorder recorder_;
  AgentOutages outages_;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
