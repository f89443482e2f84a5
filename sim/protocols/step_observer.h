// What a protocol reports when every agent has finished a step that is to be observed:
// the step, when the last agent finished it, the traffic so far, and every agent's
// parameters after that step. The analysis layer turns this into metrics.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim {

struct StepSnapshot {
  std::int64_t step = 0;                // parameters are x(step); step 0 is the start
  SimTime time;                         // when the last agent finished this step
  ByteCount bytes_total;                // bytes sent on the network so far
  std::uint64_t messages_total = 0;     // messages sent so far
  std::span<const std::vector<float>> parameters;  // one vector per agent (none without observe_parameters)
  // FedAvg: the round's clients' local models as they returned them, before the server
  // averaged them into `parameters` (empty for the other protocols and at step 0).
  std::span<const std::vector<float>> client_parameters = {};
};

using StepObserver = std::function<void(const StepSnapshot&)>;

}  // namespace cdsim
