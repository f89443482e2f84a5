#include "core/winograd.h"

#include <algorithm>

namespace cdsim {
namespace {

using Eigen::Index;
using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Packet = Eigen::internal::packet_traits<float>::type;
constexpr Index kLanes = Eigen::internal::packet_traits<float>::size;

// x * k for a constant k, on packets or floats.
template <typename P>
P times(float k, const P& x) {
  return Eigen::internal::pmul(Eigen::internal::pset1<P>(k), x);
}

// The 1-D transforms of F(m x m, 3 x 3), applied along columns then rows (Lavin and Gray's
// matrices; n = m + 2 inputs per tile side; a variant is a struct of them, as F4 below):
//   input   t = B^T d   (n -> n)        output  y = A^T t     (n -> m)
//   kernel  u = G'' g   (3 -> n)        delta   t = A y       (m -> n)
//   kernel gradient  w = G''^T t  (n -> 3)
// G = S G'' with G'' integer and S diagonal (kScale): the kernel's and the gradients'
// transforms use G'' and apply S once, as a final multiplication that nothing is added to.
// Every other coefficient is 0, +-1 or a power of 2, whose products are exact, so the
// results are the same whether or not the compiler fuses multiply-adds: which path (vector
// or scalar) an element takes can never change its rounding.

// F(4x4, 3x3), with the interpolation points 0, 1, -1, 2, -2:
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0;
//          0 4 0 -5 0 1],
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1],
//   G'' = [1 0 0; 1 1 1; 1 -1 1; 1 2 4; 1 -2 4; 0 0 1], S = diag(1/4, -1/6, -1/6, 1/24,
//   1/24, 1). (The 5s of B^T are computed as 4 x (a - b) - b.)
struct F4 {
  static constexpr int kOut = 4, kIn = 6;
  static constexpr double kScale[kIn] = {1.0 / 4, -1.0 / 6, -1.0 / 6, 1.0 / 24, 1.0 / 24, 1.0};

  template <typename P>
  static void input(const P (&d)[kIn], P (&t)[kIn]) {
    using namespace Eigen::internal;
    const P a = psub(d[4], times(4.0f, d[2])), b = psub(d[3], times(4.0f, d[1]));
    const P c = psub(d[4], d[2]), e = times(2.0f, psub(d[3], d[1]));
    t[0] = padd(times(4.0f, psub(d[0], d[2])), c);
    t[1] = padd(a, b);
    t[2] = psub(a, b);
    t[3] = padd(c, e);
    t[4] = psub(c, e);
    t[5] = padd(times(4.0f, psub(d[1], d[3])), psub(d[5], d[3]));
  }
  template <typename P>
  static void output(const P (&t)[kIn], P (&y)[kOut]) {
    using namespace Eigen::internal;
    const P sum12 = padd(t[1], t[2]), difference12 = psub(t[1], t[2]);
    const P sum34 = padd(t[3], t[4]), difference34 = psub(t[3], t[4]);
    y[0] = padd(padd(t[0], sum12), sum34);
    y[1] = padd(difference12, times(2.0f, difference34));
    y[2] = padd(sum12, times(4.0f, sum34));
    y[3] = padd(padd(difference12, times(8.0f, difference34)), t[5]);
  }
  template <typename P>
  static void delta(const P (&y)[kOut], P (&t)[kIn]) {
    using namespace Eigen::internal;
    const P even = padd(y[0], y[2]), odd = padd(y[1], y[3]);
    const P even4 = padd(y[0], times(4.0f, y[2])), odd4 = padd(times(2.0f, y[1]), times(8.0f, y[3]));
    t[0] = y[0];
    t[1] = padd(even, odd);
    t[2] = psub(even, odd);
    t[3] = padd(even4, odd4);
    t[4] = psub(even4, odd4);
    t[5] = y[3];
  }
  template <typename P>
  static void kernel(const P (&g)[3], P (&u)[kIn]) {
    using namespace Eigen::internal;
    u[0] = g[0];
    u[1] = padd(padd(g[0], g[1]), g[2]);
    u[2] = padd(psub(g[0], g[1]), g[2]);
    u[3] = padd(padd(g[0], times(2.0f, g[1])), times(4.0f, g[2]));
    u[4] = padd(psub(g[0], times(2.0f, g[1])), times(4.0f, g[2]));
    u[5] = g[2];
  }
  static void kernel_gradient(const float (&t)[kIn], float (&w)[3]) {
    w[0] = (t[0] + (t[1] + t[2])) + (t[3] + t[4]);
    w[1] = (t[1] - t[2]) + 2.0f * (t[3] - t[4]);
    w[2] = ((t[1] + t[2]) + 4.0f * (t[3] + t[4])) + t[5];
  }
};

// The variant the convolutions use. F(4x4) needs 36 multiplications per 16 outputs and
// channel pair where F(2x2) needs 64 (direct: 144), and moves less transformed data: on the
// CNN's 32x32 and 16x16 layers its step took 197 ms where F(2x2)'s took 259.
using Variant = F4;
constexpr int kOut = Variant::kOut, kIn = Variant::kIn, kPositions = kIn * kIn;

// Tiles (kOut x kOut outputs) per batch of kPositions GEMMs: enough rows for Eigen's
// blocking to run at full rate, few enough that a chunk's transformed inputs and products
// stay in the L2 cache between the transforms and the products.
constexpr Index kChunkTiles = 64;

// Transformed values are stored tile by tile: a tile's positions x channels, then a cache
// line of padding, so the transforms read and write each tile's values together; position
// xi of all the tiles is a (tiles x channels) matrix with this outer stride. (The padding
// keeps the rows from sitting a multiple of a large power of two apart, in few L1 cache
// sets: without it, F(2x2)'s 16 x 32 channels x 256 tiles ran 4 % slower.)
constexpr Index kTilePadding = 16;

Index tile_stride(Index channels) { return kPositions * channels + kTilePadding; }

using StridedMap = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;
using ConstStridedMap = Eigen::Map<const RowMatrix, 0, Eigen::OuterStride<>>;

// Position xi's (tiles x channels) matrix of the transformed values at `values`.
StridedMap position(float* values, Index xi, Index tiles, Index channels) {
  return StridedMap(values + xi * channels, tiles, channels,
                    Eigen::OuterStride<>(tile_stride(channels)));
}
ConstStridedMap position(const float* values, Index xi, Index tiles, Index channels) {
  return ConstStridedMap(values + xi * channels, tiles, channels,
                         Eigen::OuterStride<>(tile_stride(channels)));
}

// Runs body.operator()<P>(c) over channels 0..count: whole packets first, then the
// remaining channels one float at a time. Which channels take which path depends only on
// `count`, never on where a buffer sits.
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

// The kPositions transformed values of one channel range of a tile, B^T d B for the
// kIn x kIn input pixels d (row by row): v[xi * stride].
template <typename P>
void transform_input_tile(const float* const (&d)[kPositions], Index c, float* v, Index stride) {
  using namespace Eigen::internal;
  P t[kIn][kIn];  // B^T d
  for (int j = 0; j < kIn; ++j) {
    P column[kIn], transformed[kIn];
    for (int i = 0; i < kIn; ++i) column[i] = ploadu<P>(d[i * kIn + j] + c);
    Variant::input(column, transformed);
    for (int i = 0; i < kIn; ++i) t[i][j] = transformed[i];
  }
  for (int i = 0; i < kIn; ++i) {
    P transformed[kIn];
    Variant::input(t[i], transformed);
    for (int j = 0; j < kIn; ++j) pstoreu(v + (i * kIn + j) * stride + c, transformed[j]);
  }
}

// What is applied to each output value after the transform.
struct Epilogue {
  const float* bias;  // added when not null
  bool relu;
};

// One tile's kOut x kOut outputs for one channel range: A^T m A for the products m
// (m[xi * stride]), then the epilogue, and zero where the gate is not positive (when
// `gated`); y and gate point at each output pixel, row by row.
template <typename P>
void transform_output_tile(const float* m, Index stride, Index c, const Epilogue& epilogue,
                           const float* const (&gate)[kOut * kOut], bool gated,
                           float* const (&y)[kOut * kOut]) {
  using namespace Eigen::internal;
  P s[kOut][kIn];  // A^T m
  for (int j = 0; j < kIn; ++j) {
    P column[kIn], transformed[kOut];
    for (int i = 0; i < kIn; ++i) column[i] = ploadu<P>(m + (i * kIn + j) * stride + c);
    Variant::output(column, transformed);
    for (int i = 0; i < kOut; ++i) s[i][j] = transformed[i];
  }
  const P zero = pset1<P>(0.0f);
  for (int i = 0; i < kOut; ++i) {
    P out[kOut];
    Variant::output(s[i], out);
    for (int j = 0; j < kOut; ++j) {
      P value = out[j];
      if (epilogue.bias != nullptr) value = padd(value, ploadu<P>(epilogue.bias + c));
      if (epilogue.relu) value = pmax(value, zero);
      if (gated) value = pselect(pcmp_lt(zero, ploadu<P>(gate[i * kOut + j] + c)), value, zero);
      pstoreu(y[i * kOut + j] + c, value);
    }
  }
}

// The scales S_i S_j of the kernel gradient's halvings and sixths (see kScale), as floats.
struct PositionScales {
  float value[kPositions];
  PositionScales() {
    for (int i = 0; i < kIn; ++i)
      for (int j = 0; j < kIn; ++j)
        value[i * kIn + j] = static_cast<float>(Variant::kScale[i] * Variant::kScale[j]);
  }
};

// One tile's transformed output gradients for one channel range (the kernel gradient's
// counterpart of the inputs' transform): dm[xi * stride] = (A dy A^T)[xi] x scale[xi] for
// the kOut x kOut output gradients dy (row by row), the scale applied last.
template <typename P>
void transform_delta_tile(const float* const (&dy)[kOut * kOut], Index c,
                          const PositionScales& scales, float* dm, Index stride) {
  using namespace Eigen::internal;
  P t[kIn][kOut];  // A dy
  for (int j = 0; j < kOut; ++j) {
    P column[kOut], transformed[kIn];
    for (int i = 0; i < kOut; ++i) column[i] = ploadu<P>(dy[i * kOut + j] + c);
    Variant::delta(column, transformed);
    for (int i = 0; i < kIn; ++i) t[i][j] = transformed[i];
  }
  for (int i = 0; i < kIn; ++i) {
    P transformed[kIn];
    Variant::delta(t[i], transformed);
    for (int j = 0; j < kIn; ++j)
      pstoreu(dm + (i * kIn + j) * stride + c, times(scales.value[i * kIn + j], transformed[j]));
  }
}

// Geometry of a chunk of images and its tiles.
struct Tiling {
  Index height, width, tiles_y, tiles_x;
  Tiling(Index h, Index w)
      : height(h), width(w), tiles_y((h + kOut - 1) / kOut), tiles_x((w + kOut - 1) / kOut) {}
  Index tiles_per_image() const { return tiles_y * tiles_x; }
};

// Transforms every tile of `count` images (HWC, `in` channels) into the (tiles x in)
// position matrices at v; pixels outside an image read as `zeros`.
void transform_inputs(const float* images, Index count, const Tiling& tiling, Index in,
                      const float* zeros, float* v) {
  Index tile = 0;
  for (Index s = 0; s < count; ++s) {
    const float* image = images + s * tiling.height * tiling.width * in;
    for (Index ty = 0; ty < tiling.tiles_y; ++ty)
      for (Index tx = 0; tx < tiling.tiles_x; ++tx, ++tile) {
        const float* d[kPositions];
        for (Index i = 0; i < kIn; ++i)
          for (Index j = 0; j < kIn; ++j) {
            const Index y = kOut * ty - 1 + i, x = kOut * tx - 1 + j;
            const bool inside = y >= 0 && y < tiling.height && x >= 0 && x < tiling.width;
            d[i * kIn + j] = inside ? image + (y * tiling.width + x) * in : zeros;
          }
        float* target = v + tile * tile_stride(in);
        for_each_channel(in, [&]<typename P>(Index c) {
          transform_input_tile<P>(d, c, target, in);
        });
      }
  }
}

// The kOut x kOut pixels of tile (ty, tx) of image s, row by row: `inside` where they are
// in the image, else `outside` (tiles overhang an edge that is not a multiple of kOut).
template <typename T>
void tile_pixels(T* base, Index s, Index ty, Index tx, const Tiling& tiling, Index channels,
                 T* outside, T* (&pixels)[kOut * kOut]) {
  for (Index i = 0; i < kOut; ++i)
    for (Index j = 0; j < kOut; ++j) {
      const Index row = kOut * ty + i, column = kOut * tx + j;
      const bool inside = row < tiling.height && column < tiling.width;
      pixels[i * kOut + j] =
          inside ? base + ((s * tiling.height + row) * tiling.width + column) * channels
                 : outside;
    }
}

// Turns the (tiles x out) products at m into `count` output images (HWC, `out`
// channels); outputs past an edge are written to `discard`.
void transform_outputs(const float* m, Index count, const Tiling& tiling, Index out,
                       const Epilogue& epilogue, const float* gate, const float* zeros,
                       float* discard, float* output) {
  Index tile = 0;
  for (Index s = 0; s < count; ++s)
    for (Index ty = 0; ty < tiling.tiles_y; ++ty)
      for (Index tx = 0; tx < tiling.tiles_x; ++tx, ++tile) {
        float* y[kOut * kOut];
        const float* g[kOut * kOut];
        tile_pixels(output, s, ty, tx, tiling, out, discard, y);
        if (gate != nullptr)
          tile_pixels(gate, s, ty, tx, tiling, out, zeros, g);
        else
          std::fill_n(g, kOut * kOut, zeros);
        const float* source = m + tile * tile_stride(out);
        for_each_channel(out, [&]<typename P>(Index c) {
          transform_output_tile<P>(source, out, c, epilogue, g, gate != nullptr, y);
        });
      }
}

// Transforms the output gradients of every tile of `count` images (HWC, `out` channels)
// into the (tiles x out) position matrices at dm; outputs past an edge read as `zeros`.
void transform_deltas(const float* deltas, Index count, const Tiling& tiling, Index out,
                      const float* zeros, float* dm) {
  const PositionScales scales;
  Index tile = 0;
  for (Index s = 0; s < count; ++s)
    for (Index ty = 0; ty < tiling.tiles_y; ++ty)
      for (Index tx = 0; tx < tiling.tiles_x; ++tx, ++tile) {
        const float* dy[kOut * kOut];
        tile_pixels(deltas, s, ty, tx, tiling, out, zeros, dy);
        float* target = dm + tile * tile_stride(out);
        for_each_channel(out, [&]<typename P>(Index c) {
          transform_delta_tile<P>(dy, c, scales, target, out);
        });
      }
}

void ensure_zeros(WinogradScratch& scratch, Index in, Index out) {
  const auto widest = static_cast<std::size_t>(std::max(in, out));
  if (scratch.zeros.size() < widest) scratch.zeros.assign(widest, 0.0f);
}

}  // namespace

const float* winograd_transform_kernel(const float* kernel, Index in, Index out,
                                       bool input_gradient, WinogradScratch& scratch) {
  // The kernel the convolution applies, (3, 3, rows, cols): for the input gradient, the
  // mirrored and transposed copy.
  const Index rows = input_gradient ? out : in, cols = input_gradient ? in : out;
  const float* g = kernel;
  if (input_gradient) {
    float* flipped = grow(scratch.flipped_kernel, 9 * in * out);
    for (Index tap = 0; tap < 9; ++tap)
      for (Index o = 0; o < out; ++o)
        for (Index c = 0; c < in; ++c)
          flipped[(tap * out + o) * in + c] = kernel[((8 - tap) * in + c) * out + o];
    g = flipped;
  }
  // U = G g G^T = S (G'' g G''^T) S: the integer combinations first, then S_i S_j; by
  // rows of g's channels, whole packets of its output channels at a time.
  const PositionScales scales;
  float* transformed = grow(scratch.kernel, kPositions * rows * cols);
  for (Index r = 0; r < rows; ++r)
    for_each_channel(cols, [&]<typename P>(Index col) {
      using namespace Eigen::internal;
      P a[kIn][3];  // G'' g
      for (int kx = 0; kx < 3; ++kx) {
        const P column[3] = {ploadu<P>(g + (kx * rows + r) * cols + col),
                             ploadu<P>(g + ((3 + kx) * rows + r) * cols + col),
                             ploadu<P>(g + ((6 + kx) * rows + r) * cols + col)};
        P u[kIn];
        Variant::kernel(column, u);
        for (int i = 0; i < kIn; ++i) a[i][kx] = u[i];
      }
      for (int i = 0; i < kIn; ++i) {
        P u[kIn];
        Variant::kernel(a[i], u);
        for (int j = 0; j < kIn; ++j)
          pstoreu(transformed + ((i * kIn + j) * rows + r) * cols + col,
                  times(scales.value[i * kIn + j], u[j]));
      }
    });
  return transformed;
}

void winograd_conv3x3(const float* input, Index samples, Index height, Index width, Index in,
                      Index out, const float* transformed, const float* bias, bool relu,
                      const float* gate, float* output, WinogradScratch& scratch) {
  const Tiling tiling(height, width);
  const Index chunk = std::max<Index>(1, kChunkTiles / tiling.tiles_per_image());
  ensure_zeros(scratch, in, out);
  float* discard = grow(scratch.discard, out);
  const Epilogue epilogue{bias, relu};
  const Index image = height * width;
  for (Index first = 0; first < samples; first += chunk) {
    const Index count = std::min(chunk, samples - first);
    const Index tiles = count * tiling.tiles_per_image();
    float* v = grow(scratch.tiles, tiles * tile_stride(in));
    float* m = grow(scratch.products, tiles * tile_stride(out));
    transform_inputs(input + first * image * in, count, tiling, in, scratch.zeros.data(), v);
    // Eigen's GEMM adds to its destination (an assignment zeroes it first, row by row):
    // one fill of the whole chunk costs less than many short ones.
    std::fill_n(m, tiles * tile_stride(out), 0.0f);
    for (Index xi = 0; xi < kPositions; ++xi)
      position(m, xi, tiles, out).noalias() +=
          position(static_cast<const float*>(v), xi, tiles, in) *
          Eigen::Map<const RowMatrix>(transformed + xi * in * out, in, out);
    transform_outputs(m, count, tiling, out, epilogue,
                      gate != nullptr ? gate + first * image * out : nullptr,
                      scratch.zeros.data(), discard, output + first * image * out);
  }
}

void winograd_kernel_gradient(const float* input, const float* delta, Index samples,
                              Index height, Index width, Index in, Index out,
                              float* grad_kernel, WinogradScratch& scratch) {
  // The forward pass is y = A^T [(G g G^T) . (B^T d B)] A tile by tile ('.' elementwise),
  // so dL/dg = G^T [sum over tiles of (B^T d B) . (A dy A^T)] G: the elementwise sums are
  // GEMMs (in x tiles) * (tiles x out) of the transformed inputs and output gradients.
  // With G = S G'', the scales S_i S_j go on the transformed output gradients (last), which
  // leaves G''^T X G'' for the end.
  const Tiling tiling(height, width);
  const Index chunk = std::max<Index>(1, kChunkTiles / tiling.tiles_per_image());
  ensure_zeros(scratch, in, out);
  float* sums = grow(scratch.kernel_gradient, kPositions * in * out);
  std::fill_n(sums, kPositions * in * out, 0.0f);
  const Index image = height * width;
  for (Index first = 0; first < samples; first += chunk) {
    const Index count = std::min(chunk, samples - first);
    const Index tiles = count * tiling.tiles_per_image();
    float* v = grow(scratch.tiles, tiles * tile_stride(in));
    float* dm = grow(scratch.products, tiles * tile_stride(out));
    transform_inputs(input + first * image * in, count, tiling, in, scratch.zeros.data(), v);
    transform_deltas(delta + first * image * out, count, tiling, out, scratch.zeros.data(), dm);
    for (Index xi = 0; xi < kPositions; ++xi)
      Eigen::Map<RowMatrix>(sums + xi * in * out, in, out).noalias() +=
          position(static_cast<const float*>(v), xi, tiles, in).transpose() *
          position(static_cast<const float*>(dm), xi, tiles, out);
  }
  // G''^T X G'' for every (in, out) pair: X's kIn rows to 3, then its kIn columns to 3.
  const Index pairs = in * out;
  for (Index pair = 0; pair < pairs; ++pair) {
    float rows[3][kIn];
    for (int j = 0; j < kIn; ++j) {
      float column[kIn], w[3];
      for (int i = 0; i < kIn; ++i) column[i] = sums[(i * kIn + j) * pairs + pair];
      Variant::kernel_gradient(column, w);
      for (int k = 0; k < 3; ++k) rows[k][j] = w[k];
    }
    for (int ky = 0; ky < 3; ++ky) {
      float w[3];
      Variant::kernel_gradient(rows[ky], w);
      for (int kx = 0; kx < 3; ++kx) grad_kernel[(ky * 3 + kx) * pairs + pair] = w[kx];
    }
  }
}

}  // namespace cdsim
