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

}  // namespace

ByteCount parameter_message_size(AgentId sender, AgentId receiver, std::int64_t round,
                                 PayloadKind kind, std::size_t value_count) {
  wire::ParameterMessage header;
  header.set_sender(sender.value);
  header.set_receiver(receiver.value);
  header.set_round(round);
  header.set_kind(static_cast<std::uint32_t>(kind));
  std::size_t size = header.ByteSizeLong();
  if (value_count > 0) {
    // Field 5, wire type 2 (length-delimited): a one-byte tag, the length, the floats.
    const std::size_t payload_bytes = 4 * value_count;
    size += 1 + varint_size(payload_bytes) + payload_bytes;
  }
  return ByteCount{static_cast<std::int64_t>(size)};
}

Message payload_message(AgentId sender, AgentId receiver, std::int64_t round, PayloadKind kind,
                        std::shared_ptr<const std::vector<float>> payload) {
  Message message;
  message.from = sender;
  message.to = receiver;
  message.size = parameter_message_size(sender, receiver, round, kind, payload ? payload->size() : 0);
  message.kind = static_cast<std::uint32_t>(kind);
  message.round = round;
  message.payload = std::move(payload);
  return message;
}

}  // namespace cdsim
