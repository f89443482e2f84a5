#include "sim/byte_count.h"

#include <cmath>
#include <limits>
#include <ostream>

#include "core/invalid_input.h"
#include "sim/number_format.h"

namespace cdsim {
namespace {
// 128-bit intermediates for exact rate arithmetic (__extension__ keeps -Wpedantic quiet).
__extension__ typedef __int128 Int128;
}  // namespace

std::string to_string(ByteCount count) { return std::to_string(count.bytes()) + "B"; }

std::ostream& operator<<(std::ostream& out, ByteCount count) { return out << to_string(count); }

Bandwidth Bandwidth::from_bits_per_second(std::int64_t bits_per_second) {
  if (bits_per_second <= 0) {
    throw InvalidInput("", "a bandwidth of " + std::to_string(bits_per_second) +
                               " bits per second is not allowed: expected a rate > 0");
  }
  return Bandwidth(bits_per_second);
}

Bandwidth Bandwidth::from_bytes_per_second(double bytes_per_second) {
  const std::string found = "a bandwidth of " + format_double(bytes_per_second) + " bytes per second";
  if (!std::isfinite(bytes_per_second) || bytes_per_second <= 0.0) {
    throw InvalidInput("", found + " is not allowed: expected a finite rate > 0");
  }
  const double bits = std::round(bytes_per_second * 8.0);
  if (bits < 1.0) throw InvalidInput("", found + " is too small: expected at least 1 bit per second");
  if (bits >= 9223372036854775808.0) throw InvalidInput("", found + " is too large for 64-bit bits per second");
  return Bandwidth(static_cast<std::int64_t>(bits));
}

SimTime Bandwidth::transmission_time(ByteCount size) const {
  if (size.bytes() < 0) {
    throw std::invalid_argument("transmission_time of a negative size: " + to_string(size));
  }
  constexpr Int128 kBitNanosecondsPerByte = 8 * static_cast<Int128>(1'000'000'000);
  const Int128 numerator = static_cast<Int128>(size.bytes()) * kBitNanosecondsPerByte;
  const Int128 ns = (numerator + bits_per_second_ - 1) / bits_per_second_;
  if (ns > std::numeric_limits<std::int64_t>::max()) {
    throw std::overflow_error("transmission time of " + to_string(size) + " at " + to_string(*this) +
                              " exceeds the largest SimTime");
  }
  return SimTime::from_ns(static_cast<std::int64_t>(ns));
}

std::string to_string(Bandwidth bandwidth) {
  struct Unit {
    std::int64_t bits_per_second;
    const char* name;
  };
  constexpr Unit kUnits[] = {
      {1'000'000'000'000, "Tbps"}, {1'000'000'000, "Gbps"}, {1'000'000, "Mbps"}, {1'000, "kbps"}};
  const std::int64_t bps = bandwidth.bits_per_second();
  for (const Unit& unit : kUnits) {
    if (bps % unit.bits_per_second == 0) return std::to_string(bps / unit.bits_per_second) + unit.name;
  }
  return std::to_string(bps) + "bps";
}

std::ostream& operator<<(std::ostream& out, Bandwidth bandwidth) { return out << to_string(bandwidth); }

}  // namespace cdsim
