#include "core/paper_cnn.h"

#include <stdexcept>

#include "core/initializers.h"
#include "core/model_common.h"
#include "core/softmax_cross_entropy.h"

namespace cdsim {
namespace {

constexpr Eigen::Index kDenseUnits = 512;

}  // namespace

PaperCnn::PaperCnn(int channels, int height, int width, int classes, double dropout,
                   std::string init)
    : channels_(channels),
      height_(height),
      width_(width),
      classes_(classes),
      dropout_(dropout),
      init_(std::move(init)) {
  convs_[0] = {height_, width_, channels_, 32};
  convs_[1] = {height_, width_, 32, 32};
  convs_[2] = {height_ / 2, width_ / 2, 32, 64};
  convs_[3] = {height_ / 2, width_ / 2, 64, 64};
  flat_ = (height_ / 4) * (width_ / 4) * 64;
  std::size_t offset = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    offsets_[k] = offset;
    offset += static_cast<std::size_t>(convs_[k].kernel_size() + convs_[k].out_channels);
  }
  offsets_[4] = offset;
  offset += static_cast<std::size_t>(flat_ * kDenseUnits + kDenseUnits);
  offsets_[5] = offset;
  offset += static_cast<std::size_t>(kDenseUnits * classes_ + classes_);
  parameter_count_ = offset;
}

double PaperCnn::flops_per_sample() const {
  double flops = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const double pixels = static_cast<double>(convs_[k].height * convs_[k].width);
    const double macs = pixels * static_cast<double>(convs_[k].kernel_size());
    flops +=
        (k == 0 ? 4.0 : 6.0) * macs + 4.0 * pixels * static_cast<double>(convs_[k].out_channels);
  }
  flops += 6.0 * static_cast<double>(flat_ * kDenseUnits) +
           6.0 * static_cast<double>(kDenseUnits * classes_);
  return flops;
}

void PaperCnn::initialize(std::span<float> parameters, Rng& rng) const {
  if (parameters.size() != parameter_count_)
    throw std::invalid_argument("parameter span has the wrong size");
  auto layer = [&](std::size_t offset, std::size_t fan_in, std::size_t fan_out, std::size_t kernel,
                   std::size_t bias) {
    initialize_weights(parameters.subspan(offset, kernel), fan_in, fan_out, init_, rng);
    std::fill_n(parameters.begin() + static_cast<std::ptrdiff_t>(offset + kernel), bias, 0.0f);
  };
  for (std::size_t k = 0; k < 4; ++k) {
    // Keras' Glorot for convolutions: fans scaled by the receptive field (3 x 3).
    const auto in = static_cast<std::size_t>(convs_[k].in_channels),
               out = static_cast<std::size_t>(convs_[k].out_channels);
    layer(offsets_[k], 9 * in, 9 * out, static_cast<std::size_t>(convs_[k].kernel_size()), out);
  }
  layer(offsets_[4], static_cast<std::size_t>(flat_), kDenseUnits,
        static_cast<std::size_t>(flat_ * kDenseUnits), kDenseUnits);
  const auto classes = static_cast<std::size_t>(classes_);
  layer(offsets_[5], kDenseUnits, classes, kDenseUnits * classes, classes);
}

void PaperCnn::ensure_capacity(Eigen::Index rows) {
  if (rows <= capacity_) return;
  capacity_ = rows;
  const Eigen::Index full = height_ * width_, half = full / 4, quarter = full / 16;
  input_.resize(rows, full * channels_);
  for (RowMatrix* m : {&conv1_, &conv2_, &d_conv1_, &d_conv2_}) m->resize(rows, full * 32);
  for (RowMatrix* m : {&pool1_, &d_pool1_, &mask1_}) m->resize(rows, half * 32);
  for (RowMatrix* m : {&conv3_, &conv4_, &d_conv3_, &d_conv4_}) m->resize(rows, half * 64);
  for (RowMatrix* m : {&pool2_, &d_pool2_, &mask2_}) m->resize(rows, quarter * 64);
  for (RowMatrix* m : {&dense_, &d_dense_}) m->resize(rows, kDenseUnits);
  for (RowMatrix* m : {&logits_, &d_logits_}) m->resize(rows, classes_);
  argmax1_.resize(static_cast<std::size_t>(rows * half * 32));
  argmax2_.resize(static_cast<std::size_t>(rows * quarter * 64));
  labels_.resize(static_cast<std::size_t>(rows));
}

void PaperCnn::load_sample(const Dataset& data, std::size_t index, Eigen::Index row) {
  const float* source = data.features.row(static_cast<Eigen::Index>(index)).data();
  float* target = input_.row(row).data();
  const Eigen::Index pixels = height_ * width_;
  if (channels_ == 1) {
    std::copy_n(source, pixels, target);
    return;
  }
  for (Eigen::Index p = 0; p < pixels; ++p)
    for (Eigen::Index c = 0; c < channels_; ++c) target[p * channels_ + c] = source[c * pixels + p];
}

void PaperCnn::forward(std::span<const float> parameters, Eigen::Index rows, Rng* dropout_rng) {
  const float* p = parameters.data();
  auto conv = [&](std::size_t k, const float* in, float* out) {
    const float* kernel = p + offsets_[k];
    conv3x3_forward(in, rows, convs_[k], kernel, kernel + convs_[k].kernel_size(), true, out,
                    scratch_);
  };
  auto pool = [&](const float* in, const ConvShape& shape, float* out, std::uint8_t* argmax,
                  float* mask) {
    maxpool2_forward(in, rows, shape.height, shape.width, shape.out_channels, out, argmax);
    const auto count =
        static_cast<std::size_t>(rows * shape.height * shape.width * shape.out_channels / 4);
    if (dropout_rng != nullptr && dropout_ > 0.0)
      dropout_forward(out, count, dropout_, mask, *dropout_rng);
  };
  conv(0, input_.data(), conv1_.data());
  conv(1, conv1_.data(), conv2_.data());
  pool(conv2_.data(), convs_[1], pool1_.data(), argmax1_.data(), mask1_.data());
  conv(2, pool1_.data(), conv3_.data());
  conv(3, conv3_.data(), conv4_.data());
  pool(conv4_.data(), convs_[3], pool2_.data(), argmax2_.data(), mask2_.data());
  dense_forward(pool2_.data(), rows, flat_, kDenseUnits, p + offsets_[4],
                p + offsets_[4] + flat_ * kDenseUnits, dense_.data());
  relu_forward(dense_.data(), static_cast<std::size_t>(rows * kDenseUnits));
  dense_forward(dense_.data(), rows, kDenseUnits, classes_, p + offsets_[5],
                p + offsets_[5] + kDenseUnits * classes_, logits_.data());
}

double PaperCnn::loss_and_gradient(std::span<const float> parameters, const Dataset& data,
                                   std::span<const std::size_t> batch, std::span<float> gradient,
                                   Rng& dropout_rng) {
  check_spans(parameter_count_, parameters.size(), gradient.size(), batch.size());
  require_labels(data, static_cast<std::size_t>(classes_));
  if (static_cast<Eigen::Index>(data.dimension()) != channels_ * height_ * width_)
    throw std::invalid_argument("data dimension does not match the model's input");
  const auto rows = static_cast<Eigen::Index>(batch.size());
  ensure_capacity(rows);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i] >= data.size()) throw std::out_of_range("batch index out of range");
    load_sample(data, batch[i], static_cast<Eigen::Index>(i));
    labels_[i] = data.labels[batch[i]];
  }
  forward(parameters, rows, &dropout_rng);
  const CrossEntropySums sums =
      softmax_cross_entropy(logits_.data(), batch.size(), static_cast<std::size_t>(classes_),
                            static_cast<std::size_t>(classes_),
                            std::span<const std::int32_t>(labels_.data(), batch.size()),
                            d_logits_.data(), 1.0f / static_cast<float>(rows));

  const float* p = parameters.data();
  float* g = gradient.data();
  dense_backward(dense_.data(), d_logits_.data(), rows, kDenseUnits, classes_, p + offsets_[5],
                 g + offsets_[5], g + offsets_[5] + kDenseUnits * classes_, d_dense_.data());
  relu_backward(dense_.data(), d_dense_.data(), static_cast<std::size_t>(rows * kDenseUnits));
  dense_backward(pool2_.data(), d_dense_.data(), rows, flat_, kDenseUnits, p + offsets_[4],
                 g + offsets_[4], g + offsets_[4] + flat_ * kDenseUnits, d_pool2_.data());
  // Through the dropout, the pooling and the convolution's ReLU, in one pass.
  auto unpool = [&](const ConvShape& shape, const float* d_pooled, const float* mask,
                    const std::uint8_t* argmax, const float* activation, float* d_activation) {
    maxpool2_backward(d_pooled, argmax, dropout_ > 0.0 ? mask : nullptr, activation, rows,
                      shape.height, shape.width, shape.out_channels, d_activation);
  };
  // conv2's and conv4's inputs are ReLU outputs (conv1, conv3): their gradients go
  // through that ReLU inside the backward pass; conv3's input is pooled, and unpool applies
  // conv2's ReLU; conv1's input is the image, whose gradient is not needed.
  auto conv_back = [&](std::size_t k, const float* in, const float* d_out, float* d_in) {
    conv3x3_backward(in, d_out, rows, convs_[k], p + offsets_[k], g + offsets_[k],
                     g + offsets_[k] + convs_[k].kernel_size(), d_in, k == 1 || k == 3,
                     scratch_);
  };
  unpool(convs_[3], d_pool2_.data(), mask2_.data(), argmax2_.data(), conv4_.data(),
         d_conv4_.data());
  conv_back(3, conv3_.data(), d_conv4_.data(), d_conv3_.data());
  conv_back(2, pool1_.data(), d_conv3_.data(), d_pool1_.data());
  unpool(convs_[1], d_pool1_.data(), mask1_.data(), argmax1_.data(), conv2_.data(),
         d_conv2_.data());
  conv_back(1, conv1_.data(), d_conv2_.data(), d_conv1_.data());
  conv_back(0, input_.data(), d_conv1_.data(), nullptr);
  return sums.loss_sum / static_cast<double>(rows);
}

Evaluation PaperCnn::evaluate(std::span<const float> parameters, const Dataset& data) {
  if (parameters.size() != parameter_count_)
    throw std::invalid_argument("parameter span has the wrong size");
  constexpr std::size_t kChunk = 128;
  ensure_capacity(static_cast<Eigen::Index>(std::min(data.size(), kChunk)));
  return evaluate_classifier(data, kChunk, static_cast<std::size_t>(classes_),
                             [&](std::size_t start, std::size_t rows) {
                               for (std::size_t r = 0; r < rows; ++r)
                                 load_sample(data, start + r, static_cast<Eigen::Index>(r));
                               forward(parameters, static_cast<Eigen::Index>(rows), nullptr);
                               return logits_.data();
                             });
}

std::string PaperCnn::describe() const {
  return "paper_cnn " + std::to_string(height_) + "x" + std::to_string(width_) + "x" +
         std::to_string(channels_) + " conv32-conv32-pool-conv64-conv64-pool-dense512-" +
         std::to_string(classes_) + " dropout " + std::to_string(dropout_).substr(0, 4) + " (" +
         with_thousands(parameter_count_) + " parameters)";
}

}  // namespace cdsim
