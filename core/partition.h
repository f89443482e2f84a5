// Splits a training set over agents: each agent gets a shard, a list of sample indices
// into the shared Dataset (samples are never copied). All kinds are seeded through
// Rng(seed, 0, RngPurpose::kPartition), so the same seed gives the same shards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/dataset.h"
#include "core/partition_spec.h"

namespace cdsim {

using Shards = std::vector<std::vector<std::size_t>>;  // sample indices per agent

// kinds (PartitionSpec::kind):
//  iid          seeded shuffle, then equal contiguous shards (the paper's split); when the
//               agents do not divide n, the first n % agents shards hold one sample more.
//  label_shards each agent holds `classes_per_agent` classes, assigned round-robin over a
//               seeded class order; a class's samples are split equally among the agents
//               holding it. Classes no agent holds (agents * k < classes) are left out.
//  dirichlet    per class, agent proportions ~ Dirichlet(alpha); small alpha = strong skew.
//  fractions    seeded shuffle, then contiguous shards with sizes proportional to
//               `fractions` (one positive weight per agent, rounded by largest remainder).
// Calls validate(spec, agents) first (core/partition_spec.h).
// Every agent gets at least one sample: one is moved from the largest shard if needed, and
// when there are fewer samples than agents, agents without one share samples held by others
// (so a million agents can learn from a smaller set). Throws InvalidInput ("/kind",
// "/classes_per_agent", "/dirichlet_alpha", "/fractions") on bad specs, or ("", ...) for
// an empty data set.
Shards partition(const Dataset& data, std::size_t agents, const PartitionSpec& spec,
                 std::uint64_t seed);

// Per-agent label histograms (agents x num_classes), for the run report.
std::vector<std::vector<std::size_t>> shard_label_histograms(const Dataset& data,
                                                             const Shards& shards);

}  // namespace cdsim
