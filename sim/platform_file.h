// A physical network read from a GraphML file whose nodes say what they are: a `role` of
// `host` or `switch` (`router` is a switch). Hosts are the protocol's nodes (agents, then a
// server if there is one); every edge is a full-duplex link whose latency and bandwidth the
// file may give, per direction or for both. This reads and checks the file; the scenario's
// defaults and NICs are applied by build_platform (sim/protocols/link_assignment.h).
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "sim/agent_id.h"
#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim {

// One link as the file gives it; unset values are not in the file. Forward is a -> b.
struct PlatformFileLink {
  AgentId a;
  AgentId b;
  std::optional<SimTime> forward_latency;
  std::optional<SimTime> backward_latency;
  std::optional<Bandwidth> forward_bandwidth;
  std::optional<Bandwidth> backward_bandwidth;
};

// Node numbering as in Platform: hosts 0 .. H - 1 (host k is the node whose `agent`
// attribute is k, or, when no host has one, the k-th host in the file), then the switches
// in file order. links[h] is host h's link, a = h (forward: host -> switch); the switches'
// links follow in file order.
struct PlatformFile {
  std::size_t host_count = 0;
  std::size_t node_count = 0;
  std::vector<PlatformFileLink> links;
  std::vector<std::string> node_ids;  // the file's node ids by node number, for messages
};

// The file's rules, each broken one an InvalidInput("/file", "<source>: node 'h1': ...")
// naming the node or edge and the attribute:
//   node attributes: role (required: host, switch or router), agent (hosts only, an integer
//     in 0 .. hosts - 1, on every host or on none, each once), label (ignored);
//   edge attributes: latency, bandwidth (both directions), latency_forward,
//     latency_backward, bandwidth_forward, bandwidth_backward (source -> target and back;
//     they take precedence over the two-way value), label (ignored); unit strings or bare
//     numbers (seconds, bytes per second) as in topology files;
//   exactly `hosts` hosts; every host has exactly one link, to a switch (a host is an end
//   point: it forwards nothing, and its one link is its NIC); no self-loops, at most one
//   link between two nodes; every node connected to every other (so every host pair has a
//   route).
PlatformFile parse_platform_file(std::istream& in, const std::string& source, std::size_t hosts);
// The same from a file, bounded as the other input files are (core/input_file.h).
PlatformFile read_platform_file(const std::string& path, std::size_t hosts);

}  // namespace cdsim
