// The communication-only ring replay in SimGrid 3.32, for comparison with cdsim: N agents in
// a ring, R rounds; in each round every agent computes for C, then sends its parameter
// message to each of its two neighbours and waits until both of its own have arrived. A
// message carries P parameters and is sized as cdsim sizes it (its wire schema: a header of
// varints for the ids and the round, then 4 P bytes), so the two simulators move the very
// same bytes. One
// split-duplex link per ring edge (each direction its own capacity, as cdsim's full-duplex
// point-to-point links), latency L, bandwidth B, in a full routing zone. Network model: CM02
// made ideal (a transfer takes exactly L + S/B): no latency or bandwidth factors, no
// size-dependent weight, no TCP window cap, no cross-traffic. Prints the makespan.
// Usage: cdsim_bench_simgrid_ring N R P C_SECONDS L_SECONDS B_BYTES_PER_SECOND
#include <simgrid/s4u.hpp>

#include "bench/simgrid/ideal_cm02.h"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/protocols/wire_size.h"

namespace sg4 = simgrid::s4u;

namespace {

struct Ring {
  std::size_t agents = 0;
  long rounds = 0;
  std::size_t parameters = 0;
  double compute_seconds = 0;
};

void agent(const Ring& ring, std::size_t j) {
  const std::size_t n = ring.agents;
  sg4::Mailbox* own = sg4::Mailbox::by_name(std::to_string(j));
  sg4::Mailbox* right = sg4::Mailbox::by_name(std::to_string((j + 1) % n));
  sg4::Mailbox* left = sg4::Mailbox::by_name(std::to_string((j + n - 1) % n));
  static char payload = 0;  // the bytes are simulated; nothing is copied
  auto bytes = [&](std::size_t to, long round) {
    const cdsim::ByteCount size = cdsim::parameter_message_size(
        cdsim::AgentId{static_cast<std::uint32_t>(j)}, cdsim::AgentId{static_cast<std::uint32_t>(to)}, round,
        cdsim::PayloadKind::kParameters, ring.parameters);
    return static_cast<std::uint64_t>(size.bytes());
  };
  for (long round = 0; round < ring.rounds; ++round) {
    sg4::this_actor::sleep_for(ring.compute_seconds);
    std::vector<sg4::CommPtr> comms;
    comms.push_back(right->put_async(&payload, bytes((j + 1) % n, round)));
    comms.push_back(left->put_async(&payload, bytes((j + n - 1) % n, round)));
    char* first = nullptr;
    char* second = nullptr;
    comms.push_back(own->get_async<char>(&first));
    comms.push_back(own->get_async<char>(&second));
    sg4::Comm::wait_all(comms);
  }
}

}  // namespace

int main(int argc, char** argv) {
  sg4::Engine engine(&argc, argv);
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s N R P C_SECONDS L_SECONDS B_BYTES_PER_SECOND\n", argv[0]);
    return 2;
  }
  Ring ring;
  ring.agents = std::strtoull(argv[1], nullptr, 10);
  ring.rounds = std::strtol(argv[2], nullptr, 10);
  ring.parameters = std::strtoull(argv[3], nullptr, 10);
  ring.compute_seconds = std::strtod(argv[4], nullptr);
  const double latency = std::strtod(argv[5], nullptr);
  const double bandwidth = std::strtod(argv[6], nullptr);
  if (ring.agents < 3) {
    std::fprintf(stderr, "a ring needs at least 3 agents\n");
    return 2;
  }
  cdsim::bench::configure_ideal_cm02();

  sg4::NetZone* zone = sg4::create_full_zone("ring");
  std::vector<sg4::Host*> hosts;
  for (std::size_t j = 0; j < ring.agents; ++j) hosts.push_back(zone->create_host("h" + std::to_string(j), 1e9));
  for (std::size_t j = 0; j < ring.agents; ++j) {
    const std::size_t next = (j + 1) % ring.agents;
    sg4::SplitDuplexLink* link = zone->create_split_duplex_link("l" + std::to_string(j), bandwidth);
    link->set_latency(latency);
    link->seal();
    // h_j -> h_next uses the link's UP direction, h_next -> h_j its DOWN direction.
    zone->add_route(hosts[j]->get_netpoint(), hosts[next]->get_netpoint(), nullptr, nullptr,
                    {sg4::LinkInRoute(link, sg4::LinkInRoute::Direction::UP)}, true);
  }
  zone->seal();
  for (std::size_t j = 0; j < ring.agents; ++j) {
    sg4::Actor::create("a" + std::to_string(j), hosts[j], [&ring, j] { agent(ring, j); });
  }
  engine.run();
  std::printf("makespan_s %.12f\n", sg4::Engine::get_clock());
  return 0;
}
