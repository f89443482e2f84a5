// The interface between protocols and the simulated network: agents send() messages, and
// the network hands each one to the delivery handler at its simulated arrival time. How
// long that takes (dedicated links, shared links with fair bandwidth sharing, routes over a
// physical network, faults) is the implementation's business. The base class owns the
// traffic counters and the observers, so every implementation reports the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/agent_id.h"
#include "sim/byte_count.h"
#include "sim/link_spec.h"
#include "sim/message.h"
#include "sim/time.h"

namespace cdsim {

struct NetworkStats {
  ByteCount bytes_sent;      // accepted by send()
  std::uint64_t messages_sent = 0;
  ByteCount bytes_delivered;
  std::uint64_t messages_delivered = 0;
};

// Why a message never arrived (faults; sim/faulty_network.h). The values are stable:
// traces store them (TraceEvent.cause).
enum class LossCause : std::uint32_t {
  kLinkDown = 1,  // sent while its link was down
  kInFlight = 2,  // on its link when the link went down
  kRandom = 3,    // drawn lost (faults.loss_probability, faults.link_loss)
  kAgentDown = 4, // from or to a crashed agent
};
// "link_down", "in_flight", "random", "agent_down".
const char* loss_cause_name(LossCause cause);

// Hooks for traces and metrics; any of them may be left empty. They observe, they must not
// send messages or change the network.
struct NetworkObserver {
  // A message was accepted by send(), at simulated time `now`.
  std::function<void(const Message&, SimTime now)> on_send;
  // A message (or a hop of its route) starts to be transmitted on link `link_index` at
  // `start` - which the network may already know at send time, so `start` can be later
  // than the current simulated time.
  std::function<void(const Message&, SimTime start, std::size_t link_index)> on_transmission_start;
  // Its last bit left link `link_index` at `end` (again possibly later than now). Between
  // a transmission's start and end the link is busy with it; concurrent transmissions on
  // one link share it.
  std::function<void(const Message&, SimTime end, std::size_t link_index)> on_transmission_end;
  // A transmission on `link_index` was cut short at `end` (a link of its route failed); it
  // did not carry the message. Observers that leave this empty see on_transmission_end
  // instead, so that every start has its end.
  std::function<void(const Message&, SimTime end, std::size_t link_index)> on_transmission_stopped;
  // A message reached its destination at `now`, just before the delivery handler runs.
  std::function<void(const Message&, SimTime now)> on_delivered;
  // A message accepted by send() is lost: it will never be delivered. `now` is when the
  // network drops it: at send for kLinkDown and kRandom, at the instant it would have
  // arrived for kInFlight (the link went down while it was on it) - except on a shared
  // link's route, where a flow still sending when a link of its route goes down stops then
  // (its bandwidth goes to the others) and is lost at that instant.
  std::function<void(const Message&, SimTime now, LossCause cause)> on_lost;
  // The link between `a` and `b` (both directions) went down (`up` false) or came back up.
  std::function<void(AgentId a, AgentId b, bool up, SimTime now)> on_link_state;
};

// What one directed link has carried: transmissions that ended on it.
struct LinkLoad {
  ByteCount bytes;
  std::uint64_t messages = 0;
};

// The two ends of a directed link, for observers that map a link index back to nodes.
struct LinkEndpoints {
  AgentId from;
  AgentId to;
};

// Implementations schedule events that refer to themselves: a network must outlive the
// runs of its Simulation.
class Network {
 public:
  using DeliveryHandler = std::function<void(Message&&)>;

  virtual ~Network() = default;
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // Sends a message from message.from to message.to, starting now. Throws std::logic_error
  // if the network cannot carry it (unknown node, no route) or no delivery handler is set.
  virtual void send(Message message) = 0;

  // Receives every delivered message, at its arrival time. Required before send().
  void set_delivery_handler(DeliveryHandler handler) { delivery_handler_ = std::move(handler); }
  // Adds an observer; observers are notified in the order they were added.
  void add_observer(NetworkObserver observer) { observers_.push_back(std::move(observer)); }

  const NetworkStats& stats() const { return stats_; }
  // Bytes accepted by send() from `node` (zero for a node that never sent).
  ByteCount bytes_sent_by(AgentId node) const;
  // What link `link_index` has carried so far (zero for a link that carried nothing).
  LinkLoad link_load(std::size_t link_index) const;

  // Nodes are numbered 0 .. node_count() - 1.
  virtual std::size_t node_count() const = 0;
  // Links are numbered 0 .. link_count() - 1 (the indices seen by on_transmission_start).
  virtual std::size_t link_count() const = 0;
  virtual LinkEndpoints link_endpoints(std::size_t link_index) const = 0;
  // The link's latency and bandwidth, for link tables and utilisation figures.
  virtual const LinkSpec& link_spec(std::size_t link_index) const = 0;
  // Changes directed link `link_index`'s latency and/or bandwidth from now on. A transfer in
  // progress sends its remaining bits at the new rate and keeps the latency it started with;
  // transfers that start later take the new spec. Shared links re-solve the max-min rates at
  // once; a point-to-point FIFO link re-times its message in transmission and its queue,
  // and needs to have been made changeable before the run (PointToPointNetwork::
  // make_changeable; it throws std::logic_error otherwise). Throws std::out_of_range for an
  // unknown link.
  virtual void change_link(std::size_t link_index, const LinkChange& change) = 0;
  // Takes directed link `link_index` out of service (up = false) or puts it back (a fault on
  // a physical link). A model that routes (SharedLinkNetwork) stops every message whose
  // route crosses the link and reports it lost (LossCause::kInFlight, through on_lost),
  // routes new messages around the link over the ones that are up, and loses a message
  // with no such route (kLinkDown); back up, routes return to the original ones. Models
  // without routes do not implement it: point-to-point links fail by agent pair, in
  // FaultyNetwork. Throws std::logic_error there, std::out_of_range for an unknown link.
  virtual void set_link_up(std::size_t link_index, bool up);
  // The directed links a message from -> to sent now would cross (empty: none). Routed
  // models give the route; this default, for networks of direct links, scans for the one
  // link from -> to (O(links): for fault set-up and per-link loss, not per message).
  virtual std::vector<std::size_t> route_links(AgentId from, AgentId to) const;

 protected:
  Network() = default;

  // For implementations, first thing in send(): throws std::logic_error when no delivery
  // handler is set or the message has a negative size.
  void check_sendable(const Message& message) const;
  // A message was accepted at `now` (counts it, notifies on_send).
  void record_send(const Message& message, SimTime now);
  // A transmission (of a message or a hop) starts at `start` on `link_index`.
  void record_transmission_start(const Message& message, SimTime start, std::size_t link_index);
  // The transmission on `link_index` ends at `end`.
  void record_transmission_end(const Message& message, SimTime end, std::size_t link_index);
  // A transmission cut short at `end` (a link of its route failed): the observers see it
  // end there, but the link's load does not count the message, which it did not carry.
  void record_transmission_stopped(const Message& message, SimTime end, std::size_t link_index);
  // A message arrived at `now`: counts it, notifies on_delivered, then runs the handler.
  void deliver(Message&& message, SimTime now);
  // A message was lost at `now` (notifies on_lost); counting losses is the caller's.
  void record_loss(const Message& message, SimTime now, LossCause cause);
  // The link {a, b} went down or came back up at `now` (notifies on_link_state).
  void record_link_state(AgentId a, AgentId b, bool up, SimTime now);

 private:
  DeliveryHandler delivery_handler_;
  std::vector<NetworkObserver> observers_;
  NetworkStats stats_;
  std::vector<ByteCount> bytes_sent_by_node_;  // grows on demand
  std::vector<LinkLoad> link_loads_;           // grows on demand
};

}  // namespace cdsim
