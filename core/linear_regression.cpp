#include "core/linear_regression.h"

#include <limits>
#include <stdexcept>

#include "core/initializers.h"
#include "core/model_common.h"

namespace cdsim {
namespace {

using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;

void require_targets(const Dataset& data) {
  if (data.targets.size() != data.features.rows())
    throw std::invalid_argument("linear regression needs one target per sample in data set " +
                                data.name);
}

}  // namespace

LinearRegression::LinearRegression(std::size_t dimension, std::string init)
    : dimension_(dimension), init_(std::move(init)) {}

double LinearRegression::flops_per_sample() const {
  // forward x.w (2d), residual (2), gradient r*x accumulated (2d)
  return 4.0 * static_cast<double>(dimension_) + 4.0;
}

void LinearRegression::initialize(std::span<float> parameters, Rng& rng) const {
  initialize_weights(parameters.first(dimension_), dimension_, 1, init_, rng);
  parameters[dimension_] = 0.0f;
}

double LinearRegression::loss_and_gradient(std::span<const float> parameters, const Dataset& data,
                                           std::span<const std::size_t> batch,
                                           std::span<float> gradient, Rng& /*dropout_rng*/) {
  check_spans(parameter_count(), parameters.size(), gradient.size(), batch.size());
  require_targets(data);
  gather_rows(data, batch, rows_);
  const auto d = static_cast<Eigen::Index>(dimension_);
  const ConstVectorMap w(parameters.data(), d);
  const float b = parameters[dimension_];
  residuals_.noalias() = rows_ * w;
  for (std::size_t i = 0; i < batch.size(); ++i)
    residuals_[static_cast<Eigen::Index>(i)] +=
        b - data.targets[static_cast<Eigen::Index>(batch[i])];
  const float inv_batch = 1.0f / static_cast<float>(batch.size());
  Eigen::Map<Eigen::VectorXf> grad_w(gradient.data(), d);
  grad_w.noalias() = rows_.transpose() * residuals_;
  grad_w *= inv_batch;
  gradient[dimension_] = residuals_.sum() * inv_batch;
  return 0.5 * static_cast<double>(residuals_.squaredNorm()) / static_cast<double>(batch.size());
}

Evaluation LinearRegression::evaluate(std::span<const float> parameters, const Dataset& data) {
  if (parameters.size() != parameter_count())
    throw std::invalid_argument("parameter span has the wrong size");
  require_targets(data);
  const auto d = static_cast<Eigen::Index>(dimension_);
  const ConstVectorMap w(parameters.data(), d);
  const float b = parameters[dimension_];
  double sum_sq = 0.0;
  const auto n = static_cast<Eigen::Index>(data.size());
  for (Eigen::Index start = 0; start < n; start += static_cast<Eigen::Index>(kEvaluationChunk)) {
    const Eigen::Index rows =
        std::min<Eigen::Index>(static_cast<Eigen::Index>(kEvaluationChunk), n - start);
    residuals_.noalias() = data.features.middleRows(start, rows) * w;
    residuals_.array() += b;
    residuals_ -= data.targets.segment(start, rows);
    sum_sq += static_cast<double>(residuals_.squaredNorm());
  }
  Evaluation result;
  result.loss = n > 0 ? 0.5 * sum_sq / static_cast<double>(n) : 0.0;
  result.accuracy = std::numeric_limits<double>::quiet_NaN();
  return result;
}

std::string LinearRegression::describe() const {
  return "linear_regression " + std::to_string(dimension_) + "-1 squared error (" +
         with_thousands(parameter_count()) + " parameters)";
}

}  // namespace cdsim
