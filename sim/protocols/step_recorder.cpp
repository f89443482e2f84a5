#include "sim/protocols/step_recorder.h"

#include <algorithm>

namespace cdsim {

StepRecorder::StepRecorder(const Simulation& simulation, const Network& network, std::size_t agents,
                           std::int64_t total_steps, std::int64_t observe_every_steps, StepObserver observer)
    : simulation_(simulation),
      network_(network),
      agents_(agents),
      total_steps_(total_steps),
      observe_every_steps_(std::max<std::int64_t>(1, observe_every_steps)),
      observer_(std::move(observer)) {}

bool StepRecorder::is_observed(std::int64_t step) const {
  return step == 0 || step == total_steps_ || step % observe_every_steps_ == 0;
}

void StepRecorder::report(std::int64_t step, std::span<const std::vector<float>> parameters) const {
  if (!observer_) return;
  const NetworkStats& stats = network_.stats();
  observer_(StepSnapshot{step, simulation_.now(), stats.bytes_sent, stats.messages_sent, parameters});
}

void StepRecorder::agent_finished(std::size_t agent, std::int64_t step, const std::vector<float>& parameters) {
  if (!observer_ || !is_observed(step)) return;
  Pending& pending = pending_[step];
  if (pending.parameters.empty()) pending.parameters.resize(agents_);
  pending.parameters[agent] = parameters;
  if (++pending.agents_done < agents_) return;
  report(step, pending.parameters);
  pending_.erase(step);
}

}  // namespace cdsim
