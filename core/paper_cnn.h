// The paper's CNN (the Keras CIFAR-10 example): conv32-conv32-maxpool-dropout,
// conv64-conv64-maxpool-dropout, dense 512 (ReLU), softmax, for any C x H x W input with H
// and W divisible by 4 (28x28x1, 32x32x3). It owns its activation and convolution scratch;
// the parameters stay in the caller's flat vector.
#pragma once

#include <array>
#include <vector>

#include "core/layers.h"
#include "core/model.h"

namespace cdsim {

// 3x3 same-padding ReLU convolutions, 2x2 max pooling, inverted dropout at `dropout` after
// each pooling stage (as the issue specifies; the Keras example's extra dropout 0.5 after
// the dense layer is not included). Images are processed channels-last (HWC). Parameters,
// layer by layer: the kernel in Keras' layout ((3, 3, in, out) for convolutions, (in, out)
// for dense layers, whose input is the flattened HWC features) followed by the bias.
class PaperCnn final : public Model {
 public:
  PaperCnn(int channels, int height, int width, int classes, double dropout, std::string init);

  std::size_t parameter_count() const override { return parameter_count_; }
  double flops_per_sample() const override;
  void initialize(std::span<float> parameters, Rng& rng) const override;
  double loss_and_gradient(std::span<const float> parameters, const Dataset& data,
                           std::span<const std::size_t> batch, std::span<float> gradient,
                           Rng& dropout_rng) override;
  Evaluation evaluate(std::span<const float> parameters, const Dataset& data) override;
  std::string describe() const override;

 private:
  // Forward pass over `rows` HWC images already in input_; logits land in logits_.
  void forward(std::span<const float> parameters, Eigen::Index rows, Rng* dropout_rng);
  void ensure_capacity(Eigen::Index rows);
  // Copies sample `index` of `data` (CHW) into row `row` of input_ (HWC).
  void load_sample(const Dataset& data, std::size_t index, Eigen::Index row);

  Eigen::Index channels_, height_, width_, classes_;
  double dropout_;
  std::string init_;
  std::array<ConvShape, 4> convs_;
  Eigen::Index flat_ = 0;                 // features entering the dense layer
  std::array<std::size_t, 6> offsets_{};  // kernel offsets: conv1..conv4, dense1, dense2
  std::size_t parameter_count_ = 0;
  Eigen::Index capacity_ = 0;

  // Activations per sample row; d* are the matching gradients.
  RowMatrix input_, conv1_, conv2_, pool1_, conv3_, conv4_, pool2_, dense_, logits_;
  RowMatrix d_conv1_, d_conv2_, d_pool1_, d_conv3_, d_conv4_, d_pool2_, d_dense_, d_logits_;
  RowMatrix mask1_, mask2_;  // dropout factors
  std::vector<std::uint8_t> argmax1_, argmax2_;
  ConvScratch scratch_;
  std::vector<std::int32_t> labels_;
};

}  // namespace cdsim
