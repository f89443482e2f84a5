// What a scenario says about faults: timed link events (a link down or back up, a
// partition of the agents into groups and its heal) and random message loss. Plain values
// filled by the scenario loader; sim/protocols/fault_plan.h turns them into link changes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/time.h"

namespace cdsim {

struct FaultEvent {
  SimTime at;
  // link_down, link_up: `link` = {a, b}, an edge of the topology.
  // partition: every edge between two different `groups` goes down (agents in no group
  // form one more group). heal: the links of the latest unhealed partition come back.
  std::string kind;
  std::vector<std::size_t> link;
  std::vector<std::vector<std::size_t>> groups;
};

struct FaultSpec {
  double loss_probability = 0.0;  // every message, every link, seeded
  std::vector<FaultEvent> events;
  bool any() const { return loss_probability > 0.0 || !events.empty(); }
};

}  // namespace cdsim
