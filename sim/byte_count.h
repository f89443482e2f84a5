// Sizes and rates on the wire as strong integer types: ByteCount (bytes) and Bandwidth
// (bits per second). Bandwidth converts a message size into a transmission time in exact
// integer arithmetic, rounded up to the next nanosecond, so that a link is never faster
// than its nominal rate and runs are bit-for-bit reproducible.
#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>

#include "sim/time.h"

namespace cdsim {

// A number of bytes. Aggregate: ByteCount{400}. Arithmetic is overflow-checked.
struct ByteCount {
  std::int64_t value = 0;

  constexpr std::int64_t bytes() const { return value; }

  constexpr ByteCount& operator+=(ByteCount other) {
    if (__builtin_add_overflow(value, other.value, &value)) throw std::overflow_error("ByteCount addition overflows 64 bits");
    return *this;
  }
  constexpr ByteCount& operator-=(ByteCount other) {
    if (__builtin_sub_overflow(value, other.value, &value)) throw std::overflow_error("ByteCount subtraction overflows 64 bits");
    return *this;
  }
  friend constexpr ByteCount operator+(ByteCount a, ByteCount b) { return a += b; }
  friend constexpr ByteCount operator-(ByteCount a, ByteCount b) { return a -= b; }
  friend constexpr ByteCount operator*(ByteCount a, std::int64_t count) {
    ByteCount result;
    if (__builtin_mul_overflow(a.value, count, &result.value)) throw std::overflow_error("ByteCount multiplication overflows 64 bits");
    return result;
  }
  friend constexpr ByteCount operator*(std::int64_t count, ByteCount a) { return a * count; }
  friend constexpr auto operator<=>(ByteCount, ByteCount) = default;
};

// "12B", "1500B": plain bytes, exact.
std::string to_string(ByteCount count);
std::ostream& operator<<(std::ostream& out, ByteCount count);

// A data rate, stored as a positive whole number of bits per second.
class Bandwidth {
 public:
  // Throws InvalidInput("", ...) unless bits_per_second > 0.
  static Bandwidth from_bits_per_second(std::int64_t bits_per_second);
  // Rounded to the nearest bit per second; throws InvalidInput("", ...) unless the value is
  // finite, > 0 and at least 1 bit per second after rounding, and fits in 64 bits.
  static Bandwidth from_bytes_per_second(double bytes_per_second);

  constexpr std::int64_t bits_per_second() const { return bits_per_second_; }
  constexpr double bytes_per_second() const { return static_cast<double>(bits_per_second_) / 8.0; }

  // Time to put `size` on the wire: ceil(bytes * 8 * 1e9 / bits_per_second) ns, computed
  // with a 128-bit intermediate. Throws std::invalid_argument for a negative size and
  // std::overflow_error if the result exceeds SimTime::max().
  SimTime transmission_time(ByteCount size) const;

  friend constexpr auto operator<=>(Bandwidth, Bandwidth) = default;

 private:
  constexpr explicit Bandwidth(std::int64_t bits_per_second) : bits_per_second_(bits_per_second) {}

  std::int64_t bits_per_second_;
};

// "1Gbps", "1500bps": the largest decimal SI bit-rate unit that keeps the value exact.
std::string to_string(Bandwidth bandwidth);
std::ostream& operator<<(std::ostream& out, Bandwidth bandwidth);

}  // namespace cdsim
