#include "analysis/run_network.h"

#include <utility>
#include <vector>

#include "sim/point_to_point_network.h"
#include "sim/protocols/link_assignment.h"
#include "sim/shared_link_network.h"

namespace cdsim {

std::unique_ptr<Network> build_network(Simulation& simulation, const ProtocolLinks& links, const Scenario& scenario,
                                       const ScenarioTopology& topology, const std::optional<Platform>& platform) {
  const NetworkSpec& spec = scenario.network;
  if (!platform) {
    const std::vector<DuplexLinkSpec> specs = point_to_point_link_specs(
        spec, links, scenario.agents, topology.graph, topology.edge_links, scenario.seed);
    auto network = std::make_unique<PointToPointNetwork>(simulation, links.node_count,
                                                         std::vector<PointToPointNetwork::Edge>{},
                                                         std::vector<LinkSpec>{});
    for (std::size_t e = 0; e < links.edges.size(); ++e) {
      network->add_link(links.edges[e].first, links.edges[e].second, specs[e].forward, specs[e].backward);
    }
    // faults.link_degrade re-times what is on a link exactly only on a link that queues.
    for (const LinkRateChange& rate : topology.faults.rates) {
      for (const auto& [from, to] : {std::pair{rate.a, rate.b}, std::pair{rate.b, rate.a}}) {
        if (network->has_link(from, to)) network->make_changeable(network->link_index(from, to));
      }
    }
    return network;
  }
  auto network = std::make_unique<SharedLinkNetwork>(simulation, links.node_count,
                                                     std::vector<SharedLinkNetwork::PhysicalLink>{});
  add_platform(*network, *platform);
  return network;
}

}  // namespace cdsim
