// Fully connected classifiers with a softmax cross-entropy output: softmax regression
// (no hidden layer), the MLP (any hidden sizes, ReLU or tanh) and the paper's FCN
// (20 hidden layers of 50 ReLU units). It owns its activation scratch, which grows to the
// largest batch seen and is reused; the parameters stay in the caller's flat vector.
#pragma once

#include <vector>

#include "core/model.h"

namespace cdsim {

// Parameters, layer by layer: the kernel W (inputs x outputs, row-major, as Keras lays it
// out) then the bias b. Minibatch math is matrix products on row-major activation blocks.
class DenseNetwork final : public Model {
 public:
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  // `layer_sizes` = {inputs, hidden..., classes}; `activation` is "relu" or "tanh".
  DenseNetwork(std::string kind, std::vector<std::size_t> layer_sizes, std::string activation,
               std::string init);

  std::size_t parameter_count() const override { return parameter_count_; }
  // Per sample: forward 2*in*out per layer, backward 2*in*out for dW plus 2*in*out for the
  // input gradient (not needed for the first layer), plus bias and activation terms.
  double flops_per_sample() const override;
  void initialize(std::span<float> parameters, Rng& rng) const override;
  double loss_and_gradient(std::span<const float> parameters, const Dataset& data,
                           std::span<const std::size_t> batch, std::span<float> gradient,
                           Rng& dropout_rng) override;
  Evaluation evaluate(std::span<const float> parameters, const Dataset& data) override;
  std::string describe() const override;

 private:
  // Forward pass of `rows` samples from `input` (rows x inputs); logits land in
  // activations_.back().
  void forward(std::span<const float> parameters, const float* input, Eigen::Index rows);
  void ensure_capacity(Eigen::Index rows);

  std::string kind_;
  std::vector<std::size_t> sizes_;
  bool relu_;
  std::string activation_;
  std::string init_;
  std::size_t parameter_count_ = 0;
  std::vector<std::size_t> offsets_;  // start of layer l's kernel in the parameter vector
  Eigen::Index capacity_ = 0;         // rows the scratch blocks hold
  Matrix input_;                      // gathered batch
  std::vector<Matrix> activations_;   // layer outputs: hidden activations, then logits
  std::vector<Matrix> deltas_;        // gradients w.r.t. the pre-activations of each layer
  std::vector<std::int32_t> labels_;  // labels of the gathered batch
};

}  // namespace cdsim
