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

// Transformed values are stored tile by tile: a tile's 16 positions x channels, then a
// cache line of padding, so the transforms read and write each tile's values together;
// position xi of all the tiles is a (tiles x channels) matrix with this outer stride. (The
// padding keeps the rows from sitting a multiple of 2 KiB apart, in few L1 cache sets.)
constexpr Index kTilePadding = 16;

Index tile_stride(Index channels) { return 16 * channels + kTilePadding; }

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

// One tile's 16 transformed output gradients for one channel range (the kernel gradient's
// counterpart of the inputs' transform): dm[xi * stride] = (A dy A^T)[xi] * h[xi] for the
// 2x2 output gradients dy, with A = [1 0; 1 1; 1 -1; 0 -1] and h the halvings of G
// (kHalvings; see winograd_kernel_gradient), applied last.
template <typename P>
void transform_delta_tile(const float* const (&dy)[4], Index c, float* dm, Index stride) {
  using namespace Eigen::internal;
  P r[8];  // A dy
  for (int b = 0; b < 2; ++b) {
    const P y0 = ploadu<P>(dy[b] + c), y1 = ploadu<P>(dy[2 + b] + c);
    r[b] = y0;
    r[2 + b] = padd(y0, y1);
    r[4 + b] = psub(y0, y1);
    r[6 + b] = pnegate(y1);
  }
  const P half = pset1<P>(0.5f), quarter = pset1<P>(0.25f);
  for (int i = 0; i < 4; ++i) {
    const P* row = r + 2 * i;
    const P values[4] = {row[0], padd(row[0], row[1]), psub(row[0], row[1]), pnegate(row[1])};
    const bool halved_row = i == 1 || i == 2;
    for (int j = 0; j < 4; ++j) {
      const int halvings = (halved_row ? 1 : 0) + (j == 1 || j == 2 ? 1 : 0);
      const P value = halvings == 0 ? values[j] : pmul(values[j], halvings == 1 ? half : quarter);
      pstoreu(dm + (4 * i + j) * stride + c, value);
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
        float* target = v + tile * tile_stride(in);
        for_each_channel(in, [&]<typename P>(Index c) {
          transform_input_tile<P>(d, c, target, in);
        });
      }
  }
}

// Turns the 16 (tiles x out) products at m into `count` output images (HWC, `out`
// channels); outputs past an odd edge are written to `discard`.
void transform_outputs(const float* m, Index count, const Tiling& tiling, Index out,
                       const Epilogue& epilogue, const float* gate, const float* zeros,
                       float* discard, float* output) {
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
        const float* source = m + tile * tile_stride(out);
        for_each_channel(out, [&]<typename P>(Index c) {
          transform_output_tile<P>(source, out, c, epilogue, g, gate != nullptr, y);
        });
      }
}

// Transforms the output gradients of every tile of `count` images (HWC, `out` channels)
// into the 16 (tiles x out) matrices at dm; outputs past an odd edge read as `zeros`.
void transform_deltas(const float* deltas, Index count, const Tiling& tiling, Index out,
                      const float* zeros, float* dm) {
  const Index pixels = tiling.height * tiling.width;
  Index tile = 0;
  for (Index s = 0; s < count; ++s)
    for (Index ty = 0; ty < tiling.tiles_y; ++ty)
      for (Index tx = 0; tx < tiling.tiles_x; ++tx, ++tile) {
        const float* dy[4];
        for (Index i = 0; i < 2; ++i)
          for (Index j = 0; j < 2; ++j) {
            const Index row = 2 * ty + i, column = 2 * tx + j;
            const bool inside = row < tiling.height && column < tiling.width;
            dy[2 * i + j] =
                inside ? deltas + (s * pixels + row * tiling.width + column) * out : zeros;
          }
        float* target = dm + tile * tile_stride(out);
        for_each_channel(out, [&]<typename P>(Index c) {
          transform_delta_tile<P>(dy, c, target, out);
        });
      }
}

// The rows of a 16-value tile combined by G'^T = [1 1 1 0; 0 1 -1 0; 0 1 1 1]: out[k] for
// k = 0..2 from in[0..3] (with the given stride between the 4 values).
void combine_rows(const float* in, Index stride, float* out, Index out_stride) {
  const float x0 = in[0], x1 = in[stride], x2 = in[2 * stride], x3 = in[3 * stride];
  out[0] = (x0 + x1) + x2;
  out[out_stride] = x1 - x2;
  out[2 * out_stride] = (x1 + x2) + x3;
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
    float* v = grow(scratch.tiles, tiles * tile_stride(in));
    float* m = grow(scratch.products, tiles * tile_stride(out));
    transform_inputs(input + first * image * in, count, tiling, in, scratch.zeros.data(), v);
    // Eigen's GEMM adds to its destination (an assignment zeroes it first, row by row):
    // one fill of the whole chunk costs less than 16 x tiles short ones.
    std::fill_n(m, tiles * tile_stride(out), 0.0f);
    for (Index xi = 0; xi < 16; ++xi)
      position(m, xi, tiles, out).noalias() +=
          position(static_cast<const float*>(v), xi, tiles, in) *
          Eigen::Map<const RowMatrix>(transformed + xi * in * out, in, out);
    transform_outputs(m, count, tiling, out, epilogue,
                      gate != nullptr ? gate + first * image * out : nullptr,
                      scratch.zeros.data(), discard, output + first * image * out);
  }
}

}  // namespace cdsim

namespace cdsim {

void winograd_kernel_gradient(const float* input, const float* delta, Index samples,
                              Index height, Index width, Index in, Index out,
                              float* grad_kernel, WinogradScratch& scratch) {
  // The forward pass is y = A^T [(G g G^T) . (B^T d B)] A tile by tile ('.' elementwise),
  // so dL/dg = G^T [sum over tiles of (B^T d B) . (A dy A^T)] G: the 16 elementwise sums are
  // GEMMs (in x tiles) * (tiles x out) of the transformed inputs and output gradients.
  // G = H G' with G' = [1 0 0; 1 1 1; 1 -1 1; 0 0 1] and H = diag(1, 1/2, 1/2, 1); the
  // halvings H are applied to the transformed output gradients (an exact scaling, last),
  // which leaves additions only for the final G'^T X G'.
  const Tiling tiling{height, width, (height + 1) / 2, (width + 1) / 2};
  const Index chunk = std::max<Index>(1, kChunkTiles / tiling.tiles_per_image());
  const auto widest = static_cast<std::size_t>(std::max(in, out));
  if (scratch.zeros.size() < widest) scratch.zeros.assign(widest, 0.0f);
  float* sums = grow(scratch.kernel_gradient, 16 * in * out);
  std::fill_n(sums, 16 * in * out, 0.0f);
  const Index image = height * width;
  for (Index first = 0; first < samples; first += chunk) {
    const Index count = std::min(chunk, samples - first);
    const Index tiles = count * tiling.tiles_per_image();
    float* v = grow(scratch.tiles, tiles * tile_stride(in));
    float* dm = grow(scratch.products, tiles * tile_stride(out));
    transform_inputs(input + first * image * in, count, tiling, in, scratch.zeros.data(), v);
    transform_deltas(delta + first * image * out, count, tiling, out, scratch.zeros.data(), dm);
    for (Index xi = 0; xi < 16; ++xi)
      Eigen::Map<RowMatrix>(sums + xi * in * out, in, out).noalias() +=
          position(static_cast<const float*>(v), xi, tiles, in).transpose() *
          position(static_cast<const float*>(dm), xi, tiles, out);
  }
  // G'^T X G' for every (in, out) pair: X's 4 rows to 3, then the 4 columns to 3.
  const Index pairs = in * out;
  for (Index pair = 0; pair < pairs; ++pair) {
    float rows[12];  // 3 x 4
    for (Index j = 0; j < 4; ++j) combine_rows(sums + j * pairs + pair, 4 * pairs, rows + j, 4);
    for (Index ky = 0; ky < 3; ++ky)
      combine_rows(rows + 4 * ky, 1, grad_kernel + 3 * ky * pairs + pair, pairs);
  }
}

}  // namespace cdsim
