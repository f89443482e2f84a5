#include "sim/protocols/compute_model.h"

#include <cmath>

namespace cdsim {

namespace {
// Stream ids for the heterogeneity purpose: speeds and stragglers never share draws.
constexpr std::uint64_t kStragglerStreamOffset = 1ULL << 32;
}  // namespace

ComputeModel::ComputeModel(const ComputeSpec& spec, std::size_t agents, double flops_per_sample,
                           std::size_t batch_size, std::uint64_t seed)
    : spec_(spec), flops_per_sample_(flops_per_sample), batch_size_(batch_size) {
  for (std::size_t j = 0; j < agents; ++j) {
    double multiplier = 1.0;
    if (spec_.speed_spread > 0.0) {
      Rng speed_rng(seed, j, RngPurpose::kHeterogeneity);
      multiplier = std::exp(spec_.speed_spread * speed_rng.normal());
    }
    speed_multipliers_.push_back(multiplier);
    straggler_rngs_.emplace_back(seed, kStragglerStreamOffset + j, RngPurpose::kHeterogeneity);
  }
}

SimTime ComputeModel::nominal_step_time(std::size_t agent) const {
  if (spec_.flops_per_second <= 0.0) {
    if (speed_multipliers_[agent] == 1.0) return spec_.step_time;
    return SimTime::from_seconds(spec_.step_time.seconds() / speed_multipliers_[agent]);
  }
  const double seconds = flops_per_sample_ * static_cast<double>(batch_size_) /
                         (spec_.flops_per_second * speed_multipliers_[agent]);
  return SimTime::from_seconds(seconds);
}

SimTime ComputeModel::next_step_time(std::size_t agent) { return next_step_time(agent, batch_size_); }

SimTime ComputeModel::next_step_time(std::size_t agent, std::size_t samples) {
  SimTime time = nominal_step_time(agent);
  if (samples != batch_size_ && batch_size_ > 0 && spec_.flops_per_second > 0.0) {
    time = SimTime::from_seconds(time.seconds() * static_cast<double>(samples) / static_cast<double>(batch_size_));
  }
  if (spec_.straggler_probability > 0.0 && straggler_rngs_[agent].uniform01() < spec_.straggler_probability) {
    time = SimTime::from_seconds(time.seconds() * spec_.straggler_slowdown);
  }
  if (observer_) observer_(agent, time);
  return time;
}

}  // namespace cdsim
