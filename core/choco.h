// The update rules of CHOCO-SGD (Koloskova, Stich and Jaggi 2019) as pure functions on
// flat vectors. Every agent j keeps public copies x_hat_l of itself and of its neighbours,
// which all of them can rebuild from the compressed differences q_l = Q(x_l - x_hat_l)
// they exchange; it mixes the public copies with a consensus step size gamma. No notion of
// who sent what: the caller passes the inputs in the mixing row's fixed order.
#pragma once

#include <span>

#include "core/consensus.h"

namespace cdsim {

// out = x - x_hat: the difference an agent compresses and sends.
void public_copy_difference(std::span<const float> parameters, std::span<const float> public_copy,
                            std::span<float> out);

// x_hat <- x_hat + q, done by the sender for its own copy and by every receiver.
void apply_public_update(std::span<float> public_copy, std::span<const float> update);

// One CHOCO-SGD step with the gradient taken at the agent's current x (as in CDSGD, so the
// exchange can overlap the gradient's computation):
//   out = x + gamma (sum_l w_l x_hat_l - x_hat_j) - learning_rate g
//       = x + gamma sum_l w_l (x_hat_l - x_hat_j) - learning_rate g   (the w_l sum to 1),
// where `public_copies` holds the row's weights with x_hat_l (j's own included) after this
// step's updates, and `own_public_copy` is x_hat_j. With the identity compressor x_hat = x,
// and gamma = 1 gives CDSGD's sum_l w_l x_l - learning_rate g. `out` may not alias an input.
void choco_sgd_update(std::span<const WeightedParameters> public_copies, std::span<const float> own_public_copy,
                      std::span<const float> parameters, std::span<const float> gradient, double consensus_step,
                      double learning_rate, std::span<float> out);

}  // namespace cdsim
