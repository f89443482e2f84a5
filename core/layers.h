// Building blocks of the neural models, as free functions on row-major float blocks
// (one sample per row): dense layers as matrix products, ReLU, 3x3 same-padding
// convolutions on channels-last (HWC) images (im2col + GEMM, or Winograd's minimal
// filtering), 2x2 max pooling and inverted dropout. Callers own every buffer; nothing here allocates except through the
// scratch matrices they pass, which only grow.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/rng.h"
#include "core/winograd.h"

namespace cdsim {

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// output (rows x out) = input (rows x in) * kernel (in x out, row-major) + bias
void dense_forward(const float* input, Eigen::Index rows, Eigen::Index in, Eigen::Index out,
                   const float* kernel, const float* bias, float* output);
// From delta = dLoss/dOutput (rows x out): grad_kernel = input^T delta, grad_bias = column
// sums, and (when input_delta is not null) input_delta = delta kernel^T.
void dense_backward(const float* input, const float* delta, Eigen::Index rows, Eigen::Index in,
                    Eigen::Index out, const float* kernel, float* grad_kernel, float* grad_bias,
                    float* input_delta);

void relu_forward(float* values, std::size_t count);
// delta *= (activation > 0), with `activation` the ReLU output.
void relu_backward(const float* activation, float* delta, std::size_t count);

struct ConvShape {
  Eigen::Index height = 0, width = 0, in_channels = 0, out_channels = 0;
  Eigen::Index kernel_size() const { return 9 * in_channels * out_channels; }
};

// Scratch of the convolutions (im2col patches of inputs and of output gradients, the
// kernel transposed tap by tap, column-major products, Winograd's transforms); it grows to
// the largest layer and is then reused, so a training step allocates nothing.
struct ConvScratch {
  std::vector<float> patches, delta_patches, transposed_kernel, product, kernel_product;
  WinogradScratch winograd;
};

// 3x3 same-padding convolution of `samples` HWC images, plus bias, then ReLU when `relu`;
// the kernel is laid out as Keras' (3, 3, in, out), row-major. Computed as im2col + GEMM
// over chunks of a few images, so the patches stay in cache, or, with at least 16 input and
// 16 output channels, by Winograd's F(4x4, 3x3) (core/winograd.h), which needs 4x fewer
// multiplications (and rounds a little more: about 1e-5 of the sums' magnitude).
void conv3x3_forward(const float* input, Eigen::Index samples, const ConvShape& shape,
                     const float* kernel, const float* bias, bool relu, float* output,
                     ConvScratch& scratch);
// Accumulates nothing: overwrites grad_kernel and grad_bias; writes input_delta when not
// null, the gradient with respect to `input` (through input's ReLU when `relu_input`:
// zero where input is not positive). `delta` is dLoss/dOutput (pre-activation). Winograd
// computes the kernel gradient and the input gradient (a convolution of `delta` with the
// mirrored kernel) where the forward pass uses it.
void conv3x3_backward(const float* input, const float* delta, Eigen::Index samples,
                      const ConvShape& shape, const float* kernel, float* grad_kernel,
                      float* grad_bias, float* input_delta, bool relu_input,
                      ConvScratch& scratch);

// 2x2 max pooling with stride 2 of HWC images (height and width even); `argmax` records
// which of the 4 inputs won (0..3) for the backward pass.
void maxpool2_forward(const float* input, Eigen::Index samples, Eigen::Index height,
                      Eigen::Index width, Eigen::Index channels, float* output,
                      std::uint8_t* argmax);
// input_delta (the pooling's input gradient, every value written) from delta (its
// output's): each window's winning corner gets delta, the others zero. Folded in, as the
// CNN needs them: when `mask` is not null, delta is first multiplied by it (the dropout
// applied after the pooling); when `activation` (the pooling's input, a ReLU output) is not
// null, the result is zero where it is not positive (the ReLU's gradient).
void maxpool2_backward(const float* delta, const std::uint8_t* argmax, const float* mask,
                       const float* activation, Eigen::Index samples, Eigen::Index height,
                       Eigen::Index width, Eigen::Index channels, float* input_delta);

// Inverted dropout: each value is kept with probability 1 - rate and scaled by 1/(1 - rate),
// else zeroed; `mask` receives the factor applied (for the backward pass: delta *= mask).
void dropout_forward(float* values, std::size_t count, double rate, float* mask, Rng& rng);

}  // namespace cdsim
