// Test helpers: compare a model's analytic gradient with central finite differences,
// either of the model's own float32 loss or of an independent double-precision reference
// loss, on a set of coordinates, as a norm-wise relative error.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/model.h"
#include "core/rng.h"

namespace cdsim::testing {

struct GradientCheck {
  double relative_error = 0;  // ||g - fd|| / max(||g|| + ||fd||, tiny) over the checked coordinates
  double gradient_norm =
      0;  // ||g|| over the checked coordinates (to reject a trivially zero check)
  std::size_t checked = 0;
};

// `finite_difference(i)` gives the central difference along coordinate i.
template <typename FiniteDifference>
GradientCheck compare_with_finite_differences(const std::vector<float>& gradient,
                                              const std::vector<std::size_t>& coordinates,
                                              FiniteDifference&& finite_difference) {
  double diff_sq = 0, g_sq = 0, fd_sq = 0;
  for (std::size_t i : coordinates) {
    const double fd = finite_difference(i);
    diff_sq += (fd - gradient[i]) * (fd - gradient[i]);
    g_sq += static_cast<double>(gradient[i]) * gradient[i];
    fd_sq += fd * fd;
  }
  GradientCheck result;
  result.gradient_norm = std::sqrt(g_sq);
  result.relative_error = std::sqrt(diff_sq) / std::max(std::sqrt(g_sq) + std::sqrt(fd_sq), 1e-30);
  result.checked = coordinates.size();
  return result;
}

// Finite differences of the model's own loss with `step`, on all coordinates or on
// `max_coordinates` random ones. `dropout_seed` re-seeds the dropout stream for every loss
// evaluation, so all calls see the same mask.
inline GradientCheck check_gradient(Model& model, std::vector<float> parameters,
                                    const Dataset& data, const std::vector<std::size_t>& batch,
                                    double step, std::size_t max_coordinates,
                                    std::uint64_t dropout_seed = 5) {
  const std::size_t p = model.parameter_count();
  std::vector<float> gradient(p), scratch(p);
  auto loss_at = [&](const std::vector<float>& x, std::vector<float>& g) {
    Rng dropout(dropout_seed, 0, RngPurpose::kDropout);
    return model.loss_and_gradient(x, data, batch, g, dropout);
  };
  loss_at(parameters, gradient);
  std::vector<std::size_t> coordinates;
  if (p <= max_coordinates) {
    for (std::size_t i = 0; i < p; ++i) coordinates.push_back(i);
  } else {
    Rng pick(17, 0, RngPurpose::kSampling);
    for (std::size_t k = 0; k < max_coordinates; ++k) coordinates.push_back(pick.uniform_index(p));
  }
  return compare_with_finite_differences(gradient, coordinates, [&](std::size_t i) {
    const float saved = parameters[i];
    const auto up_value = static_cast<float>(saved + step),
               down_value = static_cast<float>(saved - step);
    parameters[i] = up_value;
    const double up = loss_at(parameters, scratch);
    parameters[i] = down_value;
    const double down = loss_at(parameters, scratch);
    parameters[i] = saved;
    return (up - down) / (static_cast<double>(up_value) - static_cast<double>(down_value));
  });
}

// -log softmax(logits)[label], for the double-precision reference models of the tests.
inline double reference_cross_entropy(const std::vector<double>& logits, std::int32_t label) {
  double sum_exp = 0;
  for (double z : logits) sum_exp += std::exp(z);
  return std::log(sum_exp) - logits[static_cast<std::size_t>(label)];
}

// Finite differences (step 1e-6) of an independent double-precision `reference_loss(x)`.
template <typename ReferenceLoss>
GradientCheck check_against_reference(ReferenceLoss&& reference_loss, std::vector<double> x,
                                      const std::vector<float>& gradient,
                                      const std::vector<std::size_t>& coordinates) {
  return compare_with_finite_differences(gradient, coordinates, [&](std::size_t i) {
    const double saved = x[i];
    x[i] = saved + 1e-6;
    const double up = reference_loss(x);
    x[i] = saved - 1e-6;
    const double down = reference_loss(x);
    x[i] = saved;
    return (up - down) / 2e-6;
  });
}

}  // namespace cdsim::testing
