#include "sim/time.h"

#include <cmath>
#include <ostream>

#include "core/invalid_input.h"
#include "sim/number_format.h"

namespace cdsim {

SimTime SimTime::from_seconds(double seconds) {
  if (!std::isfinite(seconds)) {
    throw InvalidInput("", "a time of " + format_double(seconds) + " seconds is not a finite number");
  }
  const double ns = std::round(seconds * 1e9);
  // 2^63 is exactly representable; anything at or beyond it does not fit in int64.
  constexpr double kLimit = 9223372036854775808.0;
  if (ns >= kLimit || ns < -kLimit) {
    throw InvalidInput("", "a time of " + format_double(seconds) +
                               " seconds is out of range: expected at most about 9.2e9 seconds (292 years)");
  }
  return SimTime(static_cast<std::int64_t>(ns));
}

std::string to_string(SimTime time) {
  struct Unit {
    std::int64_t ns;
    const char* name;
  };
  constexpr Unit kUnits[] = {{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}};
  const std::int64_t ns = time.ns();
  if (ns == 0) return "0s";
  for (const Unit& unit : kUnits) {
    if (ns % unit.ns == 0) return std::to_string(ns / unit.ns) + unit.name;
  }
  return std::to_string(ns) + "ns";
}

std::ostream& operator<<(std::ostream& out, SimTime time) { return out << to_string(time); }

}  // namespace cdsim
