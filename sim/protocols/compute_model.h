// How long each agent's step takes in simulated time. Deterministic: each agent draws its
// speed and its stragglers from its own seeded stream, so the times do not depend on the
// order in which agents ask.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "core/rng.h"
#include "sim/protocols/compute_spec.h"
#include "sim/time.h"

namespace cdsim {

class ComputeModel {
 public:
  // `flops_per_sample` and `batch_size` matter only when spec.flops_per_second > 0.
  ComputeModel(const ComputeSpec& spec, std::size_t agents, double flops_per_sample,
               std::size_t batch_size, std::uint64_t seed);

  // Simulated time of the agent's next step of `samples` samples (the batch size by default).
  SimTime next_step_time(std::size_t agent);
  SimTime next_step_time(std::size_t agent, std::size_t samples);

  // Called by next_step_time with the agent and the time it returns, i.e. at the start of
  // that compute; for traces (the model does not know the clock).
  using Observer = std::function<void(std::size_t agent, SimTime duration)>;
  void set_observer(Observer observer) { observer_ = std::move(observer); }

  // The agent's nominal time for one batch (no straggling).
  SimTime nominal_step_time(std::size_t agent) const;
  double speed_multiplier(std::size_t agent) const { return speed_multipliers_[agent]; }

 private:
  ComputeSpec spec_;
  double flops_per_sample_;
  std::size_t batch_size_;
  std::vector<double> speed_multipliers_;
  std::vector<Rng> straggler_rngs_;
  Observer observer_;
};

}  // namespace cdsim
