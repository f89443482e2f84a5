#include "core/compressor.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/invalid_input.h"

namespace cdsim {
namespace {

// Bits to store a level in [0, s].
std::uint32_t level_bits(std::uint32_t levels) {
  return static_cast<std::uint32_t>(std::bit_width(levels));
}

void put_code(std::vector<std::uint8_t>& codes, std::size_t position, std::uint32_t bits, std::uint32_t code) {
  std::size_t bit = position * bits;
  for (std::uint32_t b = 0; b < bits; ++b, ++bit) {
    if ((code >> b) & 1u) codes[bit / 8] |= static_cast<std::uint8_t>(1u << (bit % 8));
  }
}

std::uint32_t get_code(const std::vector<std::uint8_t>& codes, std::size_t position, std::uint32_t bits) {
  std::uint32_t code = 0;
  std::size_t bit = position * bits;
  for (std::uint32_t b = 0; b < bits; ++b, ++bit) {
    code |= static_cast<std::uint32_t>((codes[bit / 8] >> (bit % 8)) & 1u) << b;
  }
  return code;
}

void zero_codes(std::vector<std::uint8_t>& codes, std::size_t count, std::uint32_t bits) {
  codes.assign((count * bits + 7) / 8, 0);
}

// QSGD's variance factor: E ||Q(x) - x||^2 <= min(d / s^2, sqrt(d) / s) ||x||^2.
double qsgd_tau(std::size_t dimension, std::uint32_t levels) {
  const double d = static_cast<double>(dimension);
  const double s = static_cast<double>(levels);
  return 1.0 + std::min(d / (s * s), std::sqrt(d) / s);
}

}  // namespace

std::size_t CompressedVector::payload_bits() const {
  return 32 + 32 * indices.size() + 32 * values.size() + 16 * half_values.size() +
         static_cast<std::size_t>(bits_per_code) * (bits_per_code > 0 ? dimension : 0) + (has_scale ? 32 : 0);
}

Compressor::Compressor(CompressorSpec spec) : spec_(std::move(spec)) {
  const std::string& kind = spec_.kind;
  const bool sparse = kind == "top_k" || kind == "random_k";
  if (kind != "identity" && !sparse && kind != "qsgd" && kind != "scaled_sign" && kind != "float16" &&
      kind != "bfloat16") {
    throw InvalidInput("/kind", "unknown compressor \"" + kind +
                                    "\"; expected identity, top_k, random_k, qsgd, scaled_sign, float16 or bfloat16");
  }
  if (sparse) {
    if ((spec_.count > 0) == (spec_.fraction > 0.0)) {
      throw InvalidInput("/count", kind + " needs k as exactly one of \"count\" (> 0) or \"fraction\" (in (0, 1])");
    }
    if (spec_.fraction < 0.0 || spec_.fraction > 1.0) {
      throw InvalidInput("/fraction", "expected a fraction in (0, 1], found " + std::to_string(spec_.fraction));
    }
  } else {
    if (spec_.count > 0) throw InvalidInput("/count", "\"count\" is for top_k and random_k, not " + kind);
    if (spec_.fraction > 0.0) throw InvalidInput("/fraction", "\"fraction\" is for top_k and random_k, not " + kind);
  }
  if (kind == "qsgd") {
    if (spec_.levels < 1 || spec_.levels > (1u << 24)) {
      throw InvalidInput("/levels", "qsgd needs \"levels\" s in [1, 2^24], found " + std::to_string(spec_.levels));
    }
  } else if (spec_.levels > 0) {
    throw InvalidInput("/levels", "\"levels\" is for qsgd, not " + kind);
  }
  if (!spec_.unbiased && kind != "random_k" && kind != "qsgd") {
    throw InvalidInput("/unbiased", "\"unbiased\" is for random_k and qsgd, not " + kind);
  }
}

bool Compressor::is_random() const { return spec_.kind == "random_k" || spec_.kind == "qsgd"; }

std::size_t Compressor::kept_count(std::size_t dimension) const {
  if (dimension == 0) return 0;
  std::size_t k = spec_.count;
  if (k == 0) {
    const double scaled = std::round(spec_.fraction * static_cast<double>(dimension));
    k = std::max<std::size_t>(1, static_cast<std::size_t>(scaled));
  }
  return std::min(k, dimension);
}

CompressedVector Compressor::compress(std::span<const float> x, Rng& rng) const {
  CompressedVector out;
  compress(x, rng, out);
  return out;
}

void Compressor::compress(std::span<const float> x, Rng& rng, CompressedVector& out) const {
  if (x.size() > 0xFFFFFFFFu) throw std::length_error("Compressor: more than 2^32 - 1 coordinates");
  // Every field as a fresh CompressedVector has it, the vectors' storage kept.
  out.indices.clear();
  out.values.clear();
  out.half_values.clear();
  out.codes.clear();
  out.bits_per_code = 0;
  out.has_scale = false;
  out.scale = 0.0f;
  out.dimension = static_cast<std::uint32_t>(x.size());
  const std::size_t d = x.size();
  const std::string& kind = spec_.kind;
  if (kind == "identity") {
    out.values.assign(x.begin(), x.end());
  } else if (kind == "top_k") {
    // The k largest |x_i|, ties to the lower coordinate, so the support is a function of x.
    const std::size_t k = kept_count(d);
    std::vector<std::uint32_t>& order = out.indices;  // every coordinate, then the k kept
    order.resize(d);
    std::iota(order.begin(), order.end(), 0u);
    auto larger = [&](std::uint32_t a, std::uint32_t b) {
      const float fa = std::fabs(x[a]), fb = std::fabs(x[b]);
      return fa > fb || (fa == fb && a < b);
    };
    if (k < d) std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(), larger);
    order.resize(k);
    std::sort(order.begin(), order.end());
    out.values.reserve(k);
    for (std::uint32_t i : out.indices) out.values.push_back(x[i]);
  } else if (kind == "random_k") {
    // k distinct coordinates uniformly: the first k of a partial Fisher-Yates shuffle.
    const std::size_t k = kept_count(d);
    std::vector<std::uint32_t>& order = out.indices;  // every coordinate, then the k kept
    order.resize(d);
    std::iota(order.begin(), order.end(), 0u);
    for (std::size_t i = 0; i < k; ++i) {
      const std::size_t pick = i + static_cast<std::size_t>(rng.uniform_index(d - i));
      std::swap(order[i], order[pick]);
    }
    order.resize(k);
    std::sort(order.begin(), order.end());
    const float scale = spec_.unbiased ? static_cast<float>(static_cast<double>(d) / static_cast<double>(k)) : 1.0f;
    out.values.reserve(k);
    for (std::uint32_t i : out.indices) out.values.push_back(scale * x[i]);
  } else if (kind == "qsgd") {
    // Level l_i in [0, s] with E[l_i] = s |x_i| / ||x||_2: round s |x_i| / ||x|| down or up at
    // random with the probability that keeps the expectation.
    const std::uint32_t s = spec_.levels;
    double norm_squared = 0.0;
    for (float v : x) norm_squared += static_cast<double>(v) * v;
    const double norm = std::sqrt(norm_squared);
    out.bits_per_code = 1 + level_bits(s);
    zero_codes(out.codes, d, out.bits_per_code);
    out.has_scale = true;
    out.scale = static_cast<float>(spec_.unbiased ? norm : norm / qsgd_tau(d, s));
    for (std::size_t i = 0; i < d; ++i) {
      // One draw per coordinate whatever the value, so the stream stays aligned.
      const double u = rng.uniform01();
      if (norm == 0.0) continue;
      const double r = std::min(static_cast<double>(s), std::fabs(static_cast<double>(x[i])) / norm * s);
      const double floor_r = std::floor(r);
      std::uint32_t level = static_cast<std::uint32_t>(floor_r);
      if (u < r - floor_r) ++level;
      const std::uint32_t sign = std::signbit(x[i]) ? 1u : 0u;
      put_code(out.codes, i, out.bits_per_code, sign | (level << 1));
    }
  } else if (kind == "scaled_sign") {
    // (||x||_1 / d) sign(x), Karimireddy et al. 2019; sign(0) = +.
    double l1 = 0.0;
    for (float v : x) l1 += std::fabs(static_cast<double>(v));
    out.bits_per_code = 1;
    zero_codes(out.codes, d, 1);
    out.has_scale = true;
    out.scale = d > 0 ? static_cast<float>(l1 / static_cast<double>(d)) : 0.0f;
    for (std::size_t i = 0; i < d; ++i) {
      if (x[i] < 0.0f) put_code(out.codes, i, 1, 1u);
    }
  } else if (kind == "float16") {
    out.half_values.reserve(d);
    for (float v : x) out.half_values.push_back(float_to_half_bits(v));
  } else {  // bfloat16
    out.half_values.reserve(d);
    for (float v : x) out.half_values.push_back(float_to_bfloat16_bits(v));
  }
}

void Compressor::decompress(const CompressedVector& c, std::span<float> out) const {
  if (out.size() != c.dimension) throw std::logic_error("Compressor::decompress: output size differs from the dimension");
  const std::string& kind = spec_.kind;
  if (kind == "identity") {
    std::copy(c.values.begin(), c.values.end(), out.begin());
  } else if (kind == "top_k" || kind == "random_k") {
    std::fill(out.begin(), out.end(), 0.0f);
    for (std::size_t n = 0; n < c.indices.size(); ++n) out[c.indices[n]] = c.values[n];
  } else if (kind == "qsgd") {
    const double unit = static_cast<double>(c.scale) / static_cast<double>(spec_.levels);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::uint32_t code = get_code(c.codes, i, c.bits_per_code);
      const float magnitude = static_cast<float>(unit * static_cast<double>(code >> 1));
      out[i] = (code & 1u) ? -magnitude : magnitude;
    }
  } else if (kind == "scaled_sign") {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = get_code(c.codes, i, 1) ? -c.scale : c.scale;
  } else if (kind == "float16") {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = half_bits_to_float(c.half_values[i]);
  } else {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = bfloat16_bits_to_float(c.half_values[i]);
  }
}

std::uint16_t float_to_half_bits(float value) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(value);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t magnitude = x & 0x7FFFFFFFu;
  if (magnitude >= 0x7F800000u) {  // infinity, or NaN (kept quiet, top payload bits kept)
    const std::uint32_t nan_bits = magnitude > 0x7F800000u ? (0x200u | ((magnitude >> 13) & 0x3FFu)) : 0u;
    return static_cast<std::uint16_t>(sign | 0x7C00u | nan_bits);
  }
  if (magnitude >= 0x477FF000u) return static_cast<std::uint16_t>(sign | 0x7C00u);  // >= 65520 rounds up to infinity
  if (magnitude < 0x38800000u) {  // below 2^-14: a subnormal half (or zero)
    if (magnitude < 0x33000000u) return static_cast<std::uint16_t>(sign);  // below 2^-25 rounds to zero
    const std::uint32_t exponent = magnitude >> 23;
    const std::uint32_t mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
    const std::uint32_t shift = 126 - exponent;  // value / 2^-24 = mantissa >> shift
    std::uint32_t q = mantissa >> shift;
    const std::uint32_t remainder = mantissa & ((1u << shift) - 1);
    const std::uint32_t half = 1u << (shift - 1);
    if (remainder > half || (remainder == half && (q & 1u))) ++q;
    return static_cast<std::uint16_t>(sign | q);
  }
  // Normal: re-bias the exponent (127 -> 15) and round the mantissa's 13 dropped bits to
  // nearest even; a carry into the exponent is the correct result.
  std::uint32_t r = magnitude - (112u << 23);
  r += 0xFFFu + ((r >> 13) & 1u);
  return static_cast<std::uint16_t>(sign | (r >> 13));
}

float half_bits_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1Fu;
  std::uint32_t mantissa = bits & 0x3FFu;
  if (exponent == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
  if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
  if (mantissa == 0) return std::bit_cast<float>(sign);
  // Subnormal: normalise.
  std::uint32_t e = 113;
  while ((mantissa & 0x400u) == 0) {
    mantissa <<= 1;
    --e;
  }
  return std::bit_cast<float>(sign | (e << 23) | ((mantissa & 0x3FFu) << 13));
}

std::uint16_t float_to_bfloat16_bits(float value) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(value);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40u);  // quiet NaN
  return static_cast<std::uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

float bfloat16_bits_to_float(std::uint16_t bits) { return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16); }

}  // namespace cdsim
