// Collects the agents' parameters (unless the context's observe_parameters is false) at
// the steps that are to be observed and reports each such step once every agent has
// finished it, stamped with the time the last agent did and the network traffic so far. Which steps are observed: step 0, the last step, every
// observe_every_steps-th, and (when an interval is set) the first step that some agent
// finishes after each multiple of that simulated interval. Shared by every protocol.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <vector>

#include "sim/network.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/step_observer.h"
#include "sim/simulation.h"

namespace cdsim {

class StepRecorder {
 public:
  // Observes what the context asks for: every observe_every_steps-th step, the first step
  // after each observe_every_time, and every step's completion for on_step_complete.
  explicit StepRecorder(const ProtocolContext& context);

  // Decides, the first time a step is asked about, whether it is observed; later calls for
  // that step give the same answer. Steps must first be asked about in increasing order.
  bool is_observed(std::int64_t step);

  // Whether agent_finished for `step` reads the parameters it is given (an observed step
  // whose snapshots carry them); asks about the step as is_observed does.
  bool wants_parameters(std::int64_t step) { return observer_ && observe_parameters_ && is_observed(step); }

  // Reports a step at which every agent's parameters are known at once.
  void report(std::int64_t step, std::span<const std::vector<float>> parameters,
              std::span<const std::vector<float>> client_parameters = {}) const;

  // Agent `agent` has finished `step` with `parameters`; reports the step when it is the
  // last agent to do so. Ignores steps that are not observed.
  void agent_finished(std::size_t agent, std::int64_t step, const std::vector<float>& parameters);

  // Reports that every agent has finished `step`, for protocols that know it themselves.
  void all_finished(std::int64_t step) const;

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
  // Counts one agent's finish of `step`; true when it is the last agent to finish it.
  bool count_finished(std::int64_t step);

  StepObserver observer_;
  SimTime observe_every_time_;
  SimTime next_observation_time_;
  std::function<void(std::int64_t)> on_step_complete_;
  std::function<void(std::size_t, std::int64_t)> on_agent_finished_;
  bool observe_parameters_;
  std::int64_t decided_through_ = 0;            // steps <= this have been decided
  std::map<std::int64_t, bool> time_observed_;  // decided steps not yet reported as complete
  // finished_counts_[counts_head_ + k]: how many agents have finished step
  // first_unfinished_step_ + k (the steps before it are finished by every agent). A window
  // in a vector rather than a map or a deque: one array increment per agent step in a
  // million-agent replay, and no allocation once it has grown.
  std::vector<std::size_t> finished_counts_;
  std::size_t counts_head_ = 0;
  // Agents finish steps 1, 2, ... (step 0 is the start, which report() covers).
  std::int64_t first_unfinished_step_ = 1;
  std::map<std::int64_t, Pending> pending_;
};

}  // namespace cdsim
