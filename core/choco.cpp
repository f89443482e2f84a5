#include "core/choco.h"

#include <cassert>

namespace cdsim {

void public_copy_difference(std::span<const float> parameters, std::span<const float> public_copy,
                            std::span<float> out) {
  assert(parameters.size() == public_copy.size() && out.size() == parameters.size());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = parameters[i] - public_copy[i];
}

void advance_public_copy(std::span<const float> parameters, std::span<const float> difference,
                         std::span<const float> decoded, std::span<float> public_copy) {
  assert(difference.size() == parameters.size() && decoded.size() == parameters.size() &&
         public_copy.size() == parameters.size());
  for (std::size_t i = 0; i < public_copy.size(); ++i) public_copy[i] = parameters[i] - (difference[i] - decoded[i]);
}

void choco_sgd_update(std::span<const WeightedParameters> public_copies, std::span<const float> own_public_copy,
                      std::span<const float> parameters, std::span<const float> gradient, double consensus_step,
                      double learning_rate, std::span<float> out) {
  assert(own_public_copy.size() == out.size() && parameters.size() == out.size() && gradient.size() == out.size());
  cdsgd_update(public_copies, gradient, learning_rate, out, consensus_step);
  const float gamma = static_cast<float>(consensus_step);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] += parameters[i] - gamma * own_public_copy[i];
}

bool receive_public_copy(PublicCopyReplica& replica, std::int64_t step, bool whole) {
  if (whole) {
    if (step < replica.step) return false;
    replica.step = step;
    replica.stale = false;
    return true;
  }
  if (!replica.stale && step == replica.step + 1) {
    replica.step = step;
    return true;
  }
  replica.stale = true;
  return false;
}

}  // namespace cdsim
