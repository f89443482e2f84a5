// libFuzzer harness: any bytes as a duration, bandwidth or byte-count string (the first
// byte picks which). Parsing must give a value or throw InvalidInput; a parsed duration
// must print to a string that parses back to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/invalid_input.h"
#include "sim/units.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 3) {
      case 0: {
        const cdsim::SimTime time = cdsim::parse_duration(text);
        if (cdsim::parse_duration(cdsim::to_string(time)) != time) std::abort();
        break;
      }
      case 1: {
        const cdsim::Bandwidth rate = cdsim::parse_bandwidth(text);
        if (cdsim::parse_bandwidth(cdsim::to_string(rate)).bits_per_second() != rate.bits_per_second()) std::abort();
        break;
      }
      default:
        cdsim::parse_byte_count(text);
        break;
    }
  } catch (const cdsim::InvalidInput&) {
  }
  return 0;
}
