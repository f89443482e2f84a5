// A network of dedicated links: every undirected edge is a pair of independent directed
// links (full duplex), each with its own latency and bandwidth and a FIFO of messages.
// A message of S bytes sent at t on a link free from f starts at max(t, f), occupies the
// link for transmission_time(S), and arrives a latency later; one event per message.
// A send finds its link by a binary search in the sender's row of a dense, receiver-sorted
// index of outgoing links, built once (and again after add_link): no hashing per message.
//
// A link whose latency or bandwidth will change during the run (faults.link_degrade) is
// made changeable before the first send. It keeps its messages in a queue and starts each
// transmission when the one before it ends, two events per message, so that a change
// re-times what is on it exactly: the message being transmitted sends its remaining bits at
// the new rate, the queued ones start later or earlier. Every other link commits a
// message's times when it is sent, which is the same timing at one event per message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "sim/agent_id.h"
#include "sim/byte_count.h"
#include "sim/link_spec.h"
#include "sim/link_table.h"
#include "sim/network.h"
#include "sim/simulation.h"
#include "sim/time.h"

namespace cdsim {

class PointToPointNetwork final : public Network {
 public:
  using Edge = std::pair<AgentId, AgentId>;

  // Nodes 0 .. node_count - 1; one full-duplex link per edge, all with `spec`. Edge i
  // gets directed links 2i (first -> second) and 2i + 1 (second -> first). Throws
  // std::invalid_argument for an unknown node, a self-loop, a repeated edge or a negative
  // latency.
  PointToPointNetwork(Simulation& simulation, std::size_t node_count, const std::vector<Edge>& edges, LinkSpec spec);
  // The same with one spec per edge (specs.size() == edges.size()).
  PointToPointNetwork(Simulation& simulation, std::size_t node_count, const std::vector<Edge>& edges,
                      const std::vector<LinkSpec>& specs);

  // Adds a node with no links (e.g. a parameter server) and returns its id.
  AgentId add_node();
  // Adds a full-duplex link between two existing nodes (same checks as the constructor).
  void add_link(AgentId a, AgentId b, LinkSpec spec);
  // The same with a spec of its own for each direction.
  void add_link(AgentId a, AgentId b, LinkSpec a_to_b, LinkSpec b_to_a);

  // Throws std::logic_error, naming both nodes, if there is no link from -> to.
  void send(Message message) override;

  std::size_t node_count() const override { return table_.node_count(); }
  std::size_t link_count() const override { return table_.link_count(); }
  LinkEndpoints link_endpoints(std::size_t link_index) const override;

  bool has_link(AgentId from, AgentId to) const;
  // Index of the directed link from -> to; throws std::logic_error if there is none.
  std::size_t link_index(AgentId from, AgentId to) const;
  const LinkSpec& link_spec(std::size_t link_index) const override { return table_.link(link_index).spec; }
  // Makes directed link `link_index` changeable (see above). Throws std::logic_error once
  // a message has been sent on the network, std::out_of_range for an unknown link.
  void make_changeable(std::size_t link_index);
  // Changes a changeable link from now on. The message in transmission keeps the latency it
  // started with and sends its remaining bits at the new bandwidth; the messages queued
  // behind it start at its new end and take the new spec. A link is a FIFO pipe: when the
  // latency drops, a message still arrives no earlier than the one ahead of it. Throws
  // std::logic_error for a link that was not made changeable (its messages' times are
  // already committed), std::out_of_range for an unknown link.
  void change_link(std::size_t link_index, const LinkChange& change) override;

 private:
  struct OutgoingLink {
    std::uint32_t to;
    std::uint32_t link;
  };
  // A changeable link's messages not yet fully transmitted, the first one in transmission.
  struct ChangeableLink {
    std::deque<Message> queue;
    SimTime segment_start;  // the head's transmission start, or the last change since
    // The head's bits still to send at segment_start, in 1e-9 bit (bit-nanoseconds per
    // second of bandwidth), so that remaining time is an exact integer division.
    __extension__ __int128 remaining_bit_ns = 0;
    SimTime head_latency;     // the latency the head started with
    SimTime last_arrival;     // FIFO: no message arrives before the one ahead of it
    EventHandle end_event;    // the head's transmission end
  };
  // The link from -> to, or throws std::logic_error naming both nodes.
  std::size_t send_link(AgentId from, AgentId to);
  void build_index();
  void send_committed(Message message, std::size_t index, SimTime now);
  // The head of a changeable link starts (or, after a change, resumes) its transmission now.
  void start_head(std::size_t index, ChangeableLink& link, SimTime now);
  void schedule_head_end(std::size_t index, ChangeableLink& link, SimTime now);
  void end_head(std::size_t index);

  Simulation& simulation_;
  LinkTable table_;
  std::vector<SimTime> free_at_;  // per directed link
  // Per directed link, the last message size sent and its transmission time: protocols
  // send one size over and over, and the exact (128-bit) division is then done once.
  std::vector<std::pair<ByteCount, SimTime>> last_transmission_;
  // Node n's outgoing links, ascending by receiver, are outgoing_[row_start_[n] .. row_start_[n + 1]).
  std::vector<std::size_t> row_start_;
  std::vector<OutgoingLink> outgoing_;
  bool index_stale_ = true;
  // Per directed link, its slot in changeable_ plus one (0: committed); empty while no link
  // is changeable, so that committed sends only test changeable_.empty().
  std::vector<std::uint32_t> changeable_slot_;
  std::vector<ChangeableLink> changeable_;
  bool any_sent_ = false;  // links become changeable only before the first send
};

}  // namespace cdsim
