// Compressors for the vectors agents exchange: identity, top-k and random-k sparsification,
// QSGD stochastic quantization, scaled sign, float16 and bfloat16 casts. A Compressor is a
// value built from a CompressorSpec; compress() gives a CompressedVector holding exactly the
// fields an encoding carries (coordinates, values, packed codes, a scale), decompress()
// rebuilds the dense vector. Randomness comes from the caller's Rng (one stream per agent and
// purpose), so a compressor holds no state. Knows nothing of networks: the message size on
// the wire comes from sim/protocols/wire_size.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/compressor_spec.h"
#include "core/rng.h"

namespace cdsim {

// A compressed vector of `dimension` float32 coordinates. Which fields are filled depends
// on the compressor:
//   identity            values (all d)
//   top_k, random_k     indices (k, ascending) and values (k)
//   qsgd                codes (d codes of bits_per_code bits: sign bit, then the level) and scale (||x||_2 / tau)
//   scaled_sign         codes (d sign bits, 1 = negative) and scale (||x||_1 / d)
//   float16, bfloat16   half_values (d bit patterns)
struct CompressedVector {
  std::uint32_t dimension = 0;
  std::vector<std::uint32_t> indices;
  std::vector<float> values;
  std::vector<std::uint16_t> half_values;
  std::vector<std::uint8_t> codes;  // bit-packed, least significant bit first
  std::uint32_t bits_per_code = 0;  // 0 when there are no codes
  bool has_scale = false;
  float scale = 0.0f;

  // The information the encoding carries, in bits: 32 per index, value and scale, 16 per
  // half value, bits_per_code per code, 32 for the dimension. (The protobuf message adds
  // tags and lengths; see sim/protocols/wire_size.h.)
  std::size_t payload_bits() const;
};

class Compressor {
 public:
  // Throws InvalidInput("/kind", "/count", "/fraction", "/levels", ...) for a bad spec.
  explicit Compressor(CompressorSpec spec);

  const CompressorSpec& spec() const { return spec_; }
  // Whether compress() draws from its Rng (random_k, qsgd).
  bool is_random() const;
  // Whether decompress(compress(x)) == x for every finite x.
  bool is_lossless() const { return spec_.kind == "identity"; }
  // k for top_k / random_k on a vector of `dimension` coordinates (1 <= k <= dimension).
  std::size_t kept_count(std::size_t dimension) const;

  CompressedVector compress(std::span<const float> x, Rng& rng) const;
  // The same into `out`, reusing its vectors' storage: once `out` has held an encoding of
  // this size, compressing allocates nothing.
  void compress(std::span<const float> x, Rng& rng, CompressedVector& out) const;
  // out.size() must equal compressed.dimension.
  void decompress(const CompressedVector& compressed, std::span<float> out) const;

 private:
  CompressorSpec spec_;
};

// IEEE 754 binary16 and bfloat16 conversions, rounding to nearest, ties to even; NaN stays
// NaN, overflow goes to infinity.
std::uint16_t float_to_half_bits(float value);
float half_bits_to_float(std::uint16_t bits);
std::uint16_t float_to_bfloat16_bits(float value);
float bfloat16_bits_to_float(std::uint16_t bits);

}  // namespace cdsim
