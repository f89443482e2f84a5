#include "sim/network.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace cdsim {

ByteCount Network::bytes_sent_by(AgentId node) const {
  return node.index() < bytes_sent_by_node_.size() ? bytes_sent_by_node_[node.index()] : ByteCount{};
}

LinkLoad Network::link_load(std::size_t link_index) const {
  return link_index < link_loads_.size() ? link_loads_[link_index] : LinkLoad{};
}

void Network::check_sendable(const Message& message) const {
  if (!delivery_handler_) throw std::logic_error("Network::send: no delivery handler set");
  if (message.size < ByteCount{0}) {
    throw std::logic_error("Network::send: the message from node " + std::to_string(message.from.value) +
                           " to node " + std::to_string(message.to.value) + " has a negative size " +
                           to_string(message.size));
  }
}

void Network::set_link_up(std::size_t link_index, bool) {
  throw std::logic_error("this network model has no routes to take link " + std::to_string(link_index) +
                         " out of; its links fail by agent pair (FaultyNetwork)");
}

std::vector<std::size_t> Network::route_links(AgentId from, AgentId to) const {
  for (std::size_t link = 0; link < link_count(); ++link) {
    const LinkEndpoints ends = link_endpoints(link);
    if (ends.from == from && ends.to == to) return {link};
  }
  return {};
}

void Network::record_send(const Message& message, SimTime now) {
  stats_.bytes_sent += message.size;
  ++stats_.messages_sent;
  if (message.from.index() >= bytes_sent_by_node_.size()) bytes_sent_by_node_.resize(message.from.index() + 1);
  bytes_sent_by_node_[message.from.index()] += message.size;
  for (const NetworkObserver& observer : observers_) {
    if (observer.on_send) observer.on_send(message, now);
  }
}

void Network::record_transmission_start(const Message& message, SimTime start, std::size_t link_index) {
  for (const NetworkObserver& observer : observers_) {
    if (observer.on_transmission_start) observer.on_transmission_start(message, start, link_index);
  }
}

void Network::record_transmission_end(const Message& message, SimTime end, std::size_t link_index) {
  if (link_index >= link_loads_.size()) link_loads_.resize(link_index + 1);
  link_loads_[link_index].bytes += message.size;
  ++link_loads_[link_index].messages;
  for (const NetworkObserver& observer : observers_) {
    if (observer.on_transmission_end) observer.on_transmission_end(message, end, link_index);
  }
}

void Network::record_transmission_stopped(const Message& message, SimTime end, std::size_t link_index) {
  for (const NetworkObserver& observer : observers_) {
    if (observer.on_transmission_stopped) {
      observer.on_transmission_stopped(message, end, link_index);
    } else if (observer.on_transmission_end) {
      observer.on_transmission_end(message, end, link_index);
    }
  }
}

void Network::record_loss(const Message& message, SimTime now, LossCause cause) {
  for (const NetworkObserver& observer : observers_) {
    if (observer.on_lost) observer.on_lost(message, now, cause);
  }
}

void Network::record_link_state(AgentId a, AgentId b, bool up, SimTime now) {
  for (const NetworkObserver& observer : observers_) {
    if (observer.on_link_state) observer.on_link_state(a, b, up, now);
  }
}

const char* loss_cause_name(LossCause cause) {
  switch (cause) {
    case LossCause::kLinkDown:
      return "link_down";
    case LossCause::kInFlight:
      return "in_flight";
    case LossCause::kRandom:
      return "random";
    case LossCause::kAgentDown:
      return "agent_down";
  }
  return "unknown";
}

void Network::deliver(Message&& message, SimTime now) {
  stats_.bytes_delivered += message.size;
  ++stats_.messages_delivered;
  for (const NetworkObserver& observer : observers_) {
    if (observer.on_delivered) observer.on_delivered(message, now);
  }
  delivery_handler_(std::move(message));
}

}  // namespace cdsim
