#include "sim/protocols/fault_plan.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/invalid_input.h"
#include "sim/protocols/churn.h"

namespace cdsim {
namespace {

// The simulated clock's safe range (scenarios/scenario_limits.h): 2^62 ns.
constexpr SimTime kLatest = SimTime::from_ns(std::int64_t{1} << 62);

AgentId id(std::size_t v) { return AgentId{static_cast<std::uint32_t>(v)}; }

// The edge {a, b} of `link`, checked against the graph.
Edge checked_link(const std::vector<std::size_t>& link, const Graph& graph, const std::string& field) {
  const std::size_t n = graph.vertex_count();
  if (link.size() != 2) throw InvalidInput(field, "expected two agents [a, b]");
  const std::size_t a = link[0];
  const std::size_t b = link[1];
  if (a >= n || b >= n || !graph.has_edge(a, b)) {
    throw InvalidInput(field, "agents " + std::to_string(a) + " and " + std::to_string(b) +
                                  " are not linked in the topology; expected one of its edges");
  }
  return Edge{a, b};
}

InvalidInput mixed(const std::string& field) {
  return InvalidInput(field, "platform links and agent-pair links (link_down/link_up on [a, b], partition, heal) do not "
                             "mix in one scenario (rerouting reorders an agent pair's messages); name platform links only");
}

// The nodes {a, b} of platform link `ends`, checked against the platform.
std::pair<AgentId, AgentId> checked_platform_link(const std::vector<PlatformNodeName>& ends, const Platform* platform,
                                                  const std::string& field) {
  if (platform == nullptr) {
    throw InvalidInput(field, "names a platform link, but point-to-point links have no platform; expected two agents "
                              "[a, b], or network.model \"switch\", \"platform\" or \"nic\"");
  }
  std::vector<AgentId> nodes;
  for (std::size_t k = 0; k < ends.size(); ++k) {
    const PlatformNodeName& end = ends[k];
    const std::size_t count = end.is_switch ? platform->switch_count() : platform->host_count;
    if (end.index >= count) {
      throw InvalidInput(field + "/" + std::to_string(k), "no " + end.text() + ": the \"" + platform->kind +
                                                              "\" platform has " + std::to_string(count) +
                                                              (end.is_switch ? " switches" : " hosts"));
    }
    nodes.push_back(id(end.is_switch ? platform->host_count + end.index : end.index));
  }
  for (const Platform::Link& link : platform->links) {
    if ((link.a == nodes[0] && link.b == nodes[1]) || (link.a == nodes[1] && link.b == nodes[0])) {
      return {nodes[0], nodes[1]};
    }
  }
  throw InvalidInput(field, ends[0].text() + " and " + ends[1].text() + " are not joined by a link of the \"" +
                                platform->kind + "\" platform");
}

}  // namespace

FaultSchedule plan_faults(const FaultSpec& faults, const Graph& graph, std::uint64_t seed, bool links_from_topology,
                          const Platform* platform) {
  const std::size_t n = graph.vertex_count();
  FaultSchedule plan;
  plan.loss_probability = faults.loss_probability;
  for (std::size_t i = 0; i < faults.link_loss.size(); ++i) {
    const std::string field = "/faults/link_loss/" + std::to_string(i) + "/link";
    if (!faults.link_loss[i].platform_link.empty()) {
      const auto [a, b] = checked_platform_link(faults.link_loss[i].platform_link, platform, field);
      plan.network_link_loss.push_back({a, b, faults.link_loss[i].probability});
      continue;
    }
    if (!links_from_topology) {
      throw InvalidInput(field, "this algorithm's messages do not travel on the topology's links; use loss_probability");
    }
    const Edge e = checked_link(faults.link_loss[i].link, graph, field);
    plan.link_loss.push_back({id(e.first), id(e.second), faults.link_loss[i].probability});
  }
  std::vector<std::vector<Edge>> open_partitions;  // links each unhealed partition took down
  std::vector<bool> crashed(n, false);
  for (std::size_t i = 0; i < faults.events.size(); ++i) {
    const FaultEvent& event = faults.events[i];
    const std::string field = "/faults/events/" + std::to_string(i);
    if (event.at > kLatest) throw InvalidInput(field + "/at", "beyond the simulated clock's range (2^62 ns)");
    if (!event.platform_link.empty()) {
      const auto [a, b] = checked_platform_link(event.platform_link, platform, field + "/link");
      if (event.kind == "link_degrade") {
        plan.rates.push_back(LinkRateChange{event.at, a, b, LinkChange{event.latency, event.bandwidth}});
      } else {
        plan.network_links.push_back(LinkStateChange{event.at, a, b, event.kind == "link_up"});
        if (!plan.links.empty()) throw mixed(field);
      }
      continue;
    }
    const bool link_event = event.kind != "crash" && event.kind != "recover";
    if (link_event && !links_from_topology) {
      throw InvalidInput(field + "/kind", "this algorithm's messages do not travel on the topology's links; a " +
                                              event.kind + " does not apply (crash, recover and loss do)");
    }
    if (event.kind == "link_down" || event.kind == "link_up") {
      const Edge e = checked_link(event.link, graph, field + "/link");
      plan.links.push_back(LinkStateChange{event.at, id(e.first), id(e.second), event.kind == "link_up"});
    } else if (event.kind == "link_degrade") {
      const Edge e = checked_link(event.link, graph, field + "/link");
      plan.rates.push_back(LinkRateChange{event.at, id(e.first), id(e.second), LinkChange{event.latency, event.bandwidth}});
    } else if (event.kind == "crash" || event.kind == "recover") {
      const std::size_t agent = *event.agent;
      if (agent >= n) throw InvalidInput(field + "/agent", "no agent " + std::to_string(agent) + " (there are " + std::to_string(n) + ")");
      const bool crash = event.kind == "crash";
      if (crashed[agent] == crash) {
        throw InvalidInput(field + "/agent", "agent " + std::to_string(agent) +
                                                 (crash ? " has crashed already" : " has not crashed"));
      }
      crashed[agent] = crash;
      plan.agents.push_back(AgentStateChange{event.at, id(agent), !crash});
    } else if (event.kind == "partition") {
      std::vector<std::size_t> group_of(n, event.groups.size());  // ungrouped agents: one more group
      for (std::size_t g = 0; g < event.groups.size(); ++g) {
        for (std::size_t k = 0; k < event.groups[g].size(); ++k) {
          const std::size_t agent = event.groups[g][k];
          const std::string where = field + "/groups/" + std::to_string(g) + "/" + std::to_string(k);
          if (agent >= n) throw InvalidInput(where, "no agent " + std::to_string(agent) + " (there are " + std::to_string(n) + ")");
          if (group_of[agent] != event.groups.size()) {
            throw InvalidInput(where, "agent " + std::to_string(agent) + " is in two groups");
          }
          group_of[agent] = g;
        }
      }
      std::vector<Edge> cut;
      for (const Edge& e : graph.edges()) {
        if (group_of[e.first] != group_of[e.second]) cut.push_back(e);
      }
      for (const Edge& e : cut) plan.links.push_back(LinkStateChange{event.at, id(e.first), id(e.second), false});
      open_partitions.push_back(std::move(cut));
    } else if (event.kind == "heal") {
      if (open_partitions.empty()) throw InvalidInput(field + "/kind", "a heal without an earlier partition");
      for (const Edge& e : open_partitions.back()) {
        plan.links.push_back(LinkStateChange{event.at, id(e.first), id(e.second), true});
      }
      open_partitions.pop_back();
    } else {
      throw InvalidInput(field + "/kind", "unknown fault \"" + event.kind +
                                              "\"; expected link_down, link_up, link_degrade, partition, heal, crash or recover");
    }
    if (link_event && event.kind != "link_degrade" && !plan.network_links.empty()) throw mixed(field);
  }
  const ChurnSpec& churn = faults.churn;
  if (churn.horizon > kLatest) throw InvalidInput("/faults/churn/horizon", "beyond the simulated clock's range (2^62 ns)");
  if (churn.any()) {
    std::vector<AgentStateChange> churned = !churn.trace.empty() ? read_availability_trace(churn.trace, n, kLatest)
                                                                  : churn_model_changes(churn, n, seed);
    plan.agents.insert(plan.agents.end(), churned.begin(), churned.end());
    std::stable_sort(plan.agents.begin(), plan.agents.end(),
                     [](const AgentStateChange& a, const AgentStateChange& b) { return a.at < b.at; });
  }
  return plan;
}

}  // namespace cdsim
