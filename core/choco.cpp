#include "core/choco.h"

#include <cassert>

namespace cdsim {

void public_copy_difference(std::span<const float> parameters, std::span<const float> public_copy,
                            std::span<float> out) {
  assert(parameters.size() == public_copy.size() && out.size() == parameters.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = parameters[i] - public_copy[i];
}

void apply_public_update(std::span<float> public_copy, std::span<const float> update) {
  assert(public_copy.size() == update.size());
  for (std::size_t i = 0; i < public_copy.size(); ++i) public_copy[i] += update[i];
}

void choco_sgd_update(std::span<const WeightedParameters> public_copies, std::span<const float> own_public_copy,
                      std::span<const float> parameters, std::span<const float> gradient, double consensus_step,
                      double learning_rate, std::span<float> out) {
  assert(own_public_copy.size() == out.size() && parameters.size() == out.size() && gradient.size() == out.size());
  mix(public_copies, out);  // sum_l w_l x_hat_l
  const float gamma = static_cast<float>(consensus_step);
  const float alpha = static_cast<float>(learning_rate);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = parameters[i] + gamma * (out[i] - own_public_copy[i]) - alpha * gradient[i];
  }
}

}  // namespace cdsim
