// libFuzzer harness for GraphML platform files (sim/platform_file.h): the first byte picks
// the host count the run expects (1..16), the rest is the file. Every input must give a
// platform or throw InvalidInput naming the file; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "core/invalid_input.h"
#include "sim/platform_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t hosts = data[0] % 16 + 1;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data + 1), size - 1));
  try {
    const cdsim::PlatformFile platform = cdsim::parse_platform_file(in, "fuzz", hosts);
    (void)platform.links.size();
  } catch (const cdsim::InvalidInput&) {
  }
  return 0;
}
