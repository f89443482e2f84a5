// The link changes a scenario's faults make, checked against the topology: each event's
// link must be an edge, each partition's agents exist and sit in one group at most.
// Errors are InvalidInput("/faults/events/<i>/...").
#pragma once

#include <vector>

#include "sim/faulty_network.h"
#include "sim/protocols/fault_spec.h"
#include "topologies/graph.h"

namespace cdsim {

std::vector<LinkStateChange> plan_link_changes(const FaultSpec& faults, const Graph& graph);

}  // namespace cdsim
