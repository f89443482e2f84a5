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

// A length-delimited field with a one-byte tag (field numbers below 16) and `length` bytes.
std::size_t delimited_field_size(std::size_t length) { return 1 + varint_size(length) + length; }

// A fixed32 / float field with a one-byte tag.
constexpr std::size_t kFixed32FieldSize = 1 + 4;

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

std::size_t header_bytes() {
  static const std::size_t kHeaderBytes = header_size();  // a constant, computed on first use
  return kHeaderBytes;
}

}  // namespace

// Sender, receiver, round and kind are fixed-width fields: the header's size is theirs
// whatever their values.
ByteCount parameter_message_size(AgentId, AgentId, std::int64_t, PayloadKind, std::size_t value_count) {
  std::size_t size = header_bytes();
  // Field 5, packed floats: a one-byte tag, the length, 4 bytes a value; absent when empty.
  if (value_count > 0) size += delimited_field_size(4 * value_count);
  return ByteCount{static_cast<std::int64_t>(size)};
}

ByteCount push_sum_message_size(AgentId sender, AgentId receiver, std::int64_t round, std::size_t value_count) {
  // Field 7, a double: a one-byte tag and 8 bytes.
  return parameter_message_size(sender, receiver, round, PayloadKind::kPushSumShare, value_count) + ByteCount{9};
}

bool is_dense_float32(const CompressedVector& c) {
  return c.indices.empty() && c.half_values.empty() && c.codes.empty() && !c.has_scale &&
         c.values.size() == c.dimension;
}

std::size_t compressed_values_size(const CompressedVector& c) {
  std::size_t size = kFixed32FieldSize;  // dimension, always present
  if (!c.indices.empty()) {
    std::size_t gaps = 0;
    std::uint32_t previous = 0;
    for (std::uint32_t index : c.indices) {
      gaps += varint_size(index - previous);
      previous = index;
    }
    size += delimited_field_size(gaps);
  }
  if (!c.values.empty()) size += delimited_field_size(4 * c.values.size());
  if (!c.half_values.empty()) size += delimited_field_size(2 * c.half_values.size());
  if (!c.codes.empty()) size += delimited_field_size(c.codes.size());
  if (c.bits_per_code > 0) size += kFixed32FieldSize;
  if (c.has_scale) size += kFixed32FieldSize;
  return size;
}

ByteCount compressed_message_size(AgentId sender, AgentId receiver, std::int64_t round, PayloadKind kind,
                                  const CompressedVector& compressed) {
  // The identity's dense float32 vector travels in `values`, like every uncompressed payload.
  if (is_dense_float32(compressed)) return parameter_message_size(sender, receiver, round, kind, compressed.dimension);
  const std::size_t size = header_bytes() + delimited_field_size(compressed_values_size(compressed));
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

Message compressed_payload_message(AgentId sender, AgentId receiver, std::int64_t round, PayloadKind kind,
                                   const CompressedVector& compressed,
                                   std::shared_ptr<const std::vector<float>> decoded) {
  Message message = payload_message(sender, receiver, round, kind, compressed.dimension, std::move(decoded));
  message.size = compressed_message_size(sender, receiver, round, kind, compressed);
  return message;
}

}  // namespace cdsim
