// 3x3 same-padding convolutions of channels-last (HWC) images by Winograd's minimal
// filtering F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016): each 2x2 block of outputs is computed from the 4x4 block of inputs
// around it with 16 multiplications per (input, output) channel pair instead of 36. The
// products of the 16 transformed positions are 16 matrix products (tiles x in) * (in x out),
// run by Eigen's GEMM. It rounds differently from im2col + GEMM but deterministically: every
// transform is a fixed sequence of additions (and exact halvings), and the GEMMs' sizes
// depend only on the shapes and the number of images.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace cdsim {

// Scratch of the Winograd convolutions; it grows to the largest layer and is then reused.
struct WinogradScratch {
  std::vector<float> kernel;           // transformed kernel: 16 matrices (in x out)
  std::vector<float> kernel_gradient;  // its gradient, summed over tiles: the same shape
  std::vector<float> tiles;     // transformed input tiles of a chunk: 16 matrices (tiles x in)
  std::vector<float> products;  // their products with the kernel, or the transformed output
                                // gradients: 16 matrices (tiles x out)
  std::vector<float> zeros;     // an input pixel outside the image
  std::vector<float> discard;   // where outputs outside the image (odd sizes) are written
};

// Transforms a convolution kernel laid out as Keras' (3, 3, in, out), row-major, into the
// 16 matrices the convolution multiplies by: with `input_gradient` false, G g G^T for each
// (in, out) pair, as 16 (in x out) matrices; with it true, the same for the kernel of the
// input gradient (the window mirrored and the channels swapped: (ky, kx, o, c) =
// kernel(2 - ky, 2 - kx, c, o)), as 16 (out x in) matrices. Writes 16 * in * out floats.
void winograd_transform_kernel(const float* kernel, Eigen::Index in, Eigen::Index out,
                               bool input_gradient, float* transformed);

// output (samples HWC images of `out` channels) = 3x3 same-padding correlation of `input`
// (`in` channels) with the kernel that `transformed` came from (winograd_transform_kernel),
// then for each value: + bias[o] when `bias` is not null, max(0, .) when `relu`, and zero
// where gate (same layout as output) is not positive when `gate` is not null.
void winograd_conv3x3(const float* input, Eigen::Index samples, Eigen::Index height,
                      Eigen::Index width, Eigen::Index in, Eigen::Index out,
                      const float* transformed, const float* bias, bool relu, const float* gate,
                      float* output, WinogradScratch& scratch);

// grad_kernel (Keras' (3, 3, in, out) layout, overwritten) = the gradient of the
// convolution's kernel from its input (samples HWC images, `in` channels) and the gradient
// with respect to its (pre-activation) output, `delta` (`out` channels): the sum over
// pixels of the input patch times delta.
void winograd_kernel_gradient(const float* input, const float* delta, Eigen::Index samples,
                              Eigen::Index height, Eigen::Index width, Eigen::Index in,
                              Eigen::Index out, float* grad_kernel, WinogradScratch& scratch);

}  // namespace cdsim
