// The physical properties of one link: its propagation latency and its bandwidth (bits
// per second). Shared by every network model.
#pragma once

#include <optional>

#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim {

// A change of a link's properties at a time (faults.link_degrade); an empty field stays.
struct LinkChange {
  std::optional<SimTime> latency;
  std::optional<Bandwidth> bandwidth;
};

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
