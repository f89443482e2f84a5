#include <doctest/doctest.h>

#include <cmath>
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

}  // namespace

TEST_CASE("conv3x3 forward and backward over several im2col chunks match direct sums") {
  // 40 images of 5 x 6 pixels: 1,200 patch rows, so the 512-row chunks split the batch into
  // three, the last one partial; the gradients must accumulate across them.
  const DirectConvolution ref{40, 5, 6, 3, 4};
  const ConvShape shape{ref.h, ref.w, ref.in, ref.out};
  const std::size_t pixels = static_cast<std::size_t>(ref.samples * ref.h * ref.w);
  const std::vector<float> x = random_values(pixels * 3, 1), kernel = random_values(9 * 3 * 4, 2),
                           bias = random_values(4, 3), delta = random_values(pixels * 4, 4);
  ConvScratch scratch;
  for (bool relu : {false, true}) {
    std::vector<float> y(pixels * 4);
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
    CHECK(worst < 1e-4);
  }

  // Backward: dL/dK = sum of input patch x delta, dL/db = sum of delta, dL/dx = sum over
  // the outputs each input pixel reaches, masked where x (taken as a ReLU output) <= 0.
  for (bool relu_input : {false, true}) {
    std::vector<float> grad_kernel(kernel.size(), 7.0f), grad_bias(4, 7.0f), dx(x.size(), 7.0f);
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
      for (std::size_t p = 0; p < pixels; ++p) sum += delta[p * 4 + static_cast<std::size_t>(o)];
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
    CHECK(worst_kernel < 1e-3);  // sums of 1,200 products of unit normals
    CHECK(worst_bias < 1e-3);
    CHECK(worst_input < 1e-4);
  }
}
