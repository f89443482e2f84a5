#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/data_spec.h"
#include "core/model_spec.h"
#include "core/partition_spec.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_topology.h"
#include "sim/protocols/link_assignment.h"
#include "sim/protocols/protocol.h"

TEST_CASE("every scenario shipped under scenarios/ loads, round-trips and builds its topology") {
  const std::filesystem::path root = std::filesystem::path(CDSIM_SOURCE_DIR) / "scenarios";
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(root); it != std::filesystem::recursive_directory_iterator(); ++it) {
    // scenarios/studies/ holds sweep files (tests/analysis/studies checks them).
    if (it->is_directory() && it->path().filename() == "studies") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  REQUIRE(files.size() >= 2);
  for (const auto& file : files) {
    CAPTURE(file.string());
    const cdsim::Scenario scenario = cdsim::load_scenario(file.string());
    const std::string resolved = cdsim::resolved_scenario_json(scenario);
    CHECK(cdsim::resolved_scenario_json(cdsim::parse_scenario(resolved, file.string())) == resolved);
    const cdsim::ScenarioTopology topology = cdsim::build_scenario_topology(scenario);
    CHECK(topology.graph.vertex_count() == scenario.agents);
    if (scenario.network.model == "platform" && scenario.network.platform.kind == "file") {
      CHECK_NOTHROW(cdsim::build_platform(scenario.network, cdsim::protocol_links(scenario.algorithm, topology.graph),
                                          scenario.agents, topology.graph, topology.edge_links, scenario.seed));
    }
    CHECK_NOTHROW(cdsim::validate(scenario.data));
    CHECK_NOTHROW(cdsim::validate(scenario.partition, scenario.agents));
    CHECK_NOTHROW(cdsim::validate(scenario.model));
  }
}
