#include "sim/network.h"

#include <stdexcept>
#include <utility>

namespace cdsim {

ByteCount Network::bytes_sent_by(AgentId node) const {
  return node.index() < bytes_sent_by_node_.size() ? bytes_sent_by_node_[node.index()] : ByteCount{};
}

void Network::record_send(const Message& message, SimTime now) {
  if (!delivery_handler_) throw std::logic_error("Network::send: no delivery handler set");
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

void Network::deliver(Message&& message, SimTime now) {
  stats_.bytes_delivered += message.size;
  ++stats_.messages_delivered;
  for (const NetworkObserver& observer : observers_) {
    if (observer.on_delivered) observer.on_delivered(message, now);
  }
  delivery_handler_(std::move(message));
}

}  // namespace cdsim
