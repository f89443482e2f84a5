#include "core/winograd.h"

#include <algorithm>

namespace cdsim {
namespace {

using Eigen::Index;
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Packet = Eigen::internal::packet_traits<float>::type;
constexpr Index kLanes = Eigen::internal::packet_traits<float>::size;

// Tiles (2x2 outputs) per batch of 16 GEMMs: enough rows for Eigen's blocking to run at
// full rate, few enough that a chunk's transformed inputs and products (16 x tiles x
// channels floats each) stay in the L2 cache between the transforms and the products.
constexpr Index kChunkTiles = 256;

// Floats between consecutive matrices of the 16: a tile's 16 values are 16 loads or stores
// one matrix apart, and matrices whose size is a multiple of 4 KiB (256 tiles x 32
// channels) would put them all in the same L1 cache set. One cache line apart spreads them.
constexpr Index kMatrixPadding = 16;

// Floats from one of the 16 matrices (rows x cols) to the next.
Index matrix_stride(Index rows, Index cols) { return rows * cols + kMatrixPadding; }

// Runs body.operator()<P>(c) over channels 0..count: whole packets first, then the
// remaining channels one float at a time. Which channels take which path depends only on
// `count`, so the rounding never depends on where a buffer sits.
template <typename Body>
void for_each_channel(Index count, Body body) {
  Index c = 0;
  for (; c + kLanes <= count; c += kLanes) body.template operator()<Packet>(c);
  for (; c < count; ++c) body.template operator()<float>(c);
}

float* grow(std::vector<float>& buffer, Index size) {
  if (buffer.size() < static_cast<std::size_t>(size)) buffer.resize(static_cast<std::size_t>(size));
  return buffer.data();
}

// The 16 transformed values of one channel range of a tile: v[xi * stride] = (B^T d B)[xi]
// for the 4x4 input pixels d (row by row), with
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
template <typename P>
void transform_input_tile(const float* const (&d)[16], Index c, float* v, Index stride) {
  using namespace Eigen::internal;
  P t[16];  // B^T d
  for (int j = 0; j < 4; ++j) {
    const P d0 = ploadu<P>(d[j] + c), d1 = ploadu<P>(d[4 + j] + c),
            d2 = ploadu<P>(d[8 + j] + c), d3 = ploadu<P>(d[12 + j] + c);
    t[j] = psub(d0, d2);
    t[4 + j] = padd(d1, d2);
    t[8 + j] = psub(d2, d1);
    t[12 + j] = psub(d1, d3);
  }
  for (int i = 0; i < 4; ++i) {
    const P* r = t + 4 * i;
    pstoreu(v + (4 * i) * stride + c, psub(r[0], r[2]));
    pstoreu(v + (4 * i + 1) * stride + c, padd(r[1], r[2]));
    pstoreu(v + (4 * i + 2) * stride + c, psub(r[2], r[1]));
    pstoreu(v + (4 * i + 3) * stride + c, psub(r[1], r[3]));
  }
}

// What is applied to each output value after the transform.
struct Epilogue {
  const float* bias;  // added when not null
  bool relu;
};

// One tile's 2x2 outputs for one channel range: y = A^T m A for the 16 products m
// (m[xi * stride]), with A^T = [1 1 1 0; 0 1 -1 -1], then the epilogue, and zero where
// the gate is not positive (gate pointers at zeros when there is no gate).
template <typename P>
void transform_output_tile(const float* m, Index stride, Index c, const Epilogue& epilogue,
                           const float* const (&gate)[4], bool gated, float* const (&y)[4]) {
  using namespace Eigen::internal;
  P s[8];  // A^T m
  for (int j = 0; j < 4; ++j) {
    const P m0 = ploadu<P>(m + j * stride + c), m1 = ploadu<P>(m + (4 + j) * stride + c),
            m2 = ploadu<P>(m + (8 + j) * stride + c), m3 = ploadu<P>(m + (12 + j) * stride + c);
    s[j] = padd(padd(m0, m1), m2);
    s[4 + j] = psub(psub(m1, m2), m3);
  }
  const P zero = pset1<P>(0.0f);
  for (int i = 0; i < 2; ++i) {
    const P* r = s + 4 * i;
    P out[2] = {padd(padd(r[0], r[1]), r[2]), psub(psub(r[1], r[2]), r[3])};
    for (int j = 0; j < 2; ++j) {
      P value = out[j];
      if (epilogue.bias != nullptr) value = padd(value, ploadu<P>(epilogue.bias + c));
      if (epilogue.relu) value = pmax(value, zero);
      if (gated) value = pselect(pcmp_lt(zero, ploadu<P>(gate[2 * i + j] + c)), value, zero);
      pstoreu(y[2 * i + j] + c, value);
    }
  }
}

// Geometry of a chunk of images and its tiles.
struct Tiling {
  Index height, width, tiles_y, tiles_x;
  Index tiles_per_image() const { return tiles_y * tiles_x; }
};

// Transforms every tile of `count` images (HWC, `in` channels) into the 16 (tiles x in)
// matrices at v; pixels outside an image read as `zeros`.
void transform_inputs(const float* images, Index count, const Tiling& tiling, Index in,
                      const float* zeros, float* v) {
  const Index tiles = count * tiling.tiles_per_image(), stride = matrix_stride(tiles, in);
  Index tile = 0;
  for (Index s = 0; s < count; ++s) {
    const float* image = images + s * tiling.height * tiling.width * in;
    for (Index ty = 0; ty < tiling.tiles_y; ++ty)
      for (Index tx = 0; tx < tiling.tiles_x; ++tx, ++tile) {
        const float* d[16];
        for (Index i = 0; i < 4; ++i)
          for (Index j = 0; j < 4; ++j) {
            const Index y = 2 * ty - 1 + i, x = 2 * tx - 1 + j;
            const bool inside = y >= 0 && y < tiling.height && x >= 0 && x < tiling.width;
            d[4 * i + j] = inside ? image + (y * tiling.width + x) * in : zeros;
          }
        float* target = v + tile * in;
        for_each_channel(in, [&]<typename P>(Index c) {
          transform_input_tile<P>(d, c, target, stride);
        });
      }
  }
}

// Turns the 16 (tiles x out) products at m into `count` output images (HWC, `out`
// channels); outputs past an odd edge are written to `discard`.
void transform_outputs(const float* m, Index count, const Tiling& tiling, Index out,
                       const Epilogue& epilogue, const float* gate, const float* zeros,
                       float* discard, float* output) {
  const Index tiles = count * tiling.tiles_per_image(), stride = matrix_stride(tiles, out);
  const Index pixels = tiling.height * tiling.width;
  Index tile = 0;
  for (Index s = 0; s < count; ++s)
    for (Index ty = 0; ty < tiling.tiles_y; ++ty)
      for (Index tx = 0; tx < tiling.tiles_x; ++tx, ++tile) {
        float* y[4];
        const float* g[4];
        for (Index i = 0; i < 2; ++i)
          for (Index j = 0; j < 2; ++j) {
            const Index row = 2 * ty + i, column = 2 * tx + j;
            const bool inside = row < tiling.height && column < tiling.width;
            const Index at = (s * pixels + row * tiling.width + column) * out;
            y[2 * i + j] = inside ? output + at : discard;
            g[2 * i + j] = inside && gate != nullptr ? gate + at : zeros;
          }
        const float* source = m + tile * out;
        for_each_channel(out, [&]<typename P>(Index c) {
          transform_output_tile<P>(source, stride, c, epilogue, g, gate != nullptr, y);
        });
      }
}

}  // namespace

void winograd_transform_kernel(const float* kernel, Index in, Index out, bool input_gradient,
                               float* transformed) {
  // U = G g G^T with G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], computed as the integer
  // combinations first and the halvings last, so no product is ever added to (the same
  // rounding whether or not the compiler fuses multiply-adds).
  const Index rows = input_gradient ? out : in, cols = input_gradient ? in : out;
  constexpr float kRowScale[4] = {1.0f, 0.5f, 0.5f, 1.0f};
  for (Index r = 0; r < rows; ++r)
    for (Index col = 0; col < cols; ++col) {
      float g[3][3];
      for (Index ky = 0; ky < 3; ++ky)
        for (Index kx = 0; kx < 3; ++kx)
          g[ky][kx] = input_gradient ? kernel[(((2 - ky) * 3 + 2 - kx) * in + col) * out + r]
                                     : kernel[((ky * 3 + kx) * in + r) * out + col];
      float a[4][3];  // G g without the halvings
      for (Index kx = 0; kx < 3; ++kx) {
        a[0][kx] = g[0][kx];
        a[1][kx] = (g[0][kx] + g[1][kx]) + g[2][kx];
        a[2][kx] = (g[0][kx] - g[1][kx]) + g[2][kx];
        a[3][kx] = g[2][kx];
      }
      for (Index i = 0; i < 4; ++i) {
        const float u[4] = {a[i][0], (a[i][0] + a[i][1]) + a[i][2], (a[i][0] - a[i][1]) + a[i][2],
                            a[i][2]};
        for (Index j = 0; j < 4; ++j)
          transformed[((4 * i + j) * rows + r) * cols + col] =
              u[j] * (kRowScale[i] * kRowScale[j]);
      }
    }
}

void winograd_conv3x3(const float* input, Index samples, Index height, Index width, Index in,
                      Index out, const float* transformed, const float* bias, bool relu,
                      const float* gate, float* output, WinogradScratch& scratch) {
  const Tiling tiling{height, width, (height + 1) / 2, (width + 1) / 2};
  const Index chunk = std::max<Index>(1, kChunkTiles / tiling.tiles_per_image());
  const auto widest = static_cast<std::size_t>(std::max(in, out));
  if (scratch.zeros.size() < widest) scratch.zeros.assign(widest, 0.0f);
  float* discard = grow(scratch.discard, out);
  const Epilogue epilogue{bias, relu};
  const Index image = height * width;
  for (Index first = 0; first < samples; first += chunk) {
    const Index count = std::min(chunk, samples - first);
    const Index tiles = count * tiling.tiles_per_image();
    const Index v_stride = matrix_stride(tiles, in), m_stride = matrix_stride(tiles, out);
    float* v = grow(scratch.tiles, 16 * v_stride);
    float* m = grow(scratch.products, 16 * m_stride);
    transform_inputs(input + first * image * in, count, tiling, in, scratch.zeros.data(), v);
    for (Index xi = 0; xi < 16; ++xi)
      Eigen::Map<RowMatrix>(m + xi * m_stride, tiles, out).noalias() =
          Eigen::Map<const RowMatrix>(v + xi * v_stride, tiles, in) *
          Eigen::Map<const RowMatrix>(transformed + xi * in * out, in, out);
    transform_outputs(m, count, tiling, out, epilogue,
                      gate != nullptr ? gate + first * image * out : nullptr,
                      scratch.zeros.data(), discard, output + first * image * out);
  }
}

}  // namespace cdsim
