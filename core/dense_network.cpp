#include "core/dense_network.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "core/initializers.h"
#include "core/layers.h"
#include "core/model_common.h"
#include "core/softmax_cross_entropy.h"

namespace cdsim {
DenseNetwork::DenseNetwork(std::string kind, std::vector<std::size_t> layer_sizes,
                           std::string activation, std::string init)
    : kind_(std::move(kind)),
      sizes_(std::move(layer_sizes)),
      relu_(activation == "relu"),
      activation_(std::move(activation)),
      init_(std::move(init)) {
  if (sizes_.size() < 2) throw std::logic_error("DenseNetwork needs at least inputs and outputs");
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
    offsets_.push_back(parameter_count_);
    parameter_count_ += sizes_[l] * sizes_[l + 1] + sizes_[l + 1];
  }
  activations_.resize(sizes_.size() - 1);
  deltas_.resize(sizes_.size() - 1);
}

double DenseNetwork::flops_per_sample() const {
  double flops = 0;
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
    const double in = static_cast<double>(sizes_[l]), out = static_cast<double>(sizes_[l + 1]);
    flops +=
        (l == 0 ? 4.0 : 6.0) * in * out + 6.0 * out;  // GEMMs; bias, activation and its derivative
  }
  return flops;
}

void DenseNetwork::initialize(std::span<float> parameters, Rng& rng) const {
  if (parameters.size() != parameter_count_)
    throw std::invalid_argument("parameter span has the wrong size");
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
    const std::size_t kernel = sizes_[l] * sizes_[l + 1];
    initialize_weights(parameters.subspan(offsets_[l], kernel), sizes_[l], sizes_[l + 1], init_,
                       rng);
    std::fill_n(parameters.begin() + static_cast<std::ptrdiff_t>(offsets_[l] + kernel),
                sizes_[l + 1], 0.0f);
  }
}

void DenseNetwork::ensure_capacity(Eigen::Index rows) {
  if (rows <= capacity_) return;
  capacity_ = rows;
  input_.resize(rows, static_cast<Eigen::Index>(sizes_[0]));
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
    activations_[l].resize(rows, static_cast<Eigen::Index>(sizes_[l + 1]));
    deltas_[l].resize(rows, static_cast<Eigen::Index>(sizes_[l + 1]));
  }
  labels_.resize(static_cast<std::size_t>(rows));
}

void DenseNetwork::forward(std::span<const float> parameters, const float* input,
                           Eigen::Index rows) {
  const std::size_t layers = sizes_.size() - 1;
  for (std::size_t l = 0; l < layers; ++l) {
    const auto in = static_cast<Eigen::Index>(sizes_[l]);
    const auto out = static_cast<Eigen::Index>(sizes_[l + 1]);
    const float* kernel = parameters.data() + offsets_[l];
    float* z = activations_[l].data();
    dense_forward(l == 0 ? input : activations_[l - 1].data(), rows, in, out, kernel,
                  kernel + in * out, z);
    if (l + 1 == layers) break;
    const auto count = static_cast<std::size_t>(rows * out);
    if (relu_) {
      relu_forward(z, count);
    } else {
      for (std::size_t i = 0; i < count; ++i) z[i] = std::tanh(z[i]);
    }
  }
}

double DenseNetwork::loss_and_gradient(std::span<const float> parameters, const Dataset& data,
                                       std::span<const std::size_t> batch,
                                       std::span<float> gradient, Rng& /*dropout_rng*/) {
  check_spans(parameter_count_, parameters.size(), gradient.size(), batch.size());
  require_labels(data, sizes_.back());
  if (data.dimension() != sizes_[0])
    throw std::invalid_argument("data dimension does not match the model's input");
  const auto rows = static_cast<Eigen::Index>(batch.size());
  ensure_capacity(rows);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i] >= data.size()) throw std::out_of_range("batch index out of range");
    std::memcpy(input_.row(static_cast<Eigen::Index>(i)).data(),
                data.features.row(static_cast<Eigen::Index>(batch[i])).data(),
                sizeof(float) * sizes_[0]);
    labels_[i] = data.labels[batch[i]];
  }
  forward(parameters, input_.data(), rows);

  const std::size_t layers = sizes_.size() - 1;
  const float inv_batch = 1.0f / static_cast<float>(batch.size());
  const CrossEntropySums sums =
      softmax_cross_entropy(activations_.back().data(), batch.size(), sizes_.back(), sizes_.back(),
                            std::span<const std::int32_t>(labels_.data(), batch.size()),
                            deltas_.back().data(), inv_batch);
  for (std::size_t l = layers; l-- > 0;) {
    const auto in = static_cast<Eigen::Index>(sizes_[l]);
    const auto out = static_cast<Eigen::Index>(sizes_[l + 1]);
    float* previous = l == 0 ? nullptr : deltas_[l - 1].data();
    dense_backward(l == 0 ? input_.data() : activations_[l - 1].data(), deltas_[l].data(), rows, in,
                   out, parameters.data() + offsets_[l], gradient.data() + offsets_[l],
                   gradient.data() + offsets_[l] + sizes_[l] * sizes_[l + 1], previous);
    if (previous == nullptr) continue;
    const float* activation = activations_[l - 1].data();
    const auto count = static_cast<std::size_t>(rows * in);
    if (relu_) {
      relu_backward(activation, previous, count);
    } else {
      for (std::size_t i = 0; i < count; ++i) previous[i] *= 1.0f - activation[i] * activation[i];
    }
  }
  return sums.loss_sum / static_cast<double>(batch.size());
}

Evaluation DenseNetwork::evaluate(std::span<const float> parameters, const Dataset& data) {
  if (parameters.size() != parameter_count_)
    throw std::invalid_argument("parameter span has the wrong size");
  ensure_capacity(static_cast<Eigen::Index>(std::min(data.size(), kEvaluationChunk)));
  return evaluate_classifier(
      data, kEvaluationChunk, sizes_.back(), [&](std::size_t start, std::size_t rows) {
        forward(parameters, data.features.row(static_cast<Eigen::Index>(start)).data(),
                static_cast<Eigen::Index>(rows));
        return activations_.back().data();
      });
}

std::string DenseNetwork::describe() const {
  std::string shape;
  for (std::size_t l = 0; l < sizes_.size(); ++l)
    shape += (l ? "-" : "") + std::to_string(sizes_[l]);
  std::string text = kind_ + " " + shape;
  if (sizes_.size() > 2) text += " " + activation_;
  return text + " (" + with_thousands(parameter_count_) + " parameters)";
}

}  // namespace cdsim
