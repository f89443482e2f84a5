#include "analysis/topology_whatif.h"

#include <memory>
#include <optional>

#include "analysis/run_network.h"

#include "core/data_loader.h"
#include "core/model.h"
#include "core/model_spec.h"
#include "scenarios/scenario_topology.h"
#include "sim/protocols/link_assignment.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/wire_size.h"
#include "sim/simulation.h"

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
  TopologyReport described = describe_topology(topology.graph, topology.mixing, report);
  // --shared-uplink asks for the formula's serialized uplink, a what-if of its own.
  if (!options.shared_uplink && described.edges > 0 && !uniform_point_to_point(scenario, topology)) {
    if (described.messages_per_round > options.max_simulated_messages) {
      described.round_time_method = "formula_ignoring_network";
    } else {
      described.round_time_s = simulate_exchange_round(scenario, topology, ByteCount{message_bytes}).seconds();
      described.round_time_method = "simulated";
      if (described.steps_to_shrink) {
        described.time_to_shrink_s = static_cast<double>(*described.steps_to_shrink) * described.round_time_s;
      }
    }
  }
  return NamedReport{scenario.name, described};
}

bool uniform_point_to_point(const Scenario& scenario, const ScenarioTopology& topology) {
  const NetworkSpec& network = scenario.network;
  return network.model == "point_to_point" && network.latency_distribution.kind == "fixed" &&
         network.agent_classes.empty() && topology.edge_links.empty();
}

SimTime simulate_exchange_round(const Scenario& scenario, const ScenarioTopology& topology, ByteCount message) {
  // The topology's edges are the links (as consensus uses them) among the protocol's nodes,
  // so that a platform's hosts are what the run would place on it.
  ProtocolLinks links;
  links.node_count = protocol_links(scenario.algorithm, topology.graph).node_count;
  for (const auto& [u, v] : topology.graph.edges()) {
    links.edges.emplace_back(AgentId{static_cast<std::uint32_t>(u)}, AgentId{static_cast<std::uint32_t>(v)});
  }
  std::optional<Platform> platform;
  if (scenario.network.model != "point_to_point") {
    platform = build_platform(scenario.network, links, scenario.agents, topology.graph, topology.edge_links,
                              scenario.seed);
  }
  Simulation simulation(scenario.seed);
  const std::unique_ptr<Network> network = build_network(simulation, links, scenario, topology, platform);
  SimTime last = SimTime::zero();
  network->set_delivery_handler([&](Message&&) { last = simulation.now(); });
  for (const auto& [a, b] : links.edges) {
    for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
      Message m;
      m.from = from;
      m.to = to;
      m.size = message;
      network->send(std::move(m));
    }
  }
  simulation.run();
  return last;
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
