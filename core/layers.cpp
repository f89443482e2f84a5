#include "core/layers.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace cdsim {
namespace {

using ConstMatrixMap = Eigen::Map<const RowMatrix>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstRowVectorMap = Eigen::Map<const Eigen::RowVectorXf>;
using ColumnMatrixMap = Eigen::Map<Eigen::MatrixXf>;

// Rows of im2col patches per GEMM: enough for Eigen's blocking to run at full rate, few
// enough that a chunk's patches (rows x 9 channels floats) stay in the L2 cache between
// the copy that builds them and the product that packs them.
constexpr Eigen::Index kPatchRows = 512;

// Winograd's transforms cost about as much per value as a GEMM with a few channels: the
// method pays where the channels summed over and those produced are both this many or more
// (the CNN's conv2 to conv4, not conv1 with its 3 input channels).
constexpr Eigen::Index kWinogradMinChannels = 16;

bool use_winograd(Eigen::Index summed, Eigen::Index produced) {
  return summed >= kWinogradMinChannels && produced >= kWinogradMinChannels;
}

Eigen::Index samples_per_chunk(const ConvShape& shape) {
  return std::max<Eigen::Index>(1, kPatchRows / (shape.height * shape.width));
}

// A rows x cols view of `buffer`, which only ever grows (no allocation once it is large
// enough for the biggest layer).
MatrixMap scratch(std::vector<float>& buffer, Eigen::Index rows, Eigen::Index cols) {
  const auto size = static_cast<std::size_t>(rows * cols);
  if (buffer.size() < size) buffer.resize(size);
  return MatrixMap(buffer.data(), rows, cols);
}
// The same, column-major: the convolutions' products are computed column-major with the
// patch rows as the long dimension (Eigen's kernel then runs full-width panels over them
// rather than over the few output channels) and transposed back while still in cache.
ColumnMatrixMap column_scratch(std::vector<float>& buffer, Eigen::Index rows, Eigen::Index cols) {
  const auto size = static_cast<std::size_t>(rows * cols);
  if (buffer.size() < size) buffer.resize(size);
  return ColumnMatrixMap(buffer.data(), rows, cols);
}

// Copies `count` floats with Eigen's vector loop: patches copy runs of 3 to 192 floats,
// where a call to memcpy costs more than the copy. The 9-float runs of 3-channel images
// (the CNN's first layer, most of its patches) get a copy of fixed size, which the compiler
// inlines as two moves instead of the loop's setup.
void copy_floats(const float* source, Eigen::Index count, float* target) {
  if (count == 9) {
    std::memcpy(target, source, 9 * sizeof(float));
    return;
  }
  Eigen::Map<Eigen::VectorXf>(target, count) = Eigen::Map<const Eigen::VectorXf>(source, count);
}

// Patch rows of `count` HWC images of `c` channels starting at `images`: row (s, y, x),
// columns (ky, kx, channel) = image s at (y + ky - 1, x + kx - 1), zero outside. With
// `flip` the 3 x 3 window is mirrored (ky, kx -> 2 - ky, 2 - kx), which turns a
// convolution's input gradient into a plain convolution of the output gradient.
void im2col(const float* images, Eigen::Index count, Eigen::Index h, Eigen::Index w,
            Eigen::Index c, bool flip, MatrixMap patches) {
  const Eigen::Index cols = 9 * c;
  for (Eigen::Index s = 0; s < count; ++s) {
    const float* image = images + s * h * w * c;
    for (Eigen::Index y = 0; y < h; ++y)
      for (Eigen::Index x = 0; x < w; ++x) {
        float* row = patches.data() + ((s * h + y) * w + x) * cols;
        for (Eigen::Index ky = 0; ky < 3; ++ky) {
          const Eigen::Index iy = y + (flip ? 1 - ky : ky - 1);
          float* target = row + ky * 3 * c;
          if (iy < 0 || iy >= h) {
            Eigen::Map<Eigen::VectorXf>(target, 3 * c).setZero();
            continue;
          }
          const float* line = image + iy * w * c;
          if (!flip && x >= 1 && x + 1 < w) {  // the three columns are contiguous
            copy_floats(line + (x - 1) * c, 3 * c, target);
            continue;
          }
          for (Eigen::Index kx = 0; kx < 3; ++kx) {
            const Eigen::Index ix = x + (flip ? 1 - kx : kx - 1);
            if (ix < 0 || ix >= w) {
              Eigen::Map<Eigen::VectorXf>(target + kx * c, c).setZero();
            } else {
              copy_floats(line + ix * c, c, target + kx * c);
            }
          }
        }
      }
  }
}

// out[c] = sum over rows of values[r][c], rows added in order. (Eigen's colwise().sum()
// vectorizes differently depending on where `out` is aligned, which would make the
// rounding depend on the caller's buffer addresses.) `__restrict` lets the compiler
// vectorize across columns, which keeps each column's order: the same sums, at vector speed.
void column_sums(const float* __restrict values, Eigen::Index rows, Eigen::Index cols,
                 float* __restrict out, bool accumulate) {
  if (!accumulate) std::fill_n(out, cols, 0.0f);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const float* row = values + r * cols;
    for (Eigen::Index c = 0; c < cols; ++c) out[c] += row[c];
  }
}

// out[c] = the largest of the 4 corners' channel c, arg[c] = which (0..3; the first of
// equals). Written with __restrict and one comparison per corner, which the compiler turns
// into vector selects (the same results as the scalar code).
void max_of_corners(const float* __restrict corner0, const float* __restrict corner1,
                    const float* __restrict corner2, const float* __restrict corner3,
                    Eigen::Index channels, float* __restrict out,
                    std::uint8_t* __restrict arg) {
  for (Eigen::Index c = 0; c < channels; ++c) {
    float value = corner0[c], best = 0;  // best as a float: GCC 12 vectorizes only that
    if (corner1[c] > value) {
      value = corner1[c];
      best = 1;
    }
    if (corner2[c] > value) {
      value = corner2[c];
      best = 2;
    }
    if (corner3[c] > value) {
      value = corner3[c];
      best = 3;
    }
    out[c] = value;
    arg[c] = static_cast<std::uint8_t>(best);
  }
}

// One corner of a 2x2 pooling window, channel by channel: the output's gradient (times
// the dropout factor when `mask` is not null) where this corner won, and where
// `activation` (when not null) is positive; zero elsewhere. Every input pixel is written,
// so no zero fill is needed first; GCC vectorizes the loop (selects, same results).
void route_to_corner(std::uint8_t corner, const float* __restrict delta,
                     const std::uint8_t* __restrict argmax, const float* __restrict mask,
                     const float* __restrict activation, Eigen::Index channels,
                     float* __restrict out) {
  for (Eigen::Index c = 0; c < channels; ++c) {
    const float d = mask != nullptr ? delta[c] * mask[c] : delta[c];
    const bool live = argmax[c] == corner && (activation == nullptr || activation[c] > 0.0f);
    out[c] = live ? d : 0.0f;
  }
}

}  // namespace

void dense_forward(const float* input, Eigen::Index rows, Eigen::Index in, Eigen::Index out,
                   const float* kernel, const float* bias, float* output) {
  MatrixMap z(output, rows, out);
  z.noalias() = ConstMatrixMap(input, rows, in) * ConstMatrixMap(kernel, in, out);
  z.rowwise() += ConstRowVectorMap(bias, out);
}

void dense_backward(const float* input, const float* delta, Eigen::Index rows, Eigen::Index in,
                    Eigen::Index out, const float* kernel, float* grad_kernel, float* grad_bias,
                    float* input_delta) {
  const ConstMatrixMap d(delta, rows, out);
  MatrixMap(grad_kernel, in, out).noalias() = ConstMatrixMap(input, rows, in).transpose() * d;
  column_sums(delta, rows, out, grad_bias, false);
  if (input_delta != nullptr)
    MatrixMap(input_delta, rows, in).noalias() = d * ConstMatrixMap(kernel, in, out).transpose();
}

void relu_forward(float* values, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) values[i] = std::max(values[i], 0.0f);
}

void relu_backward(const float* activation, float* delta, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) delta[i] = activation[i] > 0.0f ? delta[i] : 0.0f;
}

void conv3x3_forward(const float* input, Eigen::Index samples, const ConvShape& shape,
                     const float* kernel, const float* bias, bool relu, float* output,
                     ConvScratch& scratch_buffers) {
  const Eigen::Index pixels = shape.height * shape.width, out_c = shape.out_channels;
  if (use_winograd(shape.in_channels, out_c)) {
    WinogradScratch& w = scratch_buffers.winograd;
    const float* transformed =
        winograd_transform_kernel(kernel, shape.in_channels, out_c, false, w);
    winograd_conv3x3(input, samples, shape.height, shape.width, shape.in_channels, out_c,
                     transformed, bias, relu, nullptr, output, w);
    return;
  }
  const ConstMatrixMap k(kernel, 9 * shape.in_channels, out_c);
  const Eigen::Index chunk = samples_per_chunk(shape);
  for (Eigen::Index first = 0; first < samples; first += chunk) {
    const Eigen::Index count = std::min(chunk, samples - first), rows = count * pixels;
    const MatrixMap patches = scratch(scratch_buffers.patches, rows, 9 * shape.in_channels);
    im2col(input + first * pixels * shape.in_channels, count, shape.height, shape.width,
           shape.in_channels, false, patches);
    // Straight into the HWC output (row-major: Eigen runs it as the transposed product, as
    // fast here as a column-major one and without a transposing copy), then bias and
    // activation while the chunk is still in cache.
    float* chunk_out = output + first * pixels * out_c;
    MatrixMap(chunk_out, rows, out_c).noalias() = patches * k;
    for (Eigen::Index r = 0; r < rows; ++r) {
      float* row = chunk_out + r * out_c;
      for (Eigen::Index o = 0; o < out_c; ++o) {
        const float value = row[o] + bias[o];
        row[o] = relu ? std::max(value, 0.0f) : value;
      }
    }
  }
}

void conv3x3_backward(const float* input, const float* delta, Eigen::Index samples,
                      const ConvShape& shape, const float* kernel, float* grad_kernel,
                      float* grad_bias, float* input_delta, bool relu_input,
                      ConvScratch& scratch_buffers) {
  const Eigen::Index pixels = shape.height * shape.width;
  const Eigen::Index in_c = shape.in_channels, out_c = shape.out_channels;
  if (use_winograd(in_c, out_c)) {
    WinogradScratch& w = scratch_buffers.winograd;
    winograd_kernel_gradient(input, delta, samples, shape.height, shape.width, in_c, out_c,
                             grad_kernel, w);
    column_sums(delta, samples * pixels, out_c, grad_bias, false);
    if (input_delta == nullptr) return;
    // The input gradient is the convolution of delta with the mirrored, transposed kernel,
    // through input's ReLU.
    const float* transformed = winograd_transform_kernel(kernel, in_c, out_c, true, w);
    winograd_conv3x3(delta, samples, shape.height, shape.width, out_c, in_c, transformed,
                     nullptr, false, relu_input ? input : nullptr, input_delta, w);
    return;
  }
  ColumnMatrixMap grad_k = column_scratch(scratch_buffers.kernel_product, 9 * in_c, out_c);
  grad_k.setZero();
  std::fill_n(grad_bias, out_c, 0.0f);
  // The input gradient is the output gradient's mirrored patches (im2col with `flip`)
  // times the kernel transposed tap by tap: transposed (tap, o) x c = kernel (tap, c) x o.
  MatrixMap transposed = scratch(scratch_buffers.transposed_kernel, 9 * out_c, in_c);
  if (input_delta != nullptr)
    for (Eigen::Index tap = 0; tap < 9; ++tap)
      for (Eigen::Index c = 0; c < in_c; ++c)
        for (Eigen::Index o = 0; o < out_c; ++o)
          transposed(tap * out_c + o, c) = kernel[(tap * in_c + c) * out_c + o];
  const Eigen::Index chunk = samples_per_chunk(shape);
  for (Eigen::Index first = 0; first < samples; first += chunk) {
    const Eigen::Index count = std::min(chunk, samples - first), rows = count * pixels;
    const float* chunk_in = input + first * pixels * in_c;
    const float* chunk_delta = delta + first * pixels * out_c;
    const MatrixMap patches = scratch(scratch_buffers.patches, rows, 9 * in_c);
    im2col(chunk_in, count, shape.height, shape.width, in_c, false, patches);
    const ConstMatrixMap d(chunk_delta, rows, out_c);
    grad_k.noalias() += patches.transpose() * d;
    column_sums(chunk_delta, rows, out_c, grad_bias, true);
    if (input_delta == nullptr) continue;
    const MatrixMap delta_patches = scratch(scratch_buffers.delta_patches, rows, 9 * out_c);
    im2col(chunk_delta, count, shape.height, shape.width, out_c, true, delta_patches);
    ColumnMatrixMap z = column_scratch(scratch_buffers.product, rows, in_c);
    z.noalias() = delta_patches * transposed;
    float* chunk_in_delta = input_delta + first * pixels * in_c;
    for (Eigen::Index r = 0; r < rows; ++r) {
      const float* activation = chunk_in + r * in_c;
      float* row = chunk_in_delta + r * in_c;
      for (Eigen::Index c = 0; c < in_c; ++c)
        row[c] = !relu_input || activation[c] > 0.0f ? z(r, c) : 0.0f;
    }
  }
  MatrixMap(grad_kernel, 9 * in_c, out_c) = grad_k;
}

void maxpool2_forward(const float* input, Eigen::Index samples, Eigen::Index height,
                      Eigen::Index width, Eigen::Index channels, float* output,
                      std::uint8_t* argmax) {
  const Eigen::Index oh = height / 2, ow = width / 2;
  for (Eigen::Index s = 0; s < samples; ++s)
    for (Eigen::Index y = 0; y < oh; ++y)
      for (Eigen::Index x = 0; x < ow; ++x) {
        const float* corners[4] = {
            input + ((s * height + 2 * y) * width + 2 * x) * channels,
            input + ((s * height + 2 * y) * width + 2 * x + 1) * channels,
            input + ((s * height + 2 * y + 1) * width + 2 * x) * channels,
            input + ((s * height + 2 * y + 1) * width + 2 * x + 1) * channels};
        float* out = output + ((s * oh + y) * ow + x) * channels;
        std::uint8_t* arg = argmax + ((s * oh + y) * ow + x) * channels;
        max_of_corners(corners[0], corners[1], corners[2], corners[3], channels, out, arg);
      }
}

void maxpool2_backward(const float* delta, const std::uint8_t* argmax, const float* mask,
                       const float* activation, Eigen::Index samples, Eigen::Index height,
                       Eigen::Index width, Eigen::Index channels, float* input_delta) {
  const Eigen::Index oh = height / 2, ow = width / 2;
  for (Eigen::Index s = 0; s < samples; ++s)
    for (Eigen::Index y = 0; y < oh; ++y)
      for (Eigen::Index x = 0; x < ow; ++x) {
        const Eigen::Index cell = ((s * oh + y) * ow + x) * channels;
        for (std::uint8_t corner = 0; corner < 4; ++corner) {
          const Eigen::Index at =
              ((s * height + 2 * y + corner / 2) * width + 2 * x + corner % 2) * channels;
          route_to_corner(corner, delta + cell, argmax + cell,
                          mask != nullptr ? mask + cell : nullptr,
                          activation != nullptr ? activation + at : nullptr, channels,
                          input_delta + at);
        }
      }
}

void dropout_forward(float* values, std::size_t count, double rate, float* mask, Rng& rng) {
  const auto scale = static_cast<float>(1.0 / (1.0 - rate));
  for (std::size_t i = 0; i < count; ++i) {
    mask[i] = rng.uniform01() < rate ? 0.0f : scale;
    values[i] *= mask[i];
  }
}

}  // namespace cdsim
