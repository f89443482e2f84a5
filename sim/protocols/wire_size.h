// Exact on-the-wire sizes of the messages in proto/cdsim_wire.proto, computed without
// serializing the payload: the header (fixed-width fields, so one size for all values) is
// encoded for real once, the packed float payload is sized analytically (tag + length
// varint + 4 bytes a value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/agent_id.h"
#include "sim/byte_count.h"
#include "sim/message.h"

namespace cdsim {

// What a ParameterMessage carries; its `kind` field on the wire.
enum class PayloadKind : std::uint32_t {
  kParameters = 0,
  kGradient = 1,
  kAverage = 2,
};

ByteCount parameter_message_size(AgentId sender, AgentId receiver, std::int64_t round,
                                 PayloadKind kind, std::size_t value_count);

// A message of `value_count` values carrying `payload` (shared, never copied), sized by
// the wire schema. The payload holds those values, or nothing in a communication-only
// replay (see ProtocolContext::wire_parameters); its own size never decides the message's.
Message payload_message(AgentId sender, AgentId receiver, std::int64_t round, PayloadKind kind,
                        std::size_t value_count, std::shared_ptr<const std::vector<float>> payload);

}  // namespace cdsim
