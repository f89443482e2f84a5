// Exact on-the-wire sizes of the messages in proto/cdsim_wire.proto, computed without
// serializing the payload: the header (fixed-width fields, so one size for all values) is
// encoded for real once, the packed float payload is sized analytically (tag + length
// varint + 4 bytes a value), and so is a compressed payload (core/compressor.h), field by
// field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/compressor.h"
#include "sim/agent_id.h"
#include "sim/byte_count.h"
#include "sim/message.h"

namespace cdsim {

// What a ParameterMessage carries; its `kind` field on the wire.
enum class PayloadKind : std::uint32_t {
  kParameters = 0,
  kGradient = 1,
  kAverage = 2,
  kPublicCopyUpdate = 3,  // CHOCO-SGD: q = Q(x - x_hat), which moves the sender's public copy
  kModelUpdate = 4,       // FedAvg with compressed uploads: the client's model minus the global one
  kPushSumShare = 5,      // stochastic gradient push: the numerator x with the weight w
  kPublicCopy = 6,        // CHOCO-SGD under faults: the sender's whole public copy x_hat, to a stale holder
};

ByteCount parameter_message_size(AgentId sender, AgentId receiver, std::int64_t round,
                                 PayloadKind kind, std::size_t value_count);

// A push-sum share: `value_count` float values and the double push_sum_weight field.
ByteCount push_sum_message_size(AgentId sender, AgentId receiver, std::int64_t round, std::size_t value_count);

// The same message with a compressed payload (field `compressed`) instead of `values`;
// a dense float32 payload (the identity compressor's) goes in `values` as it would
// uncompressed, so the identity costs exactly what no compression does.
ByteCount compressed_message_size(AgentId sender, AgentId receiver, std::int64_t round, PayloadKind kind,
                                  const CompressedVector& compressed);

// Whether `compressed` is a dense float32 vector (all coordinates, nothing else).
bool is_dense_float32(const CompressedVector& compressed);

// Bytes of the CompressedValues encoding of `compressed` alone (no enclosing tag).
std::size_t compressed_values_size(const CompressedVector& compressed);

// A message of `value_count` values carrying `payload` (shared, never copied), sized by
// the wire schema. The payload holds those values, or nothing in a communication-only
// replay (see ProtocolContext::wire_parameters); its own size never decides the message's.
Message payload_message(AgentId sender, AgentId receiver, std::int64_t round, PayloadKind kind,
                        std::size_t value_count, std::shared_ptr<const std::vector<float>> payload);

// A message sized as carrying `compressed`, whose payload is `decoded`, the dense vector
// the receiver rebuilds from it (decoding is deterministic, so the sender does it once):
// the decoded values, or what the receiver makes of them (CHOCO-SGD: the public copy).
Message compressed_payload_message(AgentId sender, AgentId receiver, std::int64_t round, PayloadKind kind,
                                   const CompressedVector& compressed,
                                   std::shared_ptr<const std::vector<float>> decoded);

}  // namespace cdsim
