// Shortest round-trip text of a double ("0.1", "1e+300", "nan"), for error messages that
// must show the value the user wrote rather than std::to_string's fixed six decimals.
#pragma once

#include <charconv>
#include <string>

namespace cdsim {

inline std::string format_double(double value) {
  char buffer[64];
  const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

}  // namespace cdsim
