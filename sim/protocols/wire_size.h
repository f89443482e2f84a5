// Exact on-the-wire sizes of the messages in proto/cdsim_wire.proto, computed without
// serializing the payload: the header is encoded for real, the packed float payload is
// sized analytically (tag + length varint + 4 bytes a value).
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

// A message carrying `payload` (shared, never copied), sized by the wire schema.
Message payload_message(AgentId sender, AgentId receiver, std::int64_t round, PayloadKind kind,
                        std::shared_ptr<const std::vector<float>> payload);

}  // namespace cdsim
