// The changes a scenario's faults make, checked against the topology: each event's link
// must be an edge, each partition's agents exist and sit in one group at most, crashed
// agents exist and recover only when crashed, times stay within the simulated clock's
// range; a platform link ("host:h" / "switch:s" ends) must be a link of the platform;
// churn (a trace file or the seeded model) adds crash and recover events. Errors
// are InvalidInput("/faults/events/<i>/...", "/faults/link_loss/<i>/...",
// "/faults/churn/...").
#pragma once

#include <cstdint>
#include <vector>

#include "sim/faulty_network.h"
#include "sim/platform.h"
#include "sim/protocols/fault_spec.h"
#include "topologies/graph.h"

namespace cdsim {

// Link changes, agent changes (events and churn merged in time order; at equal times the
// events first) and loss probabilities. `links_from_topology` false: the algorithm's
// traffic does not use the topology's edges (a server-based baseline), so link events and
// per-link losses are an error (platform links still apply: every message crosses them).
// `platform`: the run's physical network (null for point-to-point links, where a platform
// link is an error); its links' events go to network_links (down/up) and rates (degrade).
// Platform and agent-pair link events (link_down/up on agents, partition, heal) do not mix.
FaultSchedule plan_faults(const FaultSpec& faults, const Graph& graph, std::uint64_t seed,
                          bool links_from_topology = true, const Platform* platform = nullptr);

}  // namespace cdsim
