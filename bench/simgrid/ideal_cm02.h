// SimGrid's CM02 network model made ideal, so that an uncontended transfer takes exactly
// L + S/B and contended ones share max-min fairly: no latency or bandwidth factors, no
// size-dependent weight, no TCP window cap, no cross-traffic. Call after creating the Engine.
#pragma once

#include <simgrid/s4u.hpp>

namespace cdsim::bench {

inline void configure_ideal_cm02() {
  namespace sg4 = simgrid::s4u;
  sg4::Engine::set_config("network/model:CM02");
  sg4::Engine::set_config("network/latency-factor:1");
  sg4::Engine::set_config("network/bandwidth-factor:1");
  sg4::Engine::set_config("network/weight-S:0");
  sg4::Engine::set_config("network/TCP-gamma:0");
  sg4::Engine::set_config("network/crosstraffic:0");
}

}  // namespace cdsim::bench
