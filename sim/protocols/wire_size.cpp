#include "sim/protocols/wire_size.h"

#include "cdsim_wire.pb.h"

namespace cdsim {
namespace {

std::size_t varint_size(std::uint64_t value) {
  std::size_t bytes = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++bytes;
  }
  return bytes;
}

// The header's encoded size. Its fields are fixed-width and always present, so the size
// does not depend on their values: encoded for real once, then reused for every message
// (building a protobuf message per send would dominate a communication-only replay).
std::size_t header_size() {
  wire::ParameterMessage header;
  header.set_sender(0);
  header.set_receiver(0);
  header.set_round(0);
  header.set_kind(0);
  return header.ByteSizeLong();
}

}  // namespace

// Sender, receiver, round and kind are fixed-width fields: the header's size is theirs
// whatever their values.
ByteCount parameter_message_size(AgentId, AgentId, std::int64_t, PayloadKind, std::size_t value_count) {
  static const std::size_t kHeaderBytes = header_size();  // a constant, computed on first use
  std::size_t size = kHeaderBytes;
  if (value_count > 0) {
    // Field 5, wire type 2 (length-delimited): a one-byte tag, the length, the floats.
    const std::size_t payload_bytes = 4 * value_count;
    size += 1 + varint_size(payload_bytes) + payload_bytes;
  }
  return ByteCount{static_cast<std::int64_t>(size)};
}

Message payload_message(AgentId sender, AgentId receiver, std::int64_t round, PayloadKind kind,
                        std::size_t value_count, std::shared_ptr<const std::vector<float>> payload) {
  Message message;
  message.from = sender;
  message.to = receiver;
  message.size = parameter_message_size(sender, receiver, round, kind, value_count);
  message.kind = static_cast<std::uint32_t>(kind);
  message.round = round;
  message.payload = std::move(payload);
  return message;
}

}  // namespace cdsim
