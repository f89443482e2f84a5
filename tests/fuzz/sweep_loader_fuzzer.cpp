// libFuzzer harness: any bytes as a sweep file. The sweep loader must either accept them or
// throw ScenarioError (bad input); anything else (a crash, a sanitizer report, another
// exception) is a finding. An accepted sweep of modest size must expand into runs with
// unique ids and write its resolved form.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "analysis/studies/sweep_spec.h"
#include "scenarios/scenario_loader.h"

namespace {

// Runs the sweep expands into (each product axis and each zip group is one factor).
std::uint64_t run_count(const cdsim::studies::SweepSpec& spec) {
  std::uint64_t runs = spec.seeds.size();
  std::set<std::size_t> groups;
  for (const cdsim::studies::SweepAxis& axis : spec.axes) {
    if (axis.zip_group != 0 && !groups.insert(axis.zip_group).second) continue;
    runs *= axis.values.size();
  }
  return runs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // A folder that does not exist: relative "base" paths name no file.
    const cdsim::studies::SweepSpec spec = cdsim::studies::parse_sweep(text, "/nonexistent-cdsim-fuzz/sweep.json");
    (void)cdsim::studies::resolved_sweep_json(spec);
    if (run_count(spec) <= 10'000) {  // the loader allows a million; keep each input fast
      std::set<std::string> ids;
      for (const cdsim::studies::SweepRun& run : cdsim::studies::expand_sweep(spec)) {
        if (!ids.insert(run.id).second) std::abort();  // expand_sweep promises unique ids
      }
    }
  } catch (const cdsim::ScenarioError&) {
  }
  return 0;
}
