// Softmax with cross-entropy on a block of logits, computed stably through log-sum-exp
// (max subtracted first), shared by the classification models. Optionally writes the
// gradient of (scale * summed loss) with respect to the logits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace cdsim {

struct CrossEntropySums {
  double loss_sum = 0;      // sum over rows of -log softmax(z)_label
  std::size_t correct = 0;  // rows whose first largest logit is the label
};

// `logits` and `gradient` are row-major rows x classes with row stride `stride`;
// `gradient` may be null (evaluation) or equal to `logits` (computed in place).
// Throws std::out_of_range on a label outside [0, classes).
CrossEntropySums softmax_cross_entropy(const float* logits, std::size_t rows, std::size_t classes,
                                       std::size_t stride, std::span<const std::int32_t> labels,
                                       float* gradient, float scale);

}  // namespace cdsim
