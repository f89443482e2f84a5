// A local optimizer with per-agent state (the momentum buffer and the step count),
// applying one update to a flat parameter vector given a gradient. Updates are
// element-wise in float32, in index order, so they are deterministic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/optimizer_spec.h"

namespace cdsim {

// Throws InvalidInput("/kind", "/learning_rate", "/momentum", "/weight_decay",
// "/schedule/...") for a bad spec.
void validate(const OptimizerSpec& spec);

// alpha_k = learning_rate * step_size(schedule, k)
double learning_rate_at(const OptimizerSpec& spec, std::int64_t step);

// Forms, with alpha_k = learning_rate * step_size(schedule, k) and g = gradient +
// weight_decay * x (L2 on every parameter, biases included):
//   sgd:      x <- x - alpha_k g
//   momentum: v <- mu v - alpha_k g;  x <- x + v
//   nesterov: v <- mu v - alpha_k g;  x <- x + mu v - alpha_k g   (Keras' SGD(nesterov=True))
class Optimizer {
 public:
  Optimizer(OptimizerSpec spec, std::size_t parameter_count);

  // One update of `parameters` with `gradient` (both of size parameter_count()), at the
  // current step count, which then advances by one.
  void step(std::span<float> parameters, std::span<const float> gradient);

  std::int64_t steps_taken() const { return steps_; }
  double current_learning_rate() const { return learning_rate_at(spec_, steps_); }
  // The momentum buffer v (zeros for sgd; starts at zero).
  std::span<const float> velocity() const { return velocity_; }
  std::size_t parameter_count() const { return parameter_count_; }
  const OptimizerSpec& spec() const { return spec_; }

 private:
  OptimizerSpec spec_;
  std::size_t parameter_count_;
  std::vector<float> velocity_;
  std::int64_t steps_ = 0;
};

}  // namespace cdsim
