// How a scenario splits training data over agents: IID equal shards (the paper's split),
// label shards (k classes per agent), Dirichlet(alpha) label skew, or unequal shard sizes
// given as fractions. Plain values with defaults, filled by the scenario loader.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace cdsim {

struct PartitionSpec {
  std::string kind = "iid";           // iid, label_shards, dirichlet, fractions
  std::size_t classes_per_agent = 2;  // label_shards
  double dirichlet_alpha = 0.5;       // dirichlet
  std::vector<double> fractions;      // fractions: one positive weight per agent (normalized)
};

// What can be checked without the data (kind, agents > 0, alpha, fractions count and
// signs); partition() calls it too. Throws InvalidInput with the field ("/kind", ...).
void validate(const PartitionSpec& spec, std::size_t agents);

}  // namespace cdsim
