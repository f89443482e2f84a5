// Linear regression with squared error: loss = 0.5 * mean over the batch of
// (x.w + b - y)^2. Parameters are laid out as [w (d), b].
#pragma once

#include "core/model.h"

namespace cdsim {

class LinearRegression final : public Model {
 public:
  LinearRegression(std::size_t dimension, std::string init);

  std::size_t parameter_count() const override { return dimension_ + 1; }
  double flops_per_sample() const override;
  void initialize(std::span<float> parameters, Rng& rng) const override;
  double loss_and_gradient(std::span<const float> parameters, const Dataset& data,
                           std::span<const std::size_t> batch, std::span<float> gradient,
                           Rng& dropout_rng) override;
  // accuracy is NaN (regression).
  Evaluation evaluate(std::span<const float> parameters, const Dataset& data) override;
  std::string describe() const override;

 private:
  std::size_t dimension_;
  std::string init_;
  FeatureMatrix rows_;         // gathered batch
  Eigen::VectorXf residuals_;  // x.w + b - y per batch row
};

}  // namespace cdsim
