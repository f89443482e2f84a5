// 3x3 same-padding convolutions of channels-last (HWC) images by Winograd's minimal
// filtering F(4x4, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016): each 4x4 block of outputs is computed from the 6x6 block of inputs
// around it with 36 multiplications per (input, output) channel pair instead of 144. The
// products of the 36 transformed positions are 36 matrix products (tiles x in) * (in x out),
// run by Eigen's GEMM; the kernel gradient is computed the same way. It rounds differently
// from im2col + GEMM but deterministically: the transforms' coefficients are chosen so
// that fused multiply-adds cannot change them (core/winograd.cpp), each channel takes the
// vector or the scalar path by its index alone, and the GEMMs' sizes depend only on the
// shapes and the number of images.
#pragma once

#include <Eigen/Core>
#include <vector>

namespace cdsim {

// Scratch of the Winograd convolutions; it grows to the largest layer and is then reused.
struct WinogradScratch {
  std::vector<float> flipped_kernel;   // the input gradient's kernel, (3, 3, out, in)
  std::vector<float> kernel;           // transformed kernel: 36 matrices (in x out)
  std::vector<float> kernel_gradient;  // its gradient, summed over tiles: the same shape
  std::vector<float> tiles;     // transformed input tiles of a chunk: 36 x tiles x in
  std::vector<float> products;  // their products with the kernel, or the transformed output
                                // gradients: 36 x tiles x out
  std::vector<float> zeros;     // an input pixel outside the image
  std::vector<float> discard;   // where outputs outside the image (odd sizes) are written
};

// Transforms a convolution kernel laid out as Keras' (3, 3, in, out), row-major, into the
// 36 matrices the convolution multiplies by, in scratch.kernel (returned): with
// `input_gradient` false, G g G^T for each (in, out) pair, as 36 (in x out) matrices; with
// it true, the same for the kernel of the input gradient (the window mirrored and the
// channels swapped: (ky, kx, o, c) = kernel(2 - ky, 2 - kx, c, o)), as 36 (out x in)
// matrices.
const float* winograd_transform_kernel(const float* kernel, Eigen::Index in, Eigen::Index out,
                                       bool input_gradient, WinogradScratch& scratch);

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
