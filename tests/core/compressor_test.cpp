#include "core/compressor.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <set>
#include <utility>
#include <vector>

#include "core/invalid_input.h"

using namespace cdsim;

namespace {

Compressor make(const std::string& kind, std::size_t count = 0, double fraction = 0.0, std::uint32_t levels = 0,
                bool unbiased = true) {
  CompressorSpec spec;
  spec.kind = kind;
  spec.count = count;
  spec.fraction = fraction;
  spec.levels = levels;
  spec.unbiased = unbiased;
  return Compressor(spec);
}

std::vector<float> random_vector(std::size_t d, std::uint64_t seed) {
  Rng rng(seed, 0, RngPurpose::kData);
  std::vector<float> x(d);
  for (float& v : x) v = static_cast<float>(rng.normal());
  return x;
}

std::vector<float> round_trip(const Compressor& compressor, const std::vector<float>& x, Rng& rng) {
  std::vector<float> out(x.size());
  compressor.decompress(compressor.compress(x, rng), out);
  return out;
}

// Mean over `trials` draws of decompress(compress(x)).
std::vector<double> empirical_mean(const Compressor& compressor, const std::vector<float>& x, int trials) {
  Rng rng(11, 3, RngPurpose::kCompression);
  std::vector<double> mean(x.size(), 0.0);
  for (int t = 0; t < trials; ++t) {
    const std::vector<float> q = round_trip(compressor, x, rng);
    for (std::size_t i = 0; i < x.size(); ++i) mean[i] += q[i] / trials;
  }
  return mean;
}

// Independent truth for the casts: every non-negative finite value of the 16-bit format,
// decoded from its definition in double, followed by the first value past the largest
// finite one (where rounding goes to infinity), each with its bit pattern.
struct Format {
  int exponent_bits;
  int mantissa_bits;
};
constexpr Format kHalf{5, 10};
constexpr Format kBfloat16{8, 7};

double decode_by_definition(std::uint16_t bits, Format f) {
  const int bias = (1 << (f.exponent_bits - 1)) - 1;
  const int exponent = (bits >> f.mantissa_bits) & ((1 << f.exponent_bits) - 1);
  const int mantissa = bits & ((1 << f.mantissa_bits) - 1);
  const double fraction = std::ldexp(mantissa, -f.mantissa_bits);
  const double magnitude = exponent == 0 ? std::ldexp(fraction, 1 - bias) : std::ldexp(1.0 + fraction, exponent - bias);
  return (bits & 0x8000) ? -magnitude : magnitude;
}

std::vector<std::pair<double, std::uint16_t>> representable(Format f) {
  const int infinity_bits = ((1 << f.exponent_bits) - 1) << f.mantissa_bits;
  std::vector<std::pair<double, std::uint16_t>> table;
  for (int bits = 0; bits < infinity_bits; ++bits) {
    table.emplace_back(decode_by_definition(static_cast<std::uint16_t>(bits), f), static_cast<std::uint16_t>(bits));
  }
  const int bias = (1 << (f.exponent_bits - 1)) - 1;
  table.emplace_back(std::ldexp(1.0, bias + 1), static_cast<std::uint16_t>(infinity_bits));
  return table;
}

// Round to nearest, ties to the even bit pattern, by search over the table.
std::uint16_t nearest_by_search(float value, const std::vector<std::pair<double, std::uint16_t>>& table) {
  const double magnitude = std::fabs(static_cast<double>(value));
  const std::uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  if (magnitude >= table.back().first) return sign | table.back().second;
  auto above = std::lower_bound(table.begin(), table.end(), std::make_pair(magnitude, std::uint16_t{0}));
  if (above->first == magnitude) return sign | above->second;
  auto below = above - 1;
  const double to_below = magnitude - below->first, to_above = above->first - magnitude;
  if (to_below < to_above) return sign | below->second;
  if (to_above < to_below) return sign | above->second;
  return sign | ((below->second & 1) == 0 ? below->second : above->second);
}

// Floats that probe the rounding: random bit patterns across every exponent, each
// midpoint between neighbouring 16-bit values and the floats just beside it.
std::vector<float> probe_values(const std::vector<std::pair<double, std::uint16_t>>& table) {
  std::vector<float> probes = {0.0f, -0.0f, 1.0f, -1.0f, std::numeric_limits<float>::max(),
                               std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::infinity()};
  Rng rng(5, 0, RngPurpose::kData);
  for (int n = 0; n < 20000; ++n) {
    const float f = std::bit_cast<float>(static_cast<std::uint32_t>(rng.next_u64()));
    if (!std::isnan(f)) probes.push_back(f);
  }
  for (std::size_t i = 0; i + 1 < table.size(); i += 7) {
    const float mid = static_cast<float>((table[i].first + table[i + 1].first) / 2);
    for (float f : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, 1e30f)}) {
      probes.push_back(f);
      probes.push_back(-f);
    }
  }
  return probes;
}

}  // namespace

TEST_CASE("each compressor's payload carries exactly the bits its encoding needs") {
  const std::size_t d = 1000;
  const std::vector<float> x = random_vector(d, 1);
  Rng rng(1, 0, RngPurpose::kCompression);
  CHECK(make("identity").compress(x, rng).payload_bits() == 32 + 32 * d);
  CHECK(make("top_k", 10).compress(x, rng).payload_bits() == 32 + 64 * 10);
  CHECK(make("random_k", 0, 0.01).compress(x, rng).payload_bits() == 32 + 64 * 10);
  CHECK(make("float16").compress(x, rng).payload_bits() == 32 + 16 * d);
  CHECK(make("bfloat16").compress(x, rng).payload_bits() == 32 + 16 * d);
  const CompressedVector sign = make("scaled_sign").compress(x, rng);
  CHECK(sign.payload_bits() == 32 + d + 32);
  CHECK(sign.codes.size() == (d + 7) / 8);
  // s = 7 levels need 3 bits, plus the sign: 4 bits a coordinate; s = 8 needs 4 + 1.
  const CompressedVector q7 = make("qsgd", 0, 0.0, 7).compress(x, rng);
  CHECK(q7.bits_per_code == 4);
  CHECK(q7.payload_bits() == 32 + 4 * d + 32);
  CHECK(q7.codes.size() == 4 * d / 8);
  CHECK(make("qsgd", 0, 0.0, 8).compress(x, rng).bits_per_code == 5);
  CHECK(make("qsgd", 0, 0.0, 1).compress(x, rng).bits_per_code == 2);
}

TEST_CASE("k as a fraction rounds to the nearest count, at least one and at most the dimension") {
  CHECK(make("top_k", 0, 0.01).kept_count(7850) == 79);
  CHECK(make("top_k", 0, 0.01).kept_count(10) == 1);
  CHECK(make("top_k", 0, 1.0).kept_count(10) == 10);
  CHECK(make("random_k", 25).kept_count(10) == 10);
}

TEST_CASE("top-k keeps exactly the k largest magnitudes, ties to the lower coordinate, values unchanged") {
  std::vector<float> x = random_vector(200, 2);
  x[3] = 5.0f;
  x[150] = -5.0f;  // a tie in magnitude with x[3]
  x[77] = 0.0f;
  for (std::size_t k : {1, 2, 17, 200}) {
    Rng rng(0, 0, RngPurpose::kCompression);
    const CompressedVector c = make("top_k", k).compress(x, rng);
    // Brute force: order every coordinate by (|x| descending, index ascending).
    std::vector<std::size_t> order(x.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return std::fabs(x[a]) > std::fabs(x[b]); });
    std::set<std::size_t> expected(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k));
    REQUIRE(c.indices.size() == k);
    CHECK(std::is_sorted(c.indices.begin(), c.indices.end()));
    CHECK(std::set<std::size_t>(c.indices.begin(), c.indices.end()) == expected);
    std::vector<float> out(x.size());
    make("top_k", k).decompress(c, out);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(out[i] == (expected.count(i) ? x[i] : 0.0f));
  }
}

TEST_CASE("random-k keeps k distinct coordinates and is unbiased within five standard deviations") {
  const std::size_t d = 20, k = 5;
  const std::vector<float> x = random_vector(d, 3);
  const Compressor compressor = make("random_k", k);
  Rng rng(4, 0, RngPurpose::kCompression);
  const CompressedVector c = compressor.compress(x, rng);
  CHECK(std::set<std::uint32_t>(c.indices.begin(), c.indices.end()).size() == k);
  for (std::size_t n = 0; n < k; ++n) CHECK(c.values[n] == doctest::Approx(x[c.indices[n]] * 4.0));
  // Each coordinate is (d/k) x_i with probability k/d, else 0: variance x_i^2 (d/k - 1).
  const int trials = 20000;
  const std::vector<double> mean = empirical_mean(compressor, x, trials);
  for (std::size_t i = 0; i < d; ++i) {
    const double sigma = std::fabs(x[i]) * std::sqrt((static_cast<double>(d) / k - 1.0) / trials);
    CHECK(std::fabs(mean[i] - x[i]) <= 5.0 * sigma + 1e-6);
  }
  // Without the d/k scaling the mean is k/d x.
  const std::vector<double> plain = empirical_mean(make("random_k", k, 0.0, 0, false), x, trials);
  for (std::size_t i = 0; i < d; ++i) {
    const double p = static_cast<double>(k) / d;
    const double sigma = std::fabs(x[i]) * std::sqrt(p * (1 - p) / trials);
    CHECK(std::fabs(plain[i] - p * x[i]) <= 5.0 * sigma + 1e-6);
  }
}

TEST_CASE("QSGD rounds each coordinate to an adjacent level of ||x|| / s and is unbiased within five standard deviations") {
  const std::size_t d = 16;
  const std::uint32_t s = 3;
  const std::vector<float> x = random_vector(d, 5);
  double norm = 0.0;
  for (float v : x) norm += static_cast<double>(v) * v;
  norm = std::sqrt(norm);
  const Compressor compressor = make("qsgd", 0, 0.0, s);
  Rng rng(6, 0, RngPurpose::kCompression);
  const std::vector<float> once = round_trip(compressor, x, rng);
  for (std::size_t i = 0; i < d; ++i) {
    const double r = std::fabs(x[i]) / norm * s;
    const double level = std::fabs(once[i]) / (norm / s);
    CHECK((level == doctest::Approx(std::floor(r)) || level == doctest::Approx(std::ceil(r))));
    if (once[i] != 0.0f) CHECK(std::signbit(once[i]) == std::signbit(x[i]));
  }
  // Each coordinate is (||x|| / s) times a Bernoulli shift: variance at most (||x|| / s)^2 / 4.
  const int trials = 20000;
  const std::vector<double> mean = empirical_mean(compressor, x, trials);
  const double sigma = norm / s / 2.0 / std::sqrt(trials);
  for (std::size_t i = 0; i < d; ++i) CHECK(std::fabs(mean[i] - x[i]) <= 5.0 * sigma);
  // The contractive form divides by tau = 1 + min(d / s^2, sqrt(d) / s).
  const double tau = 1.0 + std::min(static_cast<double>(d) / (s * s), std::sqrt(static_cast<double>(d)) / s);
  const std::vector<double> scaled = empirical_mean(make("qsgd", 0, 0.0, s, false), x, trials);
  for (std::size_t i = 0; i < d; ++i) CHECK(std::fabs(scaled[i] - x[i] / tau) <= 5.0 * sigma / tau);
}

TEST_CASE("QSGD of the zero vector is zero and uses no level") {
  const std::vector<float> zero(9, 0.0f);
  Rng rng(0, 0, RngPurpose::kCompression);
  const std::vector<float> out = round_trip(make("qsgd", 0, 0.0, 4), zero, rng);
  for (float v : out) CHECK(v == 0.0f);
}

TEST_CASE("scaled sign sends the signs and the mean magnitude ||x||_1 / d") {
  const std::vector<float> x = {1.5f, -2.0f, 0.0f, 0.25f, -0.75f};
  Rng rng(0, 0, RngPurpose::kCompression);
  const std::vector<float> out = round_trip(make("scaled_sign"), x, rng);
  const float scale = static_cast<float>((1.5 + 2.0 + 0.0 + 0.25 + 0.75) / 5.0);
  const std::vector<float> expected = {scale, -scale, scale, scale, -scale};
  CHECK(out == expected);
}

TEST_CASE("identity is lossless and deterministic compressors ignore the stream") {
  const std::vector<float> x = random_vector(50, 7);
  Rng a(1, 0, RngPurpose::kCompression);
  CHECK(round_trip(make("identity"), x, a) == x);
  CHECK(make("identity").is_lossless());
  CHECK_FALSE(make("top_k", 3).is_random());
  CHECK(make("qsgd", 0, 0.0, 2).is_random());
}

TEST_CASE("the same stream gives the same compression; another stream another") {
  const std::vector<float> x = random_vector(300, 8);
  const Compressor compressor = make("qsgd", 0, 0.0, 2);
  Rng a(9, 1, RngPurpose::kCompression), b(9, 1, RngPurpose::kCompression), c(9, 2, RngPurpose::kCompression);
  const std::vector<float> qa = round_trip(compressor, x, a);
  CHECK(qa == round_trip(compressor, x, b));
  CHECK(qa != round_trip(compressor, x, c));
}

TEST_CASE("float16 decoding matches the format's definition for all 65536 patterns") {
  for (std::uint32_t bits = 0; bits < 0x10000; ++bits) {
    const float f = half_bits_to_float(static_cast<std::uint16_t>(bits));
    const bool nan_pattern = ((bits >> 10) & 0x1F) == 0x1F && (bits & 0x3FF) != 0;
    if (nan_pattern) {
      CHECK(std::isnan(f));
    } else if (((bits >> 10) & 0x1F) == 0x1F) {
      CHECK(std::isinf(f));
    } else {
      CHECK(static_cast<double>(f) == decode_by_definition(static_cast<std::uint16_t>(bits), kHalf));
      CHECK(float_to_half_bits(f) == bits);  // every half survives the round trip
    }
  }
}

TEST_CASE("float16 and bfloat16 casts round to nearest, ties to even, as a search over every value does") {
  for (Format format : {kHalf, kBfloat16}) {
    const bool half = format.exponent_bits == 5;
    const auto table = representable(format);
    for (float f : probe_values(table)) {
      const std::uint16_t bits = half ? float_to_half_bits(f) : float_to_bfloat16_bits(f);
      if (bits != nearest_by_search(f, table)) {
        FAIL_CHECK("value " << f << " cast to " << bits << ", nearest is " << nearest_by_search(f, table));
      }
    }
    const float nan = std::numeric_limits<float>::quiet_NaN();
    CHECK(std::isnan(half ? half_bits_to_float(float_to_half_bits(nan)) : bfloat16_bits_to_float(float_to_bfloat16_bits(nan))));
  }
  for (std::uint32_t bits = 0; bits < 0x7F80; ++bits) {
    CHECK(float_to_bfloat16_bits(bfloat16_bits_to_float(static_cast<std::uint16_t>(bits))) == bits);
  }
}

TEST_CASE("a compressor spec that makes no sense names the field") {
  auto field_of = [](CompressorSpec spec) {
    try {
      Compressor compressor(spec);
    } catch (const InvalidInput& error) {
      return error.field();
    }
    return std::string("(accepted)");
  };
  CompressorSpec spec;
  spec.kind = "gzip";
  CHECK(field_of(spec) == "/kind");
  spec.kind = "top_k";
  CHECK(field_of(spec) == "/count");  // no k
  spec.count = 3;
  spec.fraction = 0.1;
  CHECK(field_of(spec) == "/count");  // both
  spec.count = 0;
  spec.fraction = 1.5;
  CHECK(field_of(spec) == "/fraction");
  spec = CompressorSpec{};
  spec.kind = "qsgd";
  CHECK(field_of(spec) == "/levels");
  spec.kind = "scaled_sign";
  spec.levels = 4;
  CHECK(field_of(spec) == "/levels");
  spec = CompressorSpec{};
  spec.kind = "top_k";
  spec.count = 2;
  spec.unbiased = false;
  CHECK(field_of(spec) == "/unbiased");
  spec.kind = "float16";
  spec.count = 0;
  spec.unbiased = true;
  CHECK(field_of(spec) == "(accepted)");
}

TEST_CASE("compressing into a reused encoding gives the fresh encoding, whatever kind and size it held before") {
  const std::vector<Compressor> compressors = {make("identity"),         make("top_k", 5),  make("random_k", 0, 0.3),
                                               make("qsgd", 0, 0.0, 4), make("scaled_sign"), make("float16"),
                                               make("bfloat16")};
  const std::vector<float> x = random_vector(40, 5);
  for (const Compressor& compressor : compressors) {
    CAPTURE(compressor.spec().kind);
    for (const Compressor& before : compressors) {
      CAPTURE(before.spec().kind);
      Rng fresh_rng(2, 1, RngPurpose::kCompression);
      Rng reused_rng(2, 1, RngPurpose::kCompression);
      Rng other(9, 9, RngPurpose::kCompression);
      CompressedVector reused;
      before.compress(random_vector(64, 6), other, reused);  // larger, another kind
      const CompressedVector fresh = compressor.compress(x, fresh_rng);
      compressor.compress(x, reused_rng, reused);
      CHECK(reused.dimension == fresh.dimension);
      CHECK(reused.indices == fresh.indices);
      CHECK(reused.values == fresh.values);
      CHECK(reused.half_values == fresh.half_values);
      CHECK(reused.codes == fresh.codes);
      CHECK(reused.bits_per_code == fresh.bits_per_code);
      CHECK(reused.has_scale == fresh.has_scale);
      CHECK(std::bit_cast<std::uint32_t>(reused.scale) == std::bit_cast<std::uint32_t>(fresh.scale));
      CHECK(reused.payload_bits() == fresh.payload_bits());
    }
  }
}
