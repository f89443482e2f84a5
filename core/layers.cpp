#include "core/layers.h"

#include <algorithm>
#include <cstring>

namespace cdsim {
namespace {

using ConstMatrixMap = Eigen::Map<const RowMatrix>;
using MatrixMap = Eigen::Map<RowMatrix>;
using ConstRowVectorMap = Eigen::Map<const Eigen::RowVectorXf>;

// Rows of im2col patches per GEMM: large enough for efficient products, small enough to
// stay in cache-friendly scratch.
constexpr Eigen::Index kPatchRows = 2048;

Eigen::Index samples_per_chunk(const ConvShape& shape) {
  return std::max<Eigen::Index>(1, kPatchRows / (shape.height * shape.width));
}

// Patch rows of samples [first, first + count): row (s, y, x), columns (ky, kx, c).
void im2col(const float* input, Eigen::Index first, Eigen::Index count, const ConvShape& shape,
            RowMatrix& patches) {
  const Eigen::Index h = shape.height, w = shape.width, c = shape.in_channels;
  const Eigen::Index cols = 9 * c;
  if (patches.rows() < count * h * w || patches.cols() != cols)
    patches.resize(std::max(patches.rows(), count * h * w), cols);
  const auto channel_bytes = static_cast<std::size_t>(c) * sizeof(float);
  for (Eigen::Index s = 0; s < count; ++s) {
    const float* image = input + (first + s) * h * w * c;
    for (Eigen::Index y = 0; y < h; ++y)
      for (Eigen::Index x = 0; x < w; ++x) {
        float* row = patches.data() + ((s * h + y) * w + x) * cols;
        for (Eigen::Index ky = 0; ky < 3; ++ky) {
          const Eigen::Index iy = y + ky - 1;
          for (Eigen::Index kx = 0; kx < 3; ++kx) {
            const Eigen::Index ix = x + kx - 1;
            float* target = row + (ky * 3 + kx) * c;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
              std::memset(target, 0, channel_bytes);
            } else {
              std::memcpy(target, image + (iy * w + ix) * c, channel_bytes);
            }
          }
        }
      }
  }
}

// Adds patch gradients back onto the images they were copied from.
void col2im_add(const RowMatrix& patch_deltas, Eigen::Index first, Eigen::Index count,
                const ConvShape& shape, float* input_delta) {
  const Eigen::Index h = shape.height, w = shape.width, c = shape.in_channels;
  const Eigen::Index cols = 9 * c;
  for (Eigen::Index s = 0; s < count; ++s) {
    float* image = input_delta + (first + s) * h * w * c;
    for (Eigen::Index y = 0; y < h; ++y)
      for (Eigen::Index x = 0; x < w; ++x) {
        const float* row = patch_deltas.data() + ((s * h + y) * w + x) * cols;
        for (Eigen::Index ky = 0; ky < 3; ++ky) {
          const Eigen::Index iy = y + ky - 1;
          if (iy < 0 || iy >= h) continue;
          for (Eigen::Index kx = 0; kx < 3; ++kx) {
            const Eigen::Index ix = x + kx - 1;
            if (ix < 0 || ix >= w) continue;
            const float* source = row + (ky * 3 + kx) * c;
            float* target = image + (iy * w + ix) * c;
            for (Eigen::Index k = 0; k < c; ++k) target[k] += source[k];
          }
        }
      }
  }
}

// out[c] = sum over rows of values[r][c], rows added in order. (Eigen's colwise().sum()
// vectorizes differently depending on where `out` is aligned, which would make the
// rounding depend on the caller's buffer addresses.)
void column_sums(const float* values, Eigen::Index rows, Eigen::Index cols, float* out,
                 bool accumulate) {
  if (!accumulate) std::fill_n(out, cols, 0.0f);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const float* row = values + r * cols;
    for (Eigen::Index c = 0; c < cols; ++c) out[c] += row[c];
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
                     const float* kernel, const float* bias, float* output, RowMatrix& patches) {
  const Eigen::Index pixels = shape.height * shape.width;
  const Eigen::Index cols = 9 * shape.in_channels;
  const ConstMatrixMap k(kernel, cols, shape.out_channels);
  const ConstRowVectorMap b(bias, shape.out_channels);
  const Eigen::Index chunk = samples_per_chunk(shape);
  for (Eigen::Index first = 0; first < samples; first += chunk) {
    const Eigen::Index count = std::min(chunk, samples - first);
    im2col(input, first, count, shape, patches);
    MatrixMap out(output + first * pixels * shape.out_channels, count * pixels, shape.out_channels);
    out.noalias() = patches.topRows(count * pixels) * k;
    out.rowwise() += b;
  }
}

void conv3x3_backward(const float* input, const float* delta, Eigen::Index samples,
                      const ConvShape& shape, const float* kernel, float* grad_kernel,
                      float* grad_bias, float* input_delta, RowMatrix& patches,
                      RowMatrix& patch_deltas) {
  const Eigen::Index pixels = shape.height * shape.width;
  const Eigen::Index cols = 9 * shape.in_channels;
  const ConstMatrixMap k(kernel, cols, shape.out_channels);
  MatrixMap grad_k(grad_kernel, cols, shape.out_channels);
  grad_k.setZero();
  std::fill_n(grad_bias, shape.out_channels, 0.0f);
  if (input_delta != nullptr) std::fill_n(input_delta, samples * pixels * shape.in_channels, 0.0f);
  const Eigen::Index chunk = samples_per_chunk(shape);
  for (Eigen::Index first = 0; first < samples; first += chunk) {
    const Eigen::Index count = std::min(chunk, samples - first);
    const Eigen::Index rows = count * pixels;
    im2col(input, first, count, shape, patches);
    const ConstMatrixMap d(delta + first * pixels * shape.out_channels, rows, shape.out_channels);
    grad_k.noalias() += patches.topRows(rows).transpose() * d;
    column_sums(d.data(), rows, shape.out_channels, grad_bias, true);
    if (input_delta == nullptr) continue;
    if (patch_deltas.rows() < rows || patch_deltas.cols() != cols)
      patch_deltas.resize(std::max(patch_deltas.rows(), rows), cols);
    patch_deltas.topRows(rows).noalias() = d * k.transpose();
    col2im_add(patch_deltas, first, count, shape, input_delta);
  }
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
        for (Eigen::Index c = 0; c < channels; ++c) {
          std::uint8_t best = 0;
          for (std::uint8_t k = 1; k < 4; ++k)
            if (corners[k][c] > corners[best][c]) best = k;
          out[c] = corners[best][c];
          arg[c] = best;
        }
      }
}

void maxpool2_backward(const float* delta, const std::uint8_t* argmax, Eigen::Index samples,
                       Eigen::Index height, Eigen::Index width, Eigen::Index channels,
                       float* input_delta) {
  const Eigen::Index oh = height / 2, ow = width / 2;
  std::fill_n(input_delta, samples * height * width * channels, 0.0f);
  for (Eigen::Index s = 0; s < samples; ++s)
    for (Eigen::Index y = 0; y < oh; ++y)
      for (Eigen::Index x = 0; x < ow; ++x) {
        const Eigen::Index cell = ((s * oh + y) * ow + x) * channels;
        for (Eigen::Index c = 0; c < channels; ++c) {
          const std::uint8_t k = argmax[cell + c];
          const Eigen::Index iy = 2 * y + k / 2, ix = 2 * x + k % 2;
          input_delta[((s * height + iy) * width + ix) * channels + c] = delta[cell + c];
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
