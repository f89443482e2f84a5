// A message between two nodes of the simulated network. Its size on the wire is given
// explicitly (computed by the protocol from the wire encoding); the payload, when present,
// is an immutable snapshot of the sender's parameters, shared - never copied - by the
// network, so that sending a model to many neighbours costs one snapshot.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/agent_id.h"
#include "sim/byte_count.h"

namespace cdsim {

struct Message {
  AgentId from;
  AgentId to;
  ByteCount size;            // bytes on the wire, headers included
  std::uint32_t kind = 0;    // protocol-defined message type
  std::int64_t round = 0;    // protocol-defined round / step number
  std::shared_ptr<const std::vector<float>> payload;
};

}  // namespace cdsim
