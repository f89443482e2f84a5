// Simulated time: a signed 64-bit count of nanoseconds in a strong type, never a double.
// Construction is explicit or through named factories; arithmetic is overflow-checked
// (std::overflow_error), so a run that outgrows ~292 years of simulated time fails loudly
// instead of wrapping around.
#pragma once

#include <compare>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <stdexcept>
#include <string>

namespace cdsim {

class SimTime {
 public:
  // Zero.
  constexpr SimTime() = default;
  constexpr explicit SimTime(std::int64_t ns) : ns_(ns) {}

  static constexpr SimTime from_ns(std::int64_t ns) { return SimTime(ns); }
  static constexpr SimTime from_us(std::int64_t us) { return SimTime(checked_mul(us, 1'000)); }
  static constexpr SimTime from_ms(std::int64_t ms) { return SimTime(checked_mul(ms, 1'000'000)); }
  // Rounded to the nearest nanosecond (halves away from zero). Throws InvalidInput("",
  // ...) on NaN, infinity, or a value outside the representable range.
  static SimTime from_seconds(double seconds);
  static constexpr SimTime zero() { return SimTime(0); }
  static constexpr SimTime max() { return SimTime(std::numeric_limits<std::int64_t>::max()); }

  constexpr std::int64_t ns() const { return ns_; }
  constexpr double seconds() const { return static_cast<double>(ns_) * 1e-9; }

  constexpr SimTime& operator+=(SimTime other) {
    ns_ = checked_add(ns_, other.ns_);
    return *this;
  }
  constexpr SimTime& operator-=(SimTime other) {
    ns_ = checked_sub(ns_, other.ns_);
    return *this;
  }
  friend constexpr SimTime operator+(SimTime a, SimTime b) { return a += b; }
  friend constexpr SimTime operator-(SimTime a, SimTime b) { return a -= b; }
  // A duration repeated `count` times.
  friend constexpr SimTime operator*(SimTime t, std::int64_t count) { return SimTime(checked_mul(t.ns_, count)); }
  friend constexpr SimTime operator*(std::int64_t count, SimTime t) { return t * count; }

  friend constexpr auto operator<=>(SimTime, SimTime) = default;

 private:
  static constexpr std::int64_t checked_add(std::int64_t a, std::int64_t b) {
    std::int64_t result = 0;
    if (__builtin_add_overflow(a, b, &result)) throw std::overflow_error("SimTime addition overflows 64-bit nanoseconds");
    return result;
  }
  static constexpr std::int64_t checked_sub(std::int64_t a, std::int64_t b) {
    std::int64_t result = 0;
    if (__builtin_sub_overflow(a, b, &result)) throw std::overflow_error("SimTime subtraction overflows 64-bit nanoseconds");
    return result;
  }
  static constexpr std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
    std::int64_t result = 0;
    if (__builtin_mul_overflow(a, b, &result)) throw std::overflow_error("SimTime multiplication overflows 64-bit nanoseconds");
    return result;
  }

  std::int64_t ns_ = 0;
};

// The time with the largest unit of s, ms, us, ns that keeps it exact: "2s", "250us",
// "1500us" for 1.5 ms, "0s". Inverse of parse_duration (sim/units.h).
std::string to_string(SimTime time);
std::ostream& operator<<(std::ostream& out, SimTime time);

}  // namespace cdsim
