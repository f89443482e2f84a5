// What a scenario says about faults: timed link events (a link down or back up, a
// partition of the agents into groups and its heal, a link degraded), agents that crash
// and recover (one by one, from an availability trace or from a seeded on/off model), and
// random message loss (everywhere, or per link). Plain values filled by the scenario
// loader; sim/protocols/fault_plan.h turns them into link and agent changes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.h"
#include "sim/units.h"

namespace cdsim {

// One end of a link of the physical network (network.model switch, platform or nic):
// "host:h", the protocol's node h (agents 0 .. N - 1, then the server if the algorithm has
// one), or "switch:s", the platform's switch s in its generator's order (sim/platform.h;
// in the nic model, switch h is host h's NIC).
struct PlatformNodeName {
  bool is_switch = false;
  std::size_t index = 0;
  std::string text() const { return (is_switch ? "switch:" : "host:") + std::to_string(index); }
};

struct FaultEvent {
  SimTime at;
  // link_down, link_up: `link` = {a, b}, an edge of the topology.
  // partition: every edge between two different `groups` goes down (agents in no group
  // form one more group). heal: the links of the latest unhealed partition come back.
  // crash, recover: `agent` stops (its messages lost) or resumes from its last parameters.
  // link_degrade: `link` gets `latency` and/or `bandwidth` from now on (both directions).
  // link_down, link_up, link_degrade may name a link of the physical network instead:
  // `platform_link` (its two ends) rather than `link`.
  std::string kind;
  std::vector<std::size_t> link;
  std::vector<PlatformNodeName> platform_link;
  std::vector<std::vector<std::size_t>> groups;
  std::optional<std::size_t> agent;
  std::optional<SimTime> latency;
  std::optional<Bandwidth> bandwidth;
};

// Link {a, b} (both directions) loses each message with `probability`, instead of the
// global loss_probability. Or a platform link (`platform_link`, its two ends): each
// message whose route crosses it is lost with `probability`, on top of the others.
struct LinkLoss {
  std::vector<std::size_t> link;
  std::vector<PlatformNodeName> platform_link;
  double probability = 0.0;
};

// Churn: agents leave (crash) and come back (recover) from an availability trace file, a
// CSV of `agent,online_from,online_until` rows (durations as unit strings or seconds), or
// from a seeded model with exponential online and offline times.
struct ChurnSpec {
  std::string trace;                          // absolute path; empty: no trace
  SimTime mean_online = SimTime::zero();      // model: > 0 turns it on
  SimTime mean_offline = SimTime::zero();
  SimTime horizon = SimTime::zero();          // model: no change generated after it
  double fraction = 1.0;                      // model: the share of agents that churn (the first ones of a seeded draw)
  bool any() const { return !trace.empty() || mean_online > SimTime::zero(); }
};

struct FaultSpec {
  double loss_probability = 0.0;  // every message, every link without its own, seeded
  std::vector<LinkLoss> link_loss;
  std::vector<FaultEvent> events;
  ChurnSpec churn;
  bool any() const { return loss_probability > 0.0 || !link_loss.empty() || !events.empty() || churn.any(); }
};

}  // namespace cdsim
