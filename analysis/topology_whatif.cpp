#include "analysis/topology_whatif.h"

#include "core/data_loader.h"
#include "core/model.h"
#include "core/model_spec.h"
#include "scenarios/scenario_topology.h"
#include "sim/protocols/link_assignment.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {

std::uint64_t scenario_model_parameters(const Scenario& scenario) {
  if (is_replay(scenario.model)) return scenario.model.parameters;  // a replay has no model to build
  DataSpec data = scenario.data;
  data.max_train_samples = 1;
  data.max_test_samples = 1;
  const TrainTestData loaded = load_data(data, scenario.seed);
  return make_model(scenario.model, loaded.train)->parameter_count();
}

NamedReport scenario_topology_report(const Scenario& scenario, const WhatIfOptions& options) {
  const ScenarioTopology topology = build_scenario_topology(scenario);
  const std::uint64_t parameters = options.parameters > 0 ? options.parameters : scenario_model_parameters(scenario);
  ReportOptions report;
  const std::int64_t message_bytes =
      parameter_message_size(AgentId{0}, AgentId{1}, 0, PayloadKind::kParameters, parameters).bytes();
  report.model_bytes = 4 * parameters;
  report.message_overhead_bytes = static_cast<std::uint64_t>(message_bytes) - report.model_bytes;
  report.link.latency_s = scenario.network.latency.seconds();
  report.link.bandwidth_bytes_per_s = scenario.network.bandwidth.bytes_per_second();
  report.shared_uplink = options.shared_uplink;
  report.disagreement_factor = options.disagreement_factor;
  return NamedReport{scenario.name, describe_topology(topology.graph, topology.mixing, report)};
}

NetworkSummary summarize_network(const Scenario& scenario, const ScenarioTopology& topology) {
  const ProtocolLinks links = protocol_links(scenario.algorithm, topology.graph);
  NetworkSummary summary{scenario.network.model, "", links.node_count, 0, links.edges.size(), links.edges.size()};
  if (scenario.network.model == "point_to_point") return summary;
  const Platform platform = build_platform(scenario.network, links, scenario.agents, topology.graph,
                                           topology.edge_links, scenario.seed);
  summary.platform = platform.kind;
  summary.switches = platform.switch_count();
  summary.physical_links = platform.links.size();
  return summary;
}

}  // namespace cdsim
