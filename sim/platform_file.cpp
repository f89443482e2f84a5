#include "sim/platform_file.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <utility>

#include "core/input_file.h"
#include "core/invalid_input.h"
#include "core/printable_text.h"
#include "sim/units.h"
#include "topologies/graph.h"
#include "topologies/graph_io.h"

namespace cdsim {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

[[noreturn]] void fail(const std::string& message) { throw InvalidInput("/file", message); }

// A whole nonnegative decimal integer below `bound`, or kNone.
std::size_t parse_agent(const std::string& text, std::size_t bound) {
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    return kNone;
  }
  const std::size_t value = std::stoul(text);
  return value < bound ? value : kNone;
}

struct Roles {
  std::vector<bool> host;           // by file node
  std::vector<std::size_t> number;  // file node -> platform node
  std::size_t hosts = 0;
};

Roles assign_nodes(const GraphmlDocument& document, const std::string& source, std::size_t expected_hosts) {
  const std::size_t n = document.nodes.size();
  Roles roles{std::vector<bool>(n), std::vector<std::size_t>(n, kNone), 0};
  std::size_t with_agent = 0;
  for (std::size_t v = 0; v < n; ++v) {
    const GraphmlNode& node = document.nodes[v];
    const std::string name = source + ": node '" + printable(node.id) + "'";
    for (const auto& [key, value] : node.attributes) {
      if (key != "role" && key != "agent" && key != "label") {
        fail(name + " has an unknown attribute '" + printable(key) + "'; expected role, agent or label");
      }
    }
    const auto role = node.attributes.find("role");
    if (role == node.attributes.end()) fail(name + " has no role; expected role host, switch or router");
    if (role->second != "host" && role->second != "switch" && role->second != "router") {
      fail(name + ": role '" + printable(role->second) + "'; expected host, switch or router");
    }
    roles.host[v] = role->second == "host";
    const bool has_agent = node.attributes.count("agent") > 0;
    if (has_agent && !roles.host[v]) fail(name + " is a " + role->second + " with an agent; expected agent on hosts only");
    if (roles.host[v]) ++roles.hosts;
    if (has_agent) ++with_agent;
  }
  if (roles.hosts != expected_hosts) {
    fail(source + " has " + std::to_string(roles.hosts) + " hosts; expected " + std::to_string(expected_hosts) +
         ", one per node of the run's protocol (its agents, then a server if it has one)");
  }
  if (with_agent != 0 && with_agent != roles.hosts) {
    for (std::size_t v = 0; v < n; ++v) {
      if (roles.host[v] && document.nodes[v].attributes.count("agent") == 0) {
        fail(source + ": node '" + printable(document.nodes[v].id) + "' has no agent, but " +
             std::to_string(with_agent) + " other hosts have one; expected agent on every host or on none");
      }
    }
  }
  std::vector<std::size_t> owner(expected_hosts, kNone);  // platform host -> file node
  std::size_t next_host = 0;
  std::size_t next_switch = roles.hosts;
  for (std::size_t v = 0; v < n; ++v) {
    if (!roles.host[v]) {
      roles.number[v] = next_switch++;
      continue;
    }
    if (with_agent == 0) {
      roles.number[v] = next_host++;
      continue;
    }
    const std::string& text = document.nodes[v].attributes.at("agent");
    const std::size_t agent = parse_agent(text, expected_hosts);
    const std::string name = source + ": node '" + printable(document.nodes[v].id) + "'";
    if (agent == kNone) {
      fail(name + ": agent '" + printable(text) + "'; expected an integer in 0.." + std::to_string(expected_hosts - 1));
    }
    if (owner[agent] != kNone) {
      fail(name + ": agent " + text + " is also node '" + printable(document.nodes[owner[agent]].id) +
           "'; expected each agent on one host");
    }
    owner[agent] = v;
    roles.number[v] = agent;
  }
  return roles;
}

// One edge's link values; forward is the file's source -> target.
PlatformFileLink read_link(const GraphmlEdge& edge, const std::string& name) {
  std::optional<SimTime> latency[3];    // both, forward, backward
  std::optional<Bandwidth> bandwidth[3];
  for (const auto& attribute : edge.attributes) {
    // Named references, not structured bindings: clang 14 cannot capture those.
    const std::string& key = attribute.first;
    const std::string& value = attribute.second;
    const auto slot = [&key](const char* stem) -> int {
      const std::string s(stem);
      if (key == s) return 0;
      if (key == s + "_forward") return 1;
      if (key == s + "_backward") return 2;
      return -1;
    };
    try {
      if (const int i = slot("latency"); i >= 0) {
        latency[i] = parse_duration_or_seconds(value);
      } else if (const int j = slot("bandwidth"); j >= 0) {
        bandwidth[j] = parse_bandwidth_or_bytes_per_second(value);
      } else if (key != "label") {
        fail(name + " has an unknown attribute '" + printable(key) +
             "'; expected latency, bandwidth, latency_forward, latency_backward, bandwidth_forward, "
             "bandwidth_backward or label");
      }
    } catch (const InvalidInput& error) {
      if (!error.field().empty()) throw;
      fail(name + ": " + key + " \"" + printable(value) + "\": " + error.what());
    }
  }
  PlatformFileLink link;
  link.forward_latency = latency[1] ? latency[1] : latency[0];
  link.backward_latency = latency[2] ? latency[2] : latency[0];
  link.forward_bandwidth = bandwidth[1] ? bandwidth[1] : bandwidth[0];
  link.backward_bandwidth = bandwidth[2] ? bandwidth[2] : bandwidth[0];
  return link;
}

}  // namespace

PlatformFile parse_platform_file(std::istream& in, const std::string& source, std::size_t hosts) {
  const GraphmlDocument document = parse_graphml_document(in, source);
  const std::size_t n = document.nodes.size();
  if (n == 0) fail(source + " has no nodes; expected hosts and switches");
  if (n > kMaxGraphVertices) {
    fail(source + " has " + std::to_string(n) + " nodes; expected at most " + std::to_string(kMaxGraphVertices));
  }
  const Roles roles = assign_nodes(document, source, hosts);
  PlatformFile platform;
  platform.host_count = hosts;
  platform.node_count = n;
  platform.node_ids.resize(n);
  for (std::size_t v = 0; v < n; ++v) platform.node_ids[roles.number[v]] = document.nodes[v].id;
  const auto id = [&](std::size_t v) { return "'" + printable(document.nodes[v].id) + "'"; };

  std::vector<std::optional<PlatformFileLink>> host_links(hosts);
  std::vector<PlatformFileLink> switch_links;
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> seen;  // node pair -> edge index
  std::vector<std::vector<std::size_t>> adjacent(n);
  for (std::size_t e = 0; e < document.edges.size(); ++e) {
    const GraphmlEdge& edge = document.edges[e];
    const std::size_t u = edge.source;
    const std::size_t v = edge.target;
    const std::string name = source + ": edge " + std::to_string(e) + " (" + id(u) + " -- " + id(v) + ")";
    if (u == v) fail(name + " joins a node to itself; expected a link between two nodes");
    if (const auto [found, inserted] = seen.emplace(std::minmax(u, v), e); !inserted) {
      fail(name + " repeats edge " + std::to_string(found->second) + "; expected at most one link between two nodes");
    }
    if (roles.host[u] && roles.host[v]) {
      fail(name + " joins two hosts; expected every host linked to a switch (add a switch between them)");
    }
    PlatformFileLink link = read_link(edge, name);
    link.a = AgentId{static_cast<std::uint32_t>(roles.number[u])};
    link.b = AgentId{static_cast<std::uint32_t>(roles.number[v])};
    adjacent[u].push_back(v);
    adjacent[v].push_back(u);
    const std::size_t host = roles.host[u] ? u : roles.host[v] ? v : kNone;
    if (host == kNone) {
      switch_links.push_back(link);
      continue;
    }
    if (host == v) {  // the host first: forward is its uplink
      std::swap(link.a, link.b);
      std::swap(link.forward_latency, link.backward_latency);
      std::swap(link.forward_bandwidth, link.backward_bandwidth);
    }
    std::optional<PlatformFileLink>& slot = host_links[roles.number[host]];
    if (slot) {
      fail(name + ": host " + id(host) + " has a second link; expected one link per host (its NIC), to a switch");
    }
    slot = link;
  }
  for (std::size_t v = 0; v < n; ++v) {
    if (roles.host[v] && !host_links[roles.number[v]]) {
      fail(source + ": node " + id(v) + " is a host without a link; expected one link per host, to a switch");
    }
  }
  // Every node reachable from host 0: one component, so every host pair has a route.
  const std::size_t start = static_cast<std::size_t>(
      std::find(roles.number.begin(), roles.number.end(), std::size_t{0}) - roles.number.begin());
  std::vector<char> reached(n, 0);
  std::vector<std::size_t> frontier{start};
  reached[start] = 1;
  while (!frontier.empty()) {
    const std::size_t v = frontier.back();
    frontier.pop_back();
    for (const std::size_t w : adjacent[v]) {
      if (!reached[w]) {
        reached[w] = 1;
        frontier.push_back(w);
      }
    }
  }
  for (std::size_t v = 0; v < n; ++v) {
    if (!reached[v]) {
      fail(source + ": node " + id(v) + " is not connected to node " + id(start) +
           "; expected one connected network, so that every two hosts have a route");
    }
  }
  platform.links.reserve(hosts + switch_links.size());
  for (std::optional<PlatformFileLink>& link : host_links) platform.links.push_back(*link);
  platform.links.insert(platform.links.end(), switch_links.begin(), switch_links.end());
  return platform;
}

PlatformFile read_platform_file(const std::string& path, std::size_t hosts) {
  if (path.empty()) fail("platform \"file\" needs a GraphML file; none was given");
  // The same bound as a topology file: a platform of the largest run fits in 1 GiB.
  require_input_file(path, "/file", "platform file (GraphML)", std::uintmax_t{1} << 30);
  std::ifstream in(path);
  if (!in) fail("cannot open platform file '" + path + "'");
  return parse_platform_file(in, "'" + path + "'", hosts);
}

}  // namespace cdsim
