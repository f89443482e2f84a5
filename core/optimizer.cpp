#include "core/optimizer.h"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "core/invalid_input.h"

namespace cdsim {

void validate(const OptimizerSpec& spec) {
  if (spec.kind != "sgd" && spec.kind != "momentum" && spec.kind != "nesterov")
    throw InvalidInput(
        "/kind", "unknown optimizer \"" + spec.kind + "\"; expected sgd, momentum or nesterov");
  if (!(spec.learning_rate > 0.0) || !std::isfinite(spec.learning_rate))
    throw InvalidInput("/learning_rate", "learning_rate must be a finite number > 0");
  if (!(spec.momentum >= 0.0 && spec.momentum < 1.0))
    throw InvalidInput("/momentum", "momentum must be in [0, 1)");
  if (!(spec.weight_decay >= 0.0) || !std::isfinite(spec.weight_decay))
    throw InvalidInput("/weight_decay", "weight_decay must be a finite number >= 0");
  try {
    validate(spec.schedule);
  } catch (const InvalidInput& e) {
    throw e.within("/schedule");
  }
}

double learning_rate_at(const OptimizerSpec& spec, std::int64_t step) {
  return spec.learning_rate * step_size(spec.schedule, step);
}

Optimizer::Optimizer(OptimizerSpec spec, std::size_t parameter_count)
    : spec_(std::move(spec)), parameter_count_(parameter_count) {
  validate(spec_);
  if (spec_.kind != "sgd") velocity_.assign(parameter_count_, 0.0f);
}

void Optimizer::step(std::span<float> parameters, std::span<const float> gradient) {
  if (parameters.size() != parameter_count_ || gradient.size() != parameter_count_)
    throw std::invalid_argument("Optimizer::step: parameter or gradient span has the wrong size");
  const auto alpha = static_cast<float>(learning_rate_at(spec_, steps_));
  const auto mu = static_cast<float>(spec_.momentum);
  const auto lambda = static_cast<float>(spec_.weight_decay);
  float* x = parameters.data();
  const float* g = gradient.data();
  const std::size_t n = parameter_count_;
  if (spec_.kind == "sgd") {
    for (std::size_t i = 0; i < n; ++i) x[i] -= alpha * (g[i] + lambda * x[i]);
  } else {
    float* v = velocity_.data();
    const bool nesterov = spec_.kind == "nesterov";
    for (std::size_t i = 0; i < n; ++i) {
      const float step = alpha * (g[i] + lambda * x[i]);
      v[i] = mu * v[i] - step;
      x[i] += nesterov ? mu * v[i] - step : v[i];
    }
  }
  ++steps_;
}

}  // namespace cdsim
