// What a scenario says about the links between agents.
#pragma once

#include <string>

#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim {

struct NetworkSpec {
  // "point_to_point": every edge the protocol talks over is its own full-duplex link.
  // "switch": every node (agents, and a server if the protocol has one) hangs off one
  // switch by its own full-duplex link; a message crosses two links (up and down), and the
  // transfers sharing a link get max-min fair shares of its bandwidth.
  std::string model = "point_to_point";
  // Properties of every link.
  SimTime latency = SimTime::from_ms(1);
  Bandwidth bandwidth = Bandwidth::from_bits_per_second(1'000'000'000);
};

}  // namespace cdsim
