#include "sim/shared_link_network.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "core/rng.h"
#include "sim/point_to_point_network.h"
#include "sim/simulation.h"
#include "tests/sim/test_messages.h"

using cdsim::AgentId;
using cdsim::Bandwidth;
using cdsim::ByteCount;
using cdsim::LinkSpec;
using cdsim::Message;
using cdsim::SharedLinkNetwork;
using cdsim::Simulation;
using cdsim::SimTime;
using cdsim::testing::make_message;
using Link = SharedLinkNetwork::PhysicalLink;

namespace {

LinkSpec spec(std::int64_t latency_ns, std::int64_t bits_per_second) {
  return LinkSpec{SimTime::from_ns(latency_ns), Bandwidth::from_bits_per_second(bits_per_second)};
}

// A simulation with a shared-link network recording the arrival time of each round.
struct Fixture {
  Fixture(std::size_t nodes, const std::vector<Link>& links) : network(sim, nodes, links) {
    network.set_delivery_handler([this](Message&& m) { arrivals.emplace_back(m.round, sim.now().ns()); });
  }
  std::int64_t arrival_of(std::int64_t round) const {
    for (const auto& [r, t] : arrivals) {
      if (r == round) return t;
    }
    FAIL("round " << round << " was not delivered");
    return -1;
  }
  Simulation sim{1};
  SharedLinkNetwork network;
  std::vector<std::pair<std::int64_t, std::int64_t>> arrivals;
};

const AgentId kA{0};
const AgentId kB{1};
const AgentId kC{2};

}  // namespace

TEST_CASE("a lone message arrives exactly when it would on a dedicated link") {
  const LinkSpec link = spec(50'000, 3'000'000);
  for (const std::int64_t bytes : {0LL, 1LL, 1000LL, 12'345LL, 400'000LL}) {
    Fixture shared(2, {Link{kA, kB, link}});
    shared.network.send(make_message(0, 1, bytes));
    shared.sim.run();

    Simulation sim(1);
    cdsim::PointToPointNetwork dedicated(sim, 2, {{kA, kB}}, link);
    std::int64_t dedicated_arrival = -1;
    dedicated.set_delivery_handler([&](Message&&) { dedicated_arrival = sim.now().ns(); });
    dedicated.send(make_message(0, 1, bytes));
    sim.run();
    CHECK(shared.arrival_of(0) == dedicated_arrival);
  }
}

TEST_CASE("two equal messages on one link share it evenly and arrive together") {
  Fixture f(2, {Link{kA, kB, spec(100, 8'000'000)}});  // 1000 bytes alone: 1 ms
  f.network.send(make_message(0, 1, 1000, 1));
  f.network.send(make_message(0, 1, 1000, 2));
  const auto flows = f.network.active_flows();
  REQUIRE(flows.size() == 2);
  CHECK(flows[0].rate_bits_per_second == doctest::Approx(4e6));
  CHECK(flows[1].rate_bits_per_second == doctest::Approx(4e6));
  f.sim.run();
  CHECK(f.arrival_of(1) == 2'000'000 + 100);
  CHECK(f.arrival_of(2) == 2'000'000 + 100);
  CHECK(f.network.active_flows().empty());
}

TEST_CASE("a short message sharing a link takes twice its solo time, the long one the total") {
  Fixture f(2, {Link{kA, kB, spec(0, 8'000'000)}});
  f.network.send(make_message(0, 1, 1000, 1));  // shares at 4 Mbps: 2 ms
  f.network.send(make_message(0, 1, 3000, 2));  // 1000 bytes by 2 ms, then 2000 at 8 Mbps: 4 ms
  f.sim.run();
  CHECK(f.arrival_of(1) == 2'000'000);
  CHECK(f.arrival_of(2) == 4'000'000);
}

TEST_CASE("a message joining later slows the one in progress") {
  Fixture f(2, {Link{kA, kB, spec(0, 8'000'000)}});
  f.network.send(make_message(0, 1, 2000, 1));  // alone it would end at 2 ms
  f.sim.schedule_at(SimTime::from_ms(1), [&f] { f.network.send(make_message(0, 1, 500, 2)); });
  f.sim.run();
  // From 1 ms both run at 4 Mbps: the 500 bytes take 1 ms; the first has 500 bytes left,
  // sent alone at 8 Mbps in 0.5 ms.
  CHECK(f.arrival_of(2) == 2'000'000);
  CHECK(f.arrival_of(1) == 2'500'000);
}

TEST_CASE("the two directions of a link do not share bandwidth") {
  Fixture f(2, {Link{kA, kB, spec(0, 8'000'000)}});
  f.network.send(make_message(0, 1, 1000, 1));
  f.network.send(make_message(1, 0, 1000, 2));
  f.sim.run();
  CHECK(f.arrival_of(1) == 1'000'000);
  CHECK(f.arrival_of(2) == 1'000'000);
}

TEST_CASE("rates are max-min fair on a parking lot") {
  // 0 -(4 Mbps)- 1 -(10 Mbps)- 2 with flows 0->2, 0->1, 1->2: the first link splits 2/2,
  // the long flow keeps 2 on the second link, leaving 8 to the flow 1->2.
  Fixture f(3, {Link{kA, kB, spec(0, 4'000'000)}, Link{kB, kC, spec(0, 10'000'000)}});
  f.network.send(make_message(0, 2, 1'000'000, 1));
  f.network.send(make_message(0, 1, 1'000'000, 2));
  f.network.send(make_message(1, 2, 1'000'000, 3));
  const auto flows = f.network.active_flows();
  REQUIRE(flows.size() == 3);
  CHECK(flows[0].rate_bits_per_second == doctest::Approx(2e6));
  CHECK(flows[1].rate_bits_per_second == doctest::Approx(2e6));
  CHECK(flows[2].rate_bits_per_second == doctest::Approx(8e6));
}

TEST_CASE("random flows get rates that fill no link beyond capacity and each have a bottleneck") {
  // Max-min fairness holds iff every flow crosses a saturated link on which no other flow
  // gets more than it does. Checked on random graphs with random flows.
  cdsim::Rng rng(8, 0, cdsim::RngPurpose::kTopology);
  for (int trial = 0; trial < 30; ++trial) {
    const std::uint32_t nodes = 4 + static_cast<std::uint32_t>(rng.uniform_index(6));
    std::vector<Link> links;
    for (std::uint32_t i = 1; i < nodes; ++i) {  // a random tree keeps the graph connected
      const auto parent = static_cast<std::uint32_t>(rng.uniform_index(i));
      links.push_back(Link{AgentId{parent}, AgentId{i}, spec(0, 1'000'000 * (1 + rng.uniform_index(20)))});
    }
    Fixture f(nodes, links);
    const int flow_count = 2 + static_cast<int>(rng.uniform_index(12));
    for (int k = 0; k < flow_count; ++k) {
      const auto from = static_cast<std::uint32_t>(rng.uniform_index(nodes));
      const auto to = static_cast<std::uint32_t>((from + 1 + rng.uniform_index(nodes - 1)) % nodes);
      f.network.send(make_message(from, to, 1'000'000, k));
    }
    const auto flows = f.network.active_flows();
    REQUIRE(flows.size() == static_cast<std::size_t>(flow_count));
    std::vector<double> load(f.network.link_count(), 0.0);
    for (const auto& flow : flows) {
      for (const std::uint32_t link : f.network.route(flow.from, flow.to)) load[link] += flow.rate_bits_per_second;
    }
    for (std::size_t link = 0; link < load.size(); ++link) {
      const double capacity = static_cast<double>(f.network.link_spec(link).bandwidth.bits_per_second());
      REQUIRE(load[link] <= capacity * (1 + 1e-9));
    }
    for (const auto& flow : flows) {
      bool has_bottleneck = false;
      for (const std::uint32_t link : f.network.route(flow.from, flow.to)) {
        const double capacity = static_cast<double>(f.network.link_spec(link).bandwidth.bits_per_second());
        if (load[link] < capacity * (1 - 1e-9)) continue;
        double largest_on_link = 0.0;
        for (const auto& other : flows) {
          const auto& path = f.network.route(other.from, other.to);
          if (std::find(path.begin(), path.end(), link) != path.end()) {
            largest_on_link = std::max(largest_on_link, other.rate_bits_per_second);
          }
        }
        if (flow.rate_bits_per_second >= largest_on_link * (1 - 1e-9)) has_bottleneck = true;
      }
      CHECK(has_bottleneck);
    }
  }
}

TEST_CASE("messages are routed over the physical network, through a switch") {
  // Agents 0, 1, 2 behind switch 3; every link 1 Gbps and 10 us.
  const LinkSpec link = spec(10'000, 1'000'000'000);
  Fixture f(4, {Link{kA, AgentId{3}, link}, Link{kB, AgentId{3}, link}, Link{kC, AgentId{3}, link}});
  const auto& path = f.network.route(kA, kB);
  REQUIRE(path.size() == 2);
  CHECK(f.network.link_endpoints(path[0]).from == kA);
  CHECK(f.network.link_endpoints(path[0]).to == AgentId{3});
  CHECK(f.network.link_endpoints(path[1]).to == kB);
  f.network.send(make_message(0, 1, 1250, 1));  // 10 us of transmission, 20 us of latency
  f.sim.run();
  CHECK(f.arrival_of(1) == 30'000);
  // Two senders to one receiver share the switch's link to it.
  f.network.send(make_message(0, 1, 1250, 2));
  f.network.send(make_message(2, 1, 1250, 3));
  f.sim.run();
  CHECK(f.arrival_of(2) == 30'000 + 20'000 + 20'000);
  CHECK(f.arrival_of(3) == 30'000 + 20'000 + 20'000);
}

TEST_CASE("routes take the fewest hops") {
  // A path 0-1-2-3-4 with a shortcut 0-4.
  std::vector<Link> links;
  for (std::uint32_t i = 0; i < 4; ++i) links.push_back(Link{AgentId{i}, AgentId{i + 1}, spec(0, 1000)});
  links.push_back(Link{kA, AgentId{4}, spec(0, 1000)});
  Fixture f(5, links);
  CHECK(f.network.route(kA, AgentId{4}).size() == 1);
  CHECK(f.network.route(AgentId{1}, AgentId{4}).size() == 2);
  CHECK(f.network.route(AgentId{2}, AgentId{4}).size() == 2);
  // A link added later gives shorter routes.
  f.network.add_link(AgentId{1}, AgentId{3}, spec(0, 1000));
  CHECK(f.network.route(AgentId{1}, AgentId{3}).size() == 1);
}

TEST_CASE("sending without a route is a logic error naming both nodes") {
  Fixture f(4, {Link{kA, kB, spec(0, 1000)}, Link{kC, AgentId{3}, spec(0, 1000)}});
  CHECK_THROWS_WITH_AS(f.network.send(make_message(0, 3, 10)), doctest::Contains("from node 0 to node 3"),
                       std::logic_error);
  CHECK_THROWS_AS(f.network.send(make_message(0, 0, 10)), std::logic_error);
  CHECK_THROWS_AS(f.network.send(make_message(0, 9, 10)), std::logic_error);
  CHECK(f.network.stats().messages_sent == 0);
}

TEST_CASE("stats and observers cover every link of a route") {
  const LinkSpec link = spec(0, 1'000'000'000);
  Fixture f(3, {Link{kA, kB, link}, Link{kB, kC, link}});
  std::vector<std::uint32_t> started_links;
  cdsim::NetworkObserver observer;
  observer.on_transmission_start = [&](const Message&, SimTime t, std::size_t link_index) {
    CHECK(t == SimTime::zero());
    started_links.push_back(static_cast<std::uint32_t>(link_index));
  };
  f.network.add_observer(std::move(observer));
  f.network.send(make_message(0, 2, 500));
  f.sim.run();
  CHECK(started_links == f.network.route(kA, kC));
  CHECK(started_links.size() == 2);
  CHECK(f.network.stats().bytes_sent == ByteCount{500});
  CHECK(f.network.stats().messages_delivered == 1);
  CHECK(f.network.bytes_sent_by(kA) == ByteCount{500});
}

namespace {

// Brute force: a fluid simulation that re-solves max-min fairness over ALL active flows at
// every start and completion (progressive filling), in double-precision seconds.
std::vector<double> reference_finish_seconds(const std::vector<std::vector<std::uint32_t>>& paths,
                                             const std::vector<double>& start_s, const std::vector<double>& bits,
                                             const std::vector<double>& capacity) {
  const std::size_t n = paths.size();
  std::vector<double> remaining = bits;
  std::vector<double> finish(n, -1.0);
  std::vector<char> started(n, 0);
  double now = 0.0;
  while (std::find(finish.begin(), finish.end(), -1.0) != finish.end()) {
    std::vector<std::size_t> active;
    for (std::size_t i = 0; i < n; ++i) {
      if (started[i] && finish[i] < 0) active.push_back(i);
    }
    std::vector<double> rate(n, 0.0);
    std::vector<double> residual = capacity;
    std::vector<char> frozen(n, 0);
    std::size_t left = active.size();
    while (left > 0) {
      std::vector<int> count(capacity.size(), 0);
      for (std::size_t i : active) {
        if (!frozen[i]) for (std::uint32_t l : paths[i]) ++count[l];
      }
      double share = 1e300;
      for (std::size_t l = 0; l < capacity.size(); ++l) {
        if (count[l] > 0) share = std::min(share, residual[l] / count[l]);
      }
      for (std::size_t i : active) {
        if (frozen[i]) continue;
        bool bottlenecked = false;
        for (std::uint32_t l : paths[i]) bottlenecked = bottlenecked || residual[l] / count[l] == share;
        if (!bottlenecked) continue;
        rate[i] = share;
        frozen[i] = 1;
        --left;
      }
      // What is left of each link once the frozen flows have their rates.
      residual = capacity;
      for (std::size_t i : active) {
        if (frozen[i]) for (std::uint32_t l : paths[i]) residual[l] -= rate[i];
      }
    }
    double next = 1e300;
    for (std::size_t i = 0; i < n; ++i) {
      if (!started[i]) next = std::min(next, start_s[i]);
    }
    for (std::size_t i : active) next = std::min(next, now + remaining[i] / rate[i]);
    for (std::size_t i : active) {
      remaining[i] -= rate[i] * (next - now);
      if (remaining[i] <= 1e-6) finish[i] = next;
    }
    now = next;
    for (std::size_t i = 0; i < n; ++i) {
      if (!started[i] && start_s[i] <= now) started[i] = 1;
      if (started[i] && finish[i] < 0 && bits[i] == 0.0) finish[i] = now;
    }
  }
  return finish;
}

}  // namespace

TEST_CASE("flows started at different times on a two-level tree finish when a global max-min re-solve says") {
  // Two racks of three hosts (nodes 0-2, 3-5) under top-of-rack switches 6 and 7, joined by
  // a slower core link; links are re-solved locally (per component), the reference globally.
  std::vector<Link> links;
  for (std::uint32_t h = 0; h < 6; ++h) links.push_back(Link{AgentId{h}, AgentId{h < 3 ? 6u : 7u}, spec(0, 10'000'000)});
  links.push_back(Link{AgentId{6}, AgentId{7}, spec(0, 15'000'000)});
  cdsim::Rng rng(4, 0, cdsim::RngPurpose::kData);
  for (int trial = 0; trial < 10; ++trial) {
    Fixture f(8, links);
    std::vector<std::vector<std::uint32_t>> paths;
    std::vector<double> start_s;
    std::vector<double> bits;
    for (int k = 0; k < 14; ++k) {
      const auto from = static_cast<std::uint32_t>(rng.uniform_index(6));
      const auto to = static_cast<std::uint32_t>((from + 1 + rng.uniform_index(5)) % 6);
      const std::int64_t bytes = 1000 + static_cast<std::int64_t>(rng.uniform_index(200'000));
      const std::int64_t start_ns = static_cast<std::int64_t>(rng.uniform_index(100'000'000));
      paths.push_back(f.network.route(AgentId{from}, AgentId{to}));
      start_s.push_back(static_cast<double>(start_ns) * 1e-9);
      bits.push_back(8.0 * static_cast<double>(bytes));
      f.sim.schedule_at(SimTime::from_ns(start_ns), [&f, from, to, bytes, k] {
        f.network.send(make_message(from, to, bytes, k));
      });
    }
    std::vector<double> capacity(f.network.link_count());
    for (std::size_t l = 0; l < capacity.size(); ++l) {
      capacity[l] = static_cast<double>(f.network.link_spec(l).bandwidth.bits_per_second());
    }
    f.sim.run();
    const std::vector<double> expected = reference_finish_seconds(paths, start_s, bits, capacity);
    for (int k = 0; k < 14; ++k) {
      INFO("trial " << trial << ", flow " << k);
      const double arrival_ns = static_cast<double>(f.arrival_of(k));
      // cdsim rounds each rate change's completion up to whole nanoseconds.
      CHECK(std::abs(arrival_ns - expected[static_cast<std::size_t>(k)] * 1e9) <= 20.0);
    }
  }
}
