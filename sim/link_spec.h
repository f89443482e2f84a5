// The physical properties of one link: its propagation latency and its bandwidth (bits
// per second). Shared by every network model.
#pragma once

#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim {

struct LinkSpec {
  SimTime latency;  // propagation delay, >= 0
  Bandwidth bandwidth;
};

}  // namespace cdsim
