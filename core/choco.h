// The update rules of CHOCO-SGD (Koloskova, Stich and Jaggi 2019) as pure functions on
// flat vectors. Every agent j keeps public copies x_hat_l of itself and of its neighbours,
// which all of them can rebuild from the compressed differences q_l = Q(x_l - x_hat_l)
// they exchange; it mixes the public copies with a consensus step size gamma. No notion of
// who sent what: the caller passes the inputs in the mixing row's fixed order.
#pragma once

#include <cstdint>
#include <span>

#include "core/consensus.h"

namespace cdsim {

// out = x - x_hat: the difference an agent compresses and sends.
void public_copy_difference(std::span<const float> parameters, std::span<const float> public_copy,
                            std::span<float> out);

// The public copy after q = Q(d) went out for d = x - x_hat:
//   x_hat <- x - (d - q),
// the parameters less what the compression lost, which is x_hat + q in exact arithmetic
// and, in float, exactly x wherever q lost nothing (d - q = 0). So with the identity
// compressor the public copies are the parameters themselves, bit for bit, as CHOCO-SGD
// with Q = I is meant to have. Every holder of the copy must take this one value (the
// simulator hands the sender's copy to its neighbours with q's encoding on the wire).
void advance_public_copy(std::span<const float> parameters, std::span<const float> difference,
                         std::span<const float> decoded, std::span<float> public_copy);

// One CHOCO-SGD step with the gradient taken at the agent's current x (as in CDSGD, so the
// exchange can overlap the gradient's computation):
//   x + gamma sum_l w_l (x_hat_l - x_hat_j) - learning_rate g        (the w_l sum to 1)
//   = [sum_l (gamma w_l) x_hat_l - learning_rate g] + (x - gamma x_hat_j),
// computed in the second form: CDSGD's step (core/consensus.h, the same operations in the
// same order) on the public copies with weights gamma w_l, plus the agent's own correction.
// `public_copies` holds the row's weights with x_hat_l (j's own included) after this step's
// updates, and `own_public_copy` is x_hat_j. With the identity compressor (x_hat = x) and
// gamma = 1 the correction is exactly zero and the result is CDSGD's, bit for bit.
// `out` may not alias an input.
void choco_sgd_update(std::span<const WeightedParameters> public_copies, std::span<const float> own_public_copy,
                      std::span<const float> parameters, std::span<const float> gradient, double consensus_step,
                      double learning_rate, std::span<float> out);

// Under faults a receiver's copy of a neighbour's public copy can miss an update q_l: it
// then no longer equals the sender's x_hat_l, and every later q_l (a difference from the
// sender's copy) would leave it wrong for good. The receiver tracks the step of the last
// update it applied and whether it missed one (stale); a stale copy is not mixed (its
// weight goes to the receiver itself) until a whole copy of x_hat_l comes, which the
// receiver asks for by flagging its own messages to l. Updates come in step order.
struct PublicCopyReplica {
  std::int64_t step = -1;  // the step whose update the copy holds; -1: x_hat(0) = 0, known to both
  bool stale = false;      // an update was missed since: the copy is wrong until a whole copy
};

// The receiver gets the sender's message of `step`: an update q (whole = false) or the
// whole public copy (whole = true). Returns whether the receiver's copy becomes the value
// the message stands for (x_hat_l after `step`'s update). An update is taken only as the
// next one in sequence on a copy that is not stale; any other update (a gap, or a step sent
// twice) makes the copy stale. A whole copy of a step no older than the copy's is taken
// and ends the staleness; an older one is ignored.
bool receive_public_copy(PublicCopyReplica& replica, std::int64_t step, bool whole);

// Whether the copy holds x_hat_l after step `step`'s update and may be mixed at that step.
inline bool usable_at(const PublicCopyReplica& replica, std::int64_t step) {
  return !replica.stale && replica.step == step;
}

}  // namespace cdsim
