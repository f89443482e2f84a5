// Collects the agents' parameters at the steps that are to be observed and reports each
// such step once every agent has finished it, stamped with the time the last agent did and
// the network traffic so far. Shared by every protocol.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "sim/network.h"
#include "sim/protocols/step_observer.h"
#include "sim/simulation.h"

namespace cdsim {

class StepRecorder {
 public:
  StepRecorder(const Simulation& simulation, const Network& network, std::size_t agents,
               std::int64_t total_steps, std::int64_t observe_every_steps, StepObserver observer);

  // Step 0 and the last step are always observed, and every observe_every_steps-th.
  bool is_observed(std::int64_t step) const;

  // Reports a step at which every agent's parameters are known at once.
  void report(std::int64_t step, std::span<const std::vector<float>> parameters) const;

  // Agent `agent` has finished `step` with `parameters`; reports the step when it is the
  // last agent to do so. Ignores steps that are not observed.
  void agent_finished(std::size_t agent, std::int64_t step, const std::vector<float>& parameters);

 private:
  struct Pending {
    std::vector<std::vector<float>> parameters;
    std::size_t agents_done = 0;
  };
  const Simulation& simulation_;
  const Network& network_;
  std::size_t agents_;
  std::int64_t total_steps_;
  std::int64_t observe_every_steps_;
  StepObserver observer_;
  std::map<std::int64_t, Pending> pending_;
};

}  // namespace cdsim
