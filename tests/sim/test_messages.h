// Shorthand for the network tests: a message between two node numbers.
#pragma once

#include <cstdint>

#include "sim/message.h"

namespace cdsim::testing {

inline Message make_message(std::uint32_t from, std::uint32_t to, std::int64_t bytes, std::int64_t round = 0) {
  Message m;
  m.from = AgentId{from};
  m.to = AgentId{to};
  m.size = ByteCount{bytes};
  m.round = round;
  return m;
}

}  // namespace cdsim::testing
