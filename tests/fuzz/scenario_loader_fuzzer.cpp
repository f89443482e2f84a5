// libFuzzer harness: any bytes as a scenario file. The loader must either accept them or
// throw ScenarioError (bad input); anything else (a crash, a sanitizer report, another
// exception) is a finding. An accepted scenario's resolved form must load back to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scenarios/scenario_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const cdsim::Scenario scenario = cdsim::parse_scenario(text, "fuzz.json");
    const std::string resolved = cdsim::resolved_scenario_json(scenario);
    const std::string again = cdsim::resolved_scenario_json(cdsim::parse_scenario(resolved, "resolved.json"));
    if (again != resolved) std::abort();  // the resolved scenario must round-trip
  } catch (const cdsim::ScenarioError&) {
  }
  return 0;
}
