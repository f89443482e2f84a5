// Churn as crash and recover events: from an availability trace (a CSV file of the
// intervals each agent is online) or from a seeded model of exponential online and offline
// times. Either way the result is a list of agent changes for FaultyNetwork and the
// protocols, in time order.
//
// Trace format: an optional header `agent,online_from,online_until`, then one row per
// online interval; times are unit strings ("90s", "2min") or plain numbers of seconds; an
// empty online_until means "online to the end". An agent named in the trace is offline
// outside its intervals (crashed at 0 unless an interval starts at 0); agents not named
// are online throughout. One agent's intervals must not overlap. Blank lines and lines
// starting with '#' are skipped. Errors are InvalidInput("/faults/churn/trace", ...)
// naming the file, the line and the column.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/faulty_network.h"
#include "sim/protocols/fault_spec.h"

namespace cdsim {

// The changes of a trace file's text (`name` for messages), for `agents` agents; times
// must not exceed `latest`.
std::vector<AgentStateChange> parse_availability_trace(const std::string& text, const std::string& name,
                                                       std::size_t agents, SimTime latest);
// The same, read from `path`, which must be a regular file of at most 64 MiB.
std::vector<AgentStateChange> read_availability_trace(const std::string& path, std::size_t agents, SimTime latest);

// The model: max(1, round(fraction N)) agents, the first of a seeded permutation
// (Rng(seed, 0, kChurn)), start online and alternate online ~ Exp(mean_online) and
// offline ~ Exp(mean_offline) (agent j's draws from Rng(seed, j + 1, kChurn), rounded to
// nanoseconds), with no change after `horizon`.
std::vector<AgentStateChange> churn_model_changes(const ChurnSpec& churn, std::size_t agents, std::uint64_t seed);

}  // namespace cdsim
