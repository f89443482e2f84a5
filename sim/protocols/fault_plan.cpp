#include "sim/protocols/fault_plan.h"

#include <string>

#include "core/invalid_input.h"

namespace cdsim {

std::vector<LinkStateChange> plan_link_changes(const FaultSpec& faults, const Graph& graph) {
  const std::size_t n = graph.vertex_count();
  auto id = [](std::size_t v) { return AgentId{static_cast<std::uint32_t>(v)}; };
  std::vector<LinkStateChange> changes;
  std::vector<std::vector<Edge>> open_partitions;  // links each unhealed partition took down
  for (std::size_t i = 0; i < faults.events.size(); ++i) {
    const FaultEvent& event = faults.events[i];
    const std::string field = "/faults/events/" + std::to_string(i);
    if (event.kind == "link_down" || event.kind == "link_up") {
      if (event.link.size() != 2) throw InvalidInput(field + "/link", "expected two agents [a, b]");
      const std::size_t a = event.link[0];
      const std::size_t b = event.link[1];
      if (a >= n || b >= n || !graph.has_edge(a, b)) {
        throw InvalidInput(field + "/link", "agents " + std::to_string(a) + " and " + std::to_string(b) +
                                                " are not linked in the topology; expected one of its edges");
      }
      changes.push_back(LinkStateChange{event.at, id(a), id(b), event.kind == "link_up"});
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
      for (const Edge& e : cut) changes.push_back(LinkStateChange{event.at, id(e.first), id(e.second), false});
      open_partitions.push_back(std::move(cut));
    } else if (event.kind == "heal") {
      if (open_partitions.empty()) throw InvalidInput(field + "/kind", "a heal without an earlier partition");
      for (const Edge& e : open_partitions.back()) {
        changes.push_back(LinkStateChange{event.at, id(e.first), id(e.second), true});
      }
      open_partitions.pop_back();
    } else {
      throw InvalidInput(field + "/kind", "unknown fault \"" + event.kind + "\"; expected link_down, link_up, partition or heal");
    }
  }
  return changes;
}

}  // namespace cdsim
