// Identity of a node of the simulated network: the agents (0 .. N-1) and, after them,
// servers such as a parameter server. A strong type so that node ids do not mix with
// counts, rounds or indices of other things.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>

namespace cdsim {

struct AgentId {
  std::uint32_t value = 0;

  // The id as an index into per-node arrays.
  constexpr std::size_t index() const { return value; }

  friend constexpr auto operator<=>(AgentId, AgentId) = default;
};

inline std::ostream& operator<<(std::ostream& out, AgentId id) { return out << id.value; }

}  // namespace cdsim

template <>
struct std::hash<cdsim::AgentId> {
  std::size_t operator()(cdsim::AgentId id) const noexcept { return std::hash<std::uint32_t>{}(id.value); }
};
