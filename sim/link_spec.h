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

// The two directions of a full-duplex link between `first` and `second`.
struct DuplexLinkSpec {
  LinkSpec forward;   // first -> second
  LinkSpec backward;  // second -> first
};

}  // namespace cdsim
