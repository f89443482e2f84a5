#include "scenarios/scenario_topology.h"

#include <algorithm>
#include <memory>
#include <string>

#include "core/invalid_input.h"
#include "sim/protocols/fault_plan.h"
#include "sim/units.h"
#include "topologies/generators.h"
#include "topologies/graph_io.h"

namespace cdsim {
namespace {

// A graph file's unit strings (or bare numbers: seconds, bytes per second) as link values.
std::vector<LinkOverride> parse_edge_links(const AttributedGraph& file, const std::string& path) {
  std::vector<LinkOverride> overrides;
  overrides.reserve(file.edge_links.size());
  for (std::size_t e = 0; e < file.edge_links.size(); ++e) {
    const EdgeLinkText& text = file.edge_links[e];
    const Edge& edge = file.graph.edges()[e];
    auto fail = [&](const std::string& attribute, const InvalidInput& error) {
      return InvalidInput("/topology/file", "'" + path + "': edge " + std::to_string(edge.first) + " -- " +
                                                std::to_string(edge.second) + ": " + attribute + " \"" +
                                                (attribute == "latency" ? text.latency : text.bandwidth) +
                                                "\": " + error.what());
    };
    LinkOverride o;
    if (!text.latency.empty()) {
      try {
        o.latency = parse_duration_or_seconds(text.latency);
      } catch (const InvalidInput& error) {
        throw fail("latency", error);
      }
    }
    if (!text.bandwidth.empty()) {
      try {
        o.bandwidth = parse_bandwidth_or_bytes_per_second(text.bandwidth);
      } catch (const InvalidInput& error) {
        throw fail("bandwidth", error);
      }
    }
    overrides.push_back(o);
  }
  return overrides;
}

// The physical network the faults' platform links are checked against: built only when
// an event names one and the model has a platform.
std::unique_ptr<Platform> fault_platform(const Scenario& scenario, const Graph& graph,
                                         const std::vector<LinkOverride>& edge_links) {
  const std::vector<FaultEvent>& events = scenario.faults.events;
  const bool named = std::any_of(events.begin(), events.end(), [](const FaultEvent& e) { return !e.platform_link.empty(); });
  if (!named || scenario.network.model == "point_to_point") return nullptr;
  return std::make_unique<Platform>(build_platform(scenario.network, protocol_links(scenario.algorithm, graph),
                                                   scenario.agents, graph, edge_links, scenario.seed));
}

}  // namespace

ScenarioTopology build_scenario_topology(const Scenario& scenario) {
  Graph graph = [&] {
    try {
      return build_graph(scenario.topology, scenario.agents, scenario.seed);
    } catch (const InvalidInput& error) {
      throw error.within("/topology");
    }
  }();
  std::vector<LinkOverride> edge_links;
  const std::string& kind = scenario.topology.kind;
  const std::string& algorithm = scenario.algorithm.kind;
  if (is_time_varying_kind(kind) && algorithm != "cdsgd" && algorithm != "cdmsgd" && algorithm != "cdmsgd_two_sequence" &&
      algorithm != "sgp") {
    throw InvalidInput("/topology/kind", "the time-varying topology \"" + kind + "\" needs a synchronous consensus "
                                         "algorithm (cdsgd, cdmsgd, cdmsgd_two_sequence) or sgp, not \"" + algorithm + "\"");
  }
  if (kind == "edge_list" || kind == "dot" || kind == "graphml") {
    // build_graph has checked the file's graph; this reads what it says about the links.
    AttributedGraph file = [&] {
      try {
        return read_attributed_graph_file(scenario.topology.file, kind);
      } catch (const InvalidInput& error) {
        throw error.within("/topology");
      }
    }();
    edge_links = parse_edge_links(file, scenario.topology.file);
    const std::string& model = scenario.network.model;
    if (!edge_links.empty() && (model == "switch" || model == "platform")) {
      throw InvalidInput("/network/model", "the graph file '" + scenario.topology.file + "' gives its edges links, but the \"" +
                                               model + "\" model has no per-edge links; expected \"point_to_point\", "
                                               "\"nic\" or a file without latency/bandwidth");
    }
  }
  FaultSchedule faults;
  if (scenario.faults.any()) {
    const bool consensus = algorithm == "cdsgd" || algorithm == "cdmsgd" || algorithm == "cdmsgd_two_sequence" ||
                           algorithm == "async_cdsgd" || algorithm == "choco_sgd" || algorithm == "sgp";
    const bool server = algorithm == "fedavg" || ((algorithm == "sgd" || algorithm == "msgd") &&
                                                  scenario.algorithm.communication == "parameter_server");
    if ((algorithm == "sgd" || algorithm == "msgd") && scenario.algorithm.communication == "all_reduce") {
      throw InvalidInput("/faults", "a ring all-reduce cannot complete a step without every member and every chunk, "
                                    "so faults are not modelled for it; use communication \"parameter_server\" "
                                    "with algorithm.timeout, or a consensus algorithm");
    }
    if (!consensus && !server) {
      throw InvalidInput("/faults", "faults are modelled for the consensus algorithms (cdsgd, cdmsgd, "
                                    "cdmsgd_two_sequence, async_cdsgd, choco_sgd, sgp), fedavg and the parameter server, not \"" +
                                    algorithm + "\"");
    }
    // A time-varying topology reaches here with synchronous consensus or sgp only (the check
    // on /topology/kind above): each step's timeout covers that step's neighbours, and link
    // events name edges of the union of the steps' graphs.
    faults = plan_faults(scenario.faults, graph, scenario.seed, consensus, fault_platform(scenario, graph, edge_links).get());
    const bool agent_pair_degrade = std::any_of(scenario.faults.events.begin(), scenario.faults.events.end(), [](const FaultEvent& e) {
      return e.kind == "link_degrade" && e.platform_link.empty();
    });
    if (agent_pair_degrade && scenario.network.model != "point_to_point") {
      throw InvalidInput("/network/model", "a link_degrade changes a link of the topology, modelled on \"point_to_point\" "
                                           "networks only, not \"" + scenario.network.model + "\"");
    }
  }
  try {
    if (is_time_varying_kind(kind)) {
      MixingSchedule schedule = build_mixing_schedule(scenario.topology, scenario.agents, scenario.seed, scenario.mixing);
      MixingMatrix first = schedule.rounds.front();
      return ScenarioTopology{std::move(graph), std::move(first), std::move(edge_links), std::move(schedule),
                              std::move(faults)};
    }
    MixingMatrix mixing = build_mixing_matrix(graph, scenario.mixing);
    return ScenarioTopology{std::move(graph), std::move(mixing), std::move(edge_links), std::nullopt,
                            std::move(faults)};
  } catch (const InvalidInput& error) {
    throw error.within("/mixing");
  }
}

}  // namespace cdsim
