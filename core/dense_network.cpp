#include "core/dense_network.h"

#include "core/initializers.h"
#include "core/model_common.h"
#include "core/softmax_cross_entropy.h"

#include <cstring>
#include <stdexcept>

namespace cdsim {
namespace {

using Matrix = DenseNetwork::Matrix;
using ConstMatrixMap = Eigen::Map<const Matrix>;
using MatrixMap = Eigen::Map<Matrix>;
using ConstRowVectorMap = Eigen::Map<const Eigen::RowVectorXf>;
using RowVectorMap = Eigen::Map<Eigen::RowVectorXf>;

void require_labels(const Dataset& data, std::size_t classes) {
  if (data.labels.size() != data.size())
    throw std::invalid_argument("classification model needs one label per sample in data set " + data.name);
  if (static_cast<std::size_t>(data.num_classes) > classes)
    throw std::invalid_argument("data set " + data.name + " has more classes than the model outputs");
}

}  // namespace

DenseNetwork::DenseNetwork(std::string kind, std::vector<std::size_t> layer_sizes, std::string activation,
                           std::string init)
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
    flops += (l == 0 ? 4.0 : 6.0) * in * out + 6.0 * out;  // GEMMs; bias, activation and its derivative
  }
  return flops;
}

void DenseNetwork::initialize(std::span<float> parameters, Rng& rng) const {
  if (parameters.size() != parameter_count_) throw std::invalid_argument("parameter span has the wrong size");
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
    const std::size_t kernel = sizes_[l] * sizes_[l + 1];
    initialize_weights(parameters.subspan(offsets_[l], kernel), sizes_[l], sizes_[l + 1], init_, rng);
    std::fill_n(parameters.begin() + static_cast<std::ptrdiff_t>(offsets_[l] + kernel), sizes_[l + 1], 0.0f);
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

void DenseNetwork::forward(std::span<const float> parameters, const float* input, Eigen::Index rows) {
  const std::size_t layers = sizes_.size() - 1;
  for (std::size_t l = 0; l < layers; ++l) {
    const auto in = static_cast<Eigen::Index>(sizes_[l]);
    const auto out = static_cast<Eigen::Index>(sizes_[l + 1]);
    const ConstMatrixMap kernel(parameters.data() + offsets_[l], in, out);
    const ConstRowVectorMap bias(parameters.data() + offsets_[l] + sizes_[l] * sizes_[l + 1], out);
    const float* source = l == 0 ? input : activations_[l - 1].data();
    const ConstMatrixMap a(source, rows, in);
    auto z = activations_[l].topRows(rows);
    z.noalias() = a * kernel;
    z.rowwise() += bias;
    if (l + 1 < layers) {
      if (relu_) {
        z = z.cwiseMax(0.0f);
      } else {
        z = z.array().tanh().matrix();
      }
    }
  }
}

double DenseNetwork::loss_and_gradient(std::span<const float> parameters, const Dataset& data,
                                       std::span<const std::size_t> batch, std::span<float> gradient,
                                       Rng& /*dropout_rng*/) {
  check_spans(parameter_count_, parameters.size(), gradient.size(), batch.size());
  require_labels(data, sizes_.back());
  if (data.dimension() != sizes_[0]) throw std::invalid_argument("data dimension does not match the model's input");
  const auto rows = static_cast<Eigen::Index>(batch.size());
  ensure_capacity(rows);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i] >= data.size()) throw std::out_of_range("batch index out of range");
    std::memcpy(input_.row(static_cast<Eigen::Index>(i)).data(),
                data.features.row(static_cast<Eigen::Index>(batch[i])).data(), sizeof(float) * sizes_[0]);
    labels_[i] = data.labels[batch[i]];
  }
  forward(parameters, input_.data(), rows);

  const std::size_t layers = sizes_.size() - 1;
  const float inv_batch = 1.0f / static_cast<float>(batch.size());
  const CrossEntropySums sums =
      softmax_cross_entropy(activations_.back().data(), batch.size(), sizes_.back(), sizes_.back(),
                            std::span<const std::int32_t>(labels_.data(), batch.size()), deltas_.back().data(),
                            inv_batch);
  for (std::size_t l = layers; l-- > 0;) {
    const auto in = static_cast<Eigen::Index>(sizes_[l]);
    const auto out = static_cast<Eigen::Index>(sizes_[l + 1]);
    const auto delta = deltas_[l].topRows(rows);
    const ConstMatrixMap a(l == 0 ? input_.data() : activations_[l - 1].data(), rows, in);
    MatrixMap grad_kernel(gradient.data() + offsets_[l], in, out);
    RowVectorMap grad_bias(gradient.data() + offsets_[l] + sizes_[l] * sizes_[l + 1], out);
    grad_kernel.noalias() = a.transpose() * delta;
    grad_bias = delta.colwise().sum();
    if (l == 0) break;
    const ConstMatrixMap kernel(parameters.data() + offsets_[l], in, out);
    auto previous = deltas_[l - 1].topRows(rows);
    previous.noalias() = delta * kernel.transpose();
    const auto activation = activations_[l - 1].topRows(rows);
    if (relu_) {
      previous.array() *= (activation.array() > 0.0f).cast<float>();
    } else {
      previous.array() *= 1.0f - activation.array().square();
    }
  }
  return sums.loss_sum / static_cast<double>(batch.size());
}

Evaluation DenseNetwork::evaluate(std::span<const float> parameters, const Dataset& data) {
  if (parameters.size() != parameter_count_) throw std::invalid_argument("parameter span has the wrong size");
  require_labels(data, sizes_.back());
  const auto n = static_cast<Eigen::Index>(data.size());
  const auto chunk = static_cast<Eigen::Index>(kEvaluationChunk);
  ensure_capacity(std::min(n, chunk));
  CrossEntropySums total;
  for (Eigen::Index start = 0; start < n; start += chunk) {
    const Eigen::Index rows = std::min(chunk, n - start);
    forward(parameters, data.features.row(start).data(), rows);
    const CrossEntropySums sums = softmax_cross_entropy(
        activations_.back().data(), static_cast<std::size_t>(rows), sizes_.back(), sizes_.back(),
        std::span<const std::int32_t>(data.labels.data() + start, static_cast<std::size_t>(rows)), nullptr, 1.0f);
    total.loss_sum += sums.loss_sum;
    total.correct += sums.correct;
  }
  Evaluation result;
  if (n > 0) {
    result.loss = total.loss_sum / static_cast<double>(n);
    result.accuracy = static_cast<double>(total.correct) / static_cast<double>(n);
  }
  return result;
}

std::string DenseNetwork::describe() const {
  std::string shape;
  for (std::size_t l = 0; l < sizes_.size(); ++l) shape += (l ? "-" : "") + std::to_string(sizes_[l]);
  std::string text = kind_ + " " + shape;
  if (sizes_.size() > 2) text += " " + activation_;
  return text + " (" + with_thousands(parameter_count_) + " parameters)";
}

}  // namespace cdsim
