// What a scenario says about the links between agents.
#pragma once

#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim {

struct NetworkSpec {
  // Every edge of the topology is its own full-duplex link with these properties.
  SimTime latency = SimTime::from_ms(1);
  Bandwidth bandwidth = Bandwidth::from_bits_per_second(1'000'000'000);
};

}  // namespace cdsim
