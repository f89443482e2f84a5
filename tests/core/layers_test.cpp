#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/layers.h"
#include "core/rng.h"

using namespace cdsim;

namespace {

// Direct 3x3 same-padding convolution sums in double precision, straight from the layout
// (HWC images, kernel (3, 3, in, out)), for images that span several im2col chunks.
struct DirectConvolution {
  Eigen::Index samples, h, w, in, out;

  double input(const std::vector<float>& x, Eigen::Index s, Eigen::Index y, Eigen::Index xx,
               Eigen::Index c) const {
    if (y < 0 || y >= h || xx < 0 || xx >= w) return 0.0;
    return x[static_cast<std::size_t>(((s * h + y) * w + xx) * in + c)];
  }
  double kernel(const std::vector<float>& k, Eigen::Index ky, Eigen::Index kx, Eigen::Index c,
                Eigen::Index o) const {
    return k[static_cast<std::size_t>(((ky * 3 + kx) * in + c) * out + o)];
  }
  std::size_t at(Eigen::Index s, Eigen::Index y, Eigen::Index x, Eigen::Index channels,
                 Eigen::Index c) const {
    return static_cast<std::size_t>(((s * h + y) * w + x) * channels + c);
  }
};

std::vector<float> random_values(std::size_t count, std::uint64_t stream) {
  Rng rng(11, stream, RngPurpose::kData);
  std::vector<float> values(count);
  for (float& v : values) v = static_cast<float>(rng.normal());
  return values;
}

// The largest differences between conv3x3_forward / conv3x3_backward and the direct sums.
struct ConvErrors {
  double forward = 0, kernel = 0, bias = 0, input = 0;
};

ConvErrors conv3x3_errors(const DirectConvolution& ref) {
  const ConvShape shape{ref.h, ref.w, ref.in, ref.out};
  const std::size_t pixels = static_cast<std::size_t>(ref.samples * ref.h * ref.w);
  const auto in = static_cast<std::size_t>(ref.in), out = static_cast<std::size_t>(ref.out);
  const std::vector<float> x = random_values(pixels * in, 1),
                           kernel = random_values(9 * in * out, 2), bias = random_values(out, 3),
                           delta = random_values(pixels * out, 4);
  ConvErrors errors;
  ConvScratch scratch;
  for (bool relu : {false, true}) {
    std::vector<float> y(pixels * out);
    conv3x3_forward(x.data(), ref.samples, shape, kernel.data(), bias.data(), relu, y.data(),
                    scratch);
    double worst = 0;
    for (Eigen::Index s = 0; s < ref.samples; ++s)
      for (Eigen::Index r = 0; r < ref.h; ++r)
        for (Eigen::Index c = 0; c < ref.w; ++c)
          for (Eigen::Index o = 0; o < ref.out; ++o) {
            double sum = bias[static_cast<std::size_t>(o)];
            for (Eigen::Index ky = 0; ky < 3; ++ky)
              for (Eigen::Index kx = 0; kx < 3; ++kx)
                for (Eigen::Index i = 0; i < ref.in; ++i)
                  sum += ref.input(x, s, r + ky - 1, c + kx - 1, i) * ref.kernel(kernel, ky, kx, i, o);
            if (relu) sum = std::max(sum, 0.0);
            worst = std::max(worst, std::abs(sum - y[ref.at(s, r, c, ref.out, o)]));
          }
    errors.forward = std::max(errors.forward, worst);
  }

  // Backward: dL/dK = sum of input patch x delta, dL/db = sum of delta, dL/dx = sum over
  // the outputs each input pixel reaches, masked where x (taken as a ReLU output) <= 0.
  for (bool relu_input : {false, true}) {
    std::vector<float> grad_kernel(kernel.size(), 7.0f), grad_bias(out, 7.0f), dx(x.size(), 7.0f);
    conv3x3_backward(x.data(), delta.data(), ref.samples, shape, kernel.data(), grad_kernel.data(),
                     grad_bias.data(), dx.data(), relu_input, scratch);
    double worst_kernel = 0, worst_bias = 0, worst_input = 0;
    for (Eigen::Index ky = 0; ky < 3; ++ky)
      for (Eigen::Index kx = 0; kx < 3; ++kx)
        for (Eigen::Index i = 0; i < ref.in; ++i)
          for (Eigen::Index o = 0; o < ref.out; ++o) {
            double sum = 0;
            for (Eigen::Index s = 0; s < ref.samples; ++s)
              for (Eigen::Index r = 0; r < ref.h; ++r)
                for (Eigen::Index c = 0; c < ref.w; ++c)
                  sum += ref.input(x, s, r + ky - 1, c + kx - 1, i) *
                         delta[ref.at(s, r, c, ref.out, o)];
            const auto k = static_cast<std::size_t>(((ky * 3 + kx) * ref.in + i) * ref.out + o);
            worst_kernel = std::max(worst_kernel, std::abs(sum - grad_kernel[k]));
          }
    for (Eigen::Index o = 0; o < ref.out; ++o) {
      double sum = 0;
      for (std::size_t p = 0; p < pixels; ++p) sum += delta[p * out + static_cast<std::size_t>(o)];
      worst_bias = std::max(worst_bias, std::abs(sum - grad_bias[static_cast<std::size_t>(o)]));
    }
    for (Eigen::Index s = 0; s < ref.samples; ++s)
      for (Eigen::Index r = 0; r < ref.h; ++r)
        for (Eigen::Index c = 0; c < ref.w; ++c)
          for (Eigen::Index i = 0; i < ref.in; ++i) {
            double sum = 0;
            for (Eigen::Index ky = 0; ky < 3; ++ky)
              for (Eigen::Index kx = 0; kx < 3; ++kx) {
                const Eigen::Index oy = r - (ky - 1), ox = c - (kx - 1);
                if (oy < 0 || oy >= ref.h || ox < 0 || ox >= ref.w) continue;
                for (Eigen::Index o = 0; o < ref.out; ++o)
                  sum += delta[ref.at(s, oy, ox, ref.out, o)] * ref.kernel(kernel, ky, kx, i, o);
              }
            const std::size_t index = ref.at(s, r, c, ref.in, i);
            if (relu_input && x[index] <= 0.0f) sum = 0.0;
            worst_input = std::max(worst_input, std::abs(sum - dx[index]));
          }
    errors.kernel = std::max(errors.kernel, worst_kernel);
    errors.bias = std::max(errors.bias, worst_bias);
    errors.input = std::max(errors.input, worst_input);
  }
  return errors;
}

}  // namespace

TEST_CASE("conv3x3 forward and backward over several im2col chunks match direct sums") {
  // 40 images of 5 x 6 pixels: 1,200 patch rows, so the 512-row chunks split the batch into
  // three, the last one partial; the gradients must accumulate across them. 3 input and 4
  // output channels take the im2col path.
  const ConvErrors errors = conv3x3_errors({40, 5, 6, 3, 4});
  CHECK(errors.forward < 1e-4);  // sums of 27 products of unit normals
  CHECK(errors.kernel < 1e-3);   // sums of 1,200 products
  CHECK(errors.bias < 1e-3);
  CHECK(errors.input < 1e-4);
}

TEST_CASE("conv3x3 by winograd over several chunks and odd sizes matches direct sums") {
  // 16 input and 24 output channels take Winograd's path in the forward pass and for both
  // gradients. 5 x 7 images have 2 x 2 tiles of 4 x 4 whose last row and column overhang
  // the image; 50 of them span four 64-tile chunks (16 images each), the last one partial.
  const ConvErrors errors = conv3x3_errors({50, 5, 7, 16, 24});
  MESSAGE("winograd errors: forward " << errors.forward << ", kernel " << errors.kernel
                                      << ", bias " << errors.bias << ", input " << errors.input);
  // F(4x4, 3x3)'s transforms (coefficients up to 8, scales down to 1/576) round about 15
  // times more than im2col's sums: measured 1.6e-4 forward, 3e-4 input gradient, 4e-4
  // kernel gradient, each about 1e-5 of the typical magnitude (sums of 144, 216 and 1,750
  // products of unit normals: about 12, 15 and 42). A wrong transform is off by O(1).
  CHECK(errors.forward < 1e-3);
  CHECK(errors.kernel < 2e-3);
  CHECK(errors.bias < 1e-3);
  CHECK(errors.input < 1e-3);
}

TEST_CASE(
    "max pooling keeps the first of the largest corners and routes the gradient there, "
    "through dropout and relu") {
  // 3 images of 4 x 6 pixels and 13 channels (not a whole number of vectors), with values
  // drawn from {0, 1, 2} so that many windows tie.
  const Eigen::Index samples = 3, h = 4, w = 6, channels = 13;
  const auto count = static_cast<std::size_t>(samples * h * w * channels);
  std::vector<float> x = random_values(count, 5);
  for (float& v : x) v = std::floor(std::abs(v) * 1.5f);
  for (float& v : x) v = std::min(v, 2.0f);
  std::vector<float> pooled(count / 4);
  std::vector<std::uint8_t> argmax(count / 4);
  maxpool2_forward(x.data(), samples, h, w, channels, pooled.data(), argmax.data());
  const std::vector<float> delta = random_values(count / 4, 6);
  // Backward plain, and with a dropout mask and the ReLU's gate (x as the activation: the
  // zeros among the winners must get no gradient).
  const std::vector<float> mask = random_values(count / 4, 7);
  std::vector<float> dx(count, 7.0f), gated_dx(count, 7.0f);
  maxpool2_backward(delta.data(), argmax.data(), nullptr, nullptr, samples, h, w, channels,
                    dx.data());
  maxpool2_backward(delta.data(), argmax.data(), mask.data(), x.data(), samples, h, w, channels,
                    gated_dx.data());
  int ties = 0, wrong_forward = 0;
  int gated = 0;
  std::vector<float> expected_dx(count, 0.0f), expected_gated_dx(count, 0.0f);
  for (Eigen::Index s = 0; s < samples; ++s)
    for (Eigen::Index y = 0; y < h / 2; ++y)
      for (Eigen::Index xx = 0; xx < w / 2; ++xx)
        for (Eigen::Index c = 0; c < channels; ++c) {
          std::size_t first_best = 0;
          float best = -1;
          int equal = 0;
          for (Eigen::Index corner = 0; corner < 4; ++corner) {
            const std::size_t at = static_cast<std::size_t>(
                ((s * h + 2 * y + corner / 2) * w + 2 * xx + corner % 2) * channels + c);
            if (x[at] > best) {
              best = x[at];
              first_best = at;
              equal = 1;
            } else if (x[at] == best) {
              ++equal;
            }
          }
          const auto cell = static_cast<std::size_t>(((s * h / 2 + y) * (w / 2) + xx) * channels + c);
          if (pooled[cell] != best) ++wrong_forward;
          const std::size_t routed = static_cast<std::size_t>(
              ((s * h + 2 * y + argmax[cell] / 2) * w + 2 * xx + argmax[cell] % 2) * channels + c);
          if (routed != first_best) ++wrong_forward;
          if (equal > 1) ++ties;
          expected_dx[first_best] = delta[cell];
          expected_gated_dx[first_best] = best > 0 ? delta[cell] * mask[cell] : 0.0f;
          if (best == 0) ++gated;
        }
  CHECK(ties > 20);  // the case the first-of-equals rule is about does occur
  CHECK(wrong_forward == 0);
  CHECK(gated > 10);
  CHECK(dx == expected_dx);
  CHECK(gated_dx == expected_gated_dx);
}

TEST_CASE("conv3x3 results do not depend on where the buffers sit in memory") {
  // 20 input and 18 output channels: Winograd, with channels left over after whole
  // vectors on both sides. Every buffer is copied to offsets of 0..7 floats (every
  // alignment modulo 32 bytes); all results must match offset 0's bit for bit.
  const Eigen::Index samples = 6, h = 6, w = 5, in = 20, out = 18;
  const ConvShape shape{h, w, in, out};
  const auto input_size = static_cast<std::size_t>(samples * h * w * in),
             output_size = static_cast<std::size_t>(samples * h * w * out),
             kernel_size = static_cast<std::size_t>(shape.kernel_size());
  const std::vector<float> x = random_values(input_size, 8), kernel = random_values(kernel_size, 9),
                           bias = random_values(static_cast<std::size_t>(out), 10),
                           delta = random_values(output_size, 11);
  std::vector<float> reference;
  int mismatches = 0;
  for (std::size_t offset = 0; offset < 8; ++offset) {
    auto placed = [&](const std::vector<float>& values) {
      std::vector<float> buffer(values.size() + 8, 0.0f);
      std::copy(values.begin(), values.end(), buffer.begin() + static_cast<std::ptrdiff_t>(offset));
      return buffer;
    };
    const std::vector<float> px = placed(x), pk = placed(kernel), pb = placed(bias),
                             pd = placed(delta);
    std::vector<float> y(output_size + 8), gk(kernel_size + 8), gb(static_cast<std::size_t>(out) + 8),
        dx(input_size + 8);
    ConvScratch scratch;
    conv3x3_forward(px.data() + offset, samples, shape, pk.data() + offset, pb.data() + offset,
                    true, y.data() + offset, scratch);
    conv3x3_backward(px.data() + offset, pd.data() + offset, samples, shape, pk.data() + offset,
                     gk.data() + offset, gb.data() + offset, dx.data() + offset, true, scratch);
    std::vector<float> results;
    for (const std::vector<float>* r : {&y, &gk, &gb, &dx})
      results.insert(results.end(), r->begin() + static_cast<std::ptrdiff_t>(offset),
                     r->end() - static_cast<std::ptrdiff_t>(8 - offset));
    if (offset == 0)
      reference = results;
    else if (std::memcmp(results.data(), reference.data(), results.size() * sizeof(float)) != 0)
      ++mismatches;
  }
  CHECK(reference.size() == output_size + kernel_size + static_cast<std::size_t>(out) + input_size);
  CHECK(mismatches == 0);
}
