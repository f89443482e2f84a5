// A scenario: everything one simulated training run needs, as typed values with every
// default filled. Loaded from one JSON file by scenarios/scenario_loader.h; the schema is
// documented field by field in docs/scenario.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/data_spec.h"
#include "core/model_spec.h"
#include "core/partition_spec.h"
#include "sim/protocols/algorithm_spec.h"
#include "sim/protocols/compute_spec.h"
#include "sim/protocols/fault_spec.h"
#include "sim/protocols/network_spec.h"
#include "sim/protocols/run_spec.h"
#include "topologies/topology_spec.h"

namespace cdsim {

struct Scenario {
  std::string name;
  std::uint64_t seed = 1;
  std::size_t agents = 5;
  TopologySpec topology;
  MixingSpec mixing;
  NetworkSpec network;
  ComputeSpec compute;
  DataSpec data;
  PartitionSpec partition;  // JSON: data.partition
  ModelSpec model;
  AlgorithmSpec algorithm;
  RunSpec run;
  FaultSpec faults;
};

}  // namespace cdsim
