#include "core/softmax_cross_entropy.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace cdsim {

CrossEntropySums softmax_cross_entropy(const float* logits, std::size_t rows, std::size_t classes,
                                       std::size_t stride, std::span<const std::int32_t> labels,
                                       float* gradient, float scale) {
  CrossEntropySums sums;
  for (std::size_t r = 0; r < rows; ++r) {
    const float* z = logits + r * stride;
    const auto label = static_cast<std::size_t>(labels[r]);
    if (labels[r] < 0 || label >= classes)
      throw std::out_of_range("label " + std::to_string(labels[r]) + " outside [0, " +
                              std::to_string(classes) + ")");
    std::size_t best = 0;
    for (std::size_t c = 1; c < classes; ++c)
      if (z[c] > z[best]) best = c;
    const float max_logit = z[best];
    double sum_exp = 0;
    for (std::size_t c = 0; c < classes; ++c)
      sum_exp += std::exp(static_cast<double>(z[c] - max_logit));
    const double log_sum_exp = static_cast<double>(max_logit) + std::log(sum_exp);
    sums.loss_sum += log_sum_exp - static_cast<double>(z[label]);
    sums.correct += best == label;
    if (gradient != nullptr) {
      float* g = gradient + r * stride;
      for (std::size_t c = 0; c < classes; ++c) {
        const double p = std::exp(static_cast<double>(z[c]) - log_sum_exp);
        g[c] = static_cast<float>(scale * (p - (c == label ? 1.0 : 0.0)));
      }
    }
  }
  return sums;
}

}  // namespace cdsim
