#include "sim/protocols/step_recorder.h"

#include <algorithm>

namespace cdsim {

StepRecorder::StepRecorder(const ProtocolContext& context)
    : simulation_(context.simulation),
      network_(context.network),
      agents_(context.learners.size()),
      total_steps_(context.total_steps),
      observe_every_steps_(std::max<std::int64_t>(1, context.observe_every_steps)),
      observer_(context.observer),
      observe_every_time_(context.observe_every_time),
      next_observation_time_(context.observe_every_time),
      on_step_complete_(context.on_step_complete),
      on_agent_finished_(context.on_agent_finished),
      observe_parameters_(context.observe_parameters) {}

bool StepRecorder::is_observed(std::int64_t step) {
  const bool by_count = step == 0 || step == total_steps_ || step % observe_every_steps_ == 0;
  if (observe_every_time_ <= SimTime::zero()) return by_count;
  if (step <= decided_through_) {
    const auto decided = time_observed_.find(step);
    return by_count || (decided != time_observed_.end() && decided->second);
  }
  // The first agent to finish step-1 (and so to start `step`) decides for everyone.
  decided_through_ = step;
  bool by_time = false;
  if (simulation_.now() >= next_observation_time_) {
    by_time = true;
    while (next_observation_time_ <= simulation_.now()) next_observation_time_ += observe_every_time_;
  }
  time_observed_[step] = by_time;
  return by_count || by_time;
}

void StepRecorder::all_finished(std::int64_t step) const {
  if (on_step_complete_) on_step_complete_(step);
}

void StepRecorder::report(std::int64_t step, std::span<const std::vector<float>> parameters,
                          std::span<const std::vector<float>> client_parameters) const {
  if (!observer_) return;
  const NetworkStats& stats = network_.stats();
  const std::span<const std::vector<float>> carried = observe_parameters_ ? parameters : std::span<const std::vector<float>>();
  const std::span<const std::vector<float>> clients =
      observe_parameters_ ? client_parameters : std::span<const std::vector<float>>();
  observer_(StepSnapshot{step, simulation_.now(), stats.bytes_sent, stats.messages_sent, carried, clients});
}

bool StepRecorder::count_finished(std::int64_t step) {
  if (step < first_unfinished_step_) return false;  // every agent had finished it already
  const std::size_t index = counts_head_ + static_cast<std::size_t>(step - first_unfinished_step_);
  if (index >= finished_counts_.size()) finished_counts_.resize(index + 1, 0);
  const bool last = ++finished_counts_[index] == agents_;
  // Steps need not complete in order (an agent can finish step 2 before another finishes
  // step 1 only in protocols whose agents drift): the window moves past the front only.
  while (counts_head_ < finished_counts_.size() && finished_counts_[counts_head_] == agents_) {
    ++counts_head_;
    ++first_unfinished_step_;
  }
  if (counts_head_ == finished_counts_.size()) {
    finished_counts_.clear();
    counts_head_ = 0;
  } else if (2 * counts_head_ >= finished_counts_.size()) {
    finished_counts_.erase(finished_counts_.begin(), finished_counts_.begin() + static_cast<std::ptrdiff_t>(counts_head_));
    counts_head_ = 0;
  }
  return last;
}

void StepRecorder::agent_finished(std::size_t agent, std::int64_t step, const std::vector<float>& parameters) {
  if (on_agent_finished_) on_agent_finished_(agent, step);
  const bool observed = is_observed(step);
  const bool last = count_finished(step);
  if (last) time_observed_.erase(step);
  if (observer_ && observed) {
    Pending& pending = pending_[step];
    if (observe_parameters_) {
      if (pending.parameters.empty()) pending.parameters.resize(agents_);
      pending.parameters[agent] = parameters;
    }
    if (++pending.agents_done == agents_) {
      report(step, pending.parameters);
      pending_.erase(step);
    }
  }
  if (last && on_step_complete_) on_step_complete_(step);
}

}  // namespace cdsim
