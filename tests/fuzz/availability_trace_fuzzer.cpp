// libFuzzer harness: any bytes as an availability trace (CSV of agent, online_from,
// online_until) for 1 to 64 agents (the first byte picks how many). Parsing must give a
// list of agent changes or throw InvalidInput; the list must be in time order, name only
// existing agents, and stay within the latest time allowed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/invalid_input.h"
#include "sim/protocols/churn.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t agents = 1 + data[0] % 64;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const cdsim::SimTime latest = cdsim::SimTime::from_seconds(1e6);
  try {
    const auto changes = cdsim::parse_availability_trace(text, "trace.csv", agents, latest);
    for (std::size_t i = 0; i < changes.size(); ++i) {
      if (changes[i].agent.index() >= agents || changes[i].at > latest) std::abort();
      if (i > 0 && changes[i].at < changes[i - 1].at) std::abort();
    }
  } catch (const cdsim::InvalidInput&) {
  }
  return 0;
}
