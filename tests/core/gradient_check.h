// Test helper: compares a model's analytic gradient with central finite differences of
// its loss, on a random subset of coordinates, as a norm-wise relative error.
#pragma once

#include "core/model.h"
#include "core/rng.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace cdsim::testing {

struct GradientCheck {
  double relative_error = 0;   // ||g - fd|| / max(||g|| + ||fd||, tiny) over the checked coordinates
  double gradient_norm = 0;    // ||g|| over the checked coordinates (to reject a trivially zero check)
  std::size_t checked = 0;
};

// `dropout_seed` re-seeds the dropout stream for every loss evaluation, so all calls see
// the same mask.
inline GradientCheck check_gradient(Model& model, std::vector<float> parameters, const Dataset& data,
                                    const std::vector<std::size_t>& batch, double step, std::size_t max_coordinates,
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
  double diff_sq = 0, g_sq = 0, fd_sq = 0;
  for (std::size_t i : coordinates) {
    const float saved = parameters[i];
    parameters[i] = static_cast<float>(saved + step);
    const double up = loss_at(parameters, scratch);
    parameters[i] = static_cast<float>(saved - step);
    const double down = loss_at(parameters, scratch);
    const double actual_step = static_cast<double>(static_cast<float>(saved + step)) -
                               static_cast<double>(static_cast<float>(saved - step));
    parameters[i] = saved;
    const double fd = (up - down) / actual_step;
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

}  // namespace cdsim::testing
