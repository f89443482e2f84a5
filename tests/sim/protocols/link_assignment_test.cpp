#include "sim/protocols/link_assignment.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <map>
#include <sstream>
#include <string>

#include "core/invalid_input.h"
#include "sim/shared_link_network.h"
#include "sim/simulation.h"
#include "tests/sim/platform_graphml.h"
#include "tests/sim/test_messages.h"
#include "topologies/generators.h"

using namespace cdsim;

namespace {

AgentClass make_class(double fraction, std::int64_t up_bps, std::int64_t down_bps, std::int64_t latency_ms) {
  AgentClass c;
  c.name = "c";
  c.fraction = fraction;
  c.uplink = Bandwidth::from_bits_per_second(up_bps);
  c.downlink = Bandwidth::from_bits_per_second(down_bps);
  c.latency = SimTime::from_ms(latency_ms);
  return c;
}

ProtocolLinks links_of(const Graph& graph) {
  ProtocolLinks links;
  links.node_count = graph.vertex_count();
  for (const auto& [u, v] : graph.edges()) {
    links.edges.emplace_back(AgentId{static_cast<std::uint32_t>(u)}, AgentId{static_cast<std::uint32_t>(v)});
  }
  return links;
}

// Two platforms with the same nodes and the same links in the same order (so the same
// routes and the same sharing), whatever their kind.
void check_same_platform(const cdsim::Platform& a, const cdsim::Platform& b) {
  CHECK(a.host_count == b.host_count);
  CHECK(a.node_count == b.node_count);
  REQUIRE(a.links.size() == b.links.size());
  for (std::size_t i = 0; i < a.links.size(); ++i) {
    CAPTURE(i);
    CHECK(a.links[i].a == b.links[i].a);
    CHECK(a.links[i].b == b.links[i].b);
    CHECK(a.links[i].spec.forward.bandwidth == b.links[i].spec.forward.bandwidth);
    CHECK(a.links[i].spec.backward.bandwidth == b.links[i].spec.backward.bandwidth);
    CHECK(a.links[i].spec.forward.latency == b.links[i].spec.forward.latency);
    CHECK(a.links[i].spec.backward.latency == b.links[i].spec.backward.latency);
  }
}

using cdsim::testing::GraphmlTestEdge;
using cdsim::testing::GraphmlTestNode;

cdsim::PlatformFile platform_file(const std::vector<GraphmlTestNode>& nodes, const std::vector<GraphmlTestEdge>& edges,
                                  std::size_t hosts) {
  std::istringstream in(cdsim::testing::platform_graphml(nodes, edges));
  return cdsim::parse_platform_file(in, "'test.graphml'", hosts);
}

std::string host_id(std::size_t h) { return "h" + std::to_string(h); }

}  // namespace

TEST_CASE("agent classes hold the rounded cumulative shares of the agents, the rest no class") {
  NetworkSpec spec;
  spec.agent_classes = {make_class(0.25, 1, 1, 0), make_class(0.4, 1, 1, 0)};
  for (const std::size_t agents : {1u, 7u, 10u, 101u}) {
    const auto classes = assign_agent_classes(spec, agents, 3);
    REQUIRE(classes.size() == agents);
    const auto first = static_cast<std::size_t>(std::count(classes.begin(), classes.end(), std::optional<std::size_t>(0)));
    const auto second = static_cast<std::size_t>(std::count(classes.begin(), classes.end(), std::optional<std::size_t>(1)));
    const auto n = static_cast<double>(agents);
    CHECK(first == static_cast<std::size_t>(std::llround(0.25 * n)));
    CHECK(first + second == static_cast<std::size_t>(std::llround(0.65 * n)));
  }
  CHECK(assign_agent_classes(spec, 50, 3) == assign_agent_classes(spec, 50, 3));
  CHECK(assign_agent_classes(spec, 50, 3) != assign_agent_classes(spec, 50, 4));
}

TEST_CASE("a directed link takes the edge's latency plus both ends' access latencies and the narrowest rate") {
  NetworkSpec spec;
  spec.latency = SimTime::from_ms(1);
  spec.bandwidth = Bandwidth::from_bits_per_second(1'000'000'000);
  spec.agent_classes = {make_class(1.0, 10'000'000, 50'000'000, 40)};  // every agent on "4G"
  const Graph path = path_graph(3);
  // The file gives edge {1, 2} 5 ms and 20 Mbit/s.
  const std::vector<LinkOverride> overrides = {
      LinkOverride{}, LinkOverride{SimTime::from_ms(5), Bandwidth::from_bits_per_second(20'000'000)}};
  const auto specs = point_to_point_link_specs(spec, links_of(path), 3, path, overrides, 1);
  REQUIRE(specs.size() == 2);
  CHECK(specs[0].forward.latency == SimTime::from_ms(81));
  CHECK(specs[0].forward.bandwidth.bits_per_second() == 10'000'000);  // uplink of the sender
  CHECK(specs[1].forward.latency == SimTime::from_ms(85));
  CHECK(specs[1].backward.bandwidth.bits_per_second() == 10'000'000);
  spec.agent_classes.clear();
  const auto plain = point_to_point_link_specs(spec, links_of(path), 3, path, overrides, 1);
  CHECK(plain[0].forward.latency == SimTime::from_ms(1));
  CHECK(plain[0].forward.bandwidth == spec.bandwidth);
  CHECK(plain[1].backward.latency == SimTime::from_ms(5));
  CHECK(plain[1].backward.bandwidth.bits_per_second() == 20'000'000);  // the file's value, even above a class-free default
}

TEST_CASE("an asymmetric class limits the switch uplink and downlink separately") {
  NetworkSpec spec;
  spec.agent_classes = {make_class(1.0, 10'000'000, 50'000'000, 40)};
  const auto access = host_link_specs(spec, 4, 3, 1);  // 3 agents and a server
  REQUIRE(access.size() == 4);
  CHECK(access[0].forward.bandwidth.bits_per_second() == 10'000'000);
  CHECK(access[0].backward.bandwidth.bits_per_second() == 50'000'000);
  CHECK(access[0].forward.latency == SimTime::from_ms(41));
  CHECK(access[3].forward.bandwidth == spec.bandwidth);  // the server has no class
  CHECK(access[3].forward.latency == spec.latency);
}

TEST_CASE("uniform latencies stay in [min, max] with the mean of a uniform; log-normal ones have the median's logs") {
  NetworkSpec spec;
  spec.latency_distribution.kind = "uniform";
  spec.latency_distribution.min = SimTime::from_ms(2);
  spec.latency_distribution.max = SimTime::from_ms(10);
  const Graph complete = complete_graph(60);  // 1770 links
  const ProtocolLinks links = links_of(complete);
  const auto uniform = point_to_point_link_specs(spec, links, 60, complete, {}, 7);
  double sum = 0.0;
  for (const DuplexLinkSpec& s : uniform) {
    CHECK(s.forward.latency >= SimTime::from_ms(2));
    CHECK(s.forward.latency <= SimTime::from_ms(10));
    CHECK(s.forward.latency == s.backward.latency);
    sum += s.forward.latency.seconds();
  }
  // Mean 6 ms; the standard error of the mean of n draws is (8 ms / sqrt 12) / sqrt n.
  const auto n = static_cast<double>(uniform.size());
  CHECK(std::abs(sum / n - 0.006) < 5 * (0.008 / std::sqrt(12.0)) / std::sqrt(n));

  spec.latency_distribution.kind = "log_normal";
  spec.latency_distribution.median = SimTime::from_ms(5);
  spec.latency_distribution.sigma = 0.5;
  const auto log_normal = point_to_point_link_specs(spec, links, 60, complete, {}, 7);
  double log_sum = 0.0;
  double log_square = 0.0;
  for (const DuplexLinkSpec& s : log_normal) {
    const double z = std::log(s.forward.latency.seconds() / 0.005);
    log_sum += z;
    log_square += z * z;
  }
  CHECK(std::abs(log_sum / n) < 5 * 0.5 / std::sqrt(n));
  CHECK(std::sqrt(log_square / n) == doctest::Approx(0.5).epsilon(0.1));
}

TEST_CASE("NICs take the class's uplink and downlink, else network.nic's, the server included") {
  NetworkSpec spec;
  spec.model = "nic";
  spec.nic.uplink = Bandwidth::from_bits_per_second(300'000'000);
  spec.agent_classes = {make_class(0.5, 10'000'000, 50'000'000, 40)};
  const auto classes = assign_agent_classes(spec, 4, 1);
  const auto nics = nic_link_specs(spec, 5, 4, 1);  // 4 agents and a server
  REQUIRE(nics.size() == 5);
  for (std::size_t n = 0; n < 5; ++n) {
    CAPTURE(n);
    const bool classed = n < 4 && classes[n].has_value();
    CHECK(nics[n].forward.bandwidth.bits_per_second() == (classed ? 10'000'000 : 300'000'000));
    CHECK(nics[n].backward.bandwidth.bits_per_second() ==
          (classed ? 50'000'000 : std::numeric_limits<std::int64_t>::max()));  // no downlink given: unlimited
    CHECK(nics[n].forward.latency == (classed ? SimTime::from_ms(40) : SimTime::zero()));
  }
  // The edges are not narrowed by the classes (the NICs are) and carry no class latency.
  const Graph path = path_graph(4);
  ProtocolLinks links = links_of(path);
  const cdsim::Platform platform = cdsim::build_platform(spec, links, 4, path, {}, 1);
  CHECK(platform.host_count == 4);
  CHECK(platform.switch_count() == 4);
  REQUIRE(platform.links.size() == 4 + 3);
  CHECK(platform.links[4].spec.forward.latency == spec.latency);
  CHECK(platform.links[4].spec.forward.bandwidth == spec.bandwidth);
}

TEST_CASE("the switch model and platform kind switch build the same platform") {
  NetworkSpec spec;
  spec.agent_classes = {make_class(0.5, 10'000'000, 50'000'000, 40)};
  spec.nic.downlink = Bandwidth::from_bits_per_second(200'000'000);
  spec.model = "switch";
  const Graph ring = path_graph(6);
  const cdsim::Platform a = cdsim::build_platform(spec, links_of(ring), 6, ring, {}, 9);
  spec.model = "platform";
  spec.platform.kind = "switch";
  const cdsim::Platform b = cdsim::build_platform(spec, links_of(ring), 6, ring, {}, 9);
  check_same_platform(a, b);
  // A classless node's host link: min(network.bandwidth, network.nic) down, bandwidth up.
  const auto classes = assign_agent_classes(spec, 6, 9);
  for (std::size_t n = 0; n < 6; ++n) {
    if (classes[n]) continue;
    CHECK(a.links[n].spec.forward.bandwidth == spec.bandwidth);
    CHECK(a.links[n].spec.backward.bandwidth.bits_per_second() == 200'000'000);
  }
}

TEST_CASE("a tree's core links carry hosts_per_switch x bandwidth / oversubscription") {
  NetworkSpec spec;
  spec.model = "platform";
  spec.platform.kind = "tree";
  spec.platform.hosts_per_switch = 4;
  spec.platform.oversubscription = 3.0;
  spec.bandwidth = Bandwidth::from_bits_per_second(1'000'000'000);
  const Graph ring = path_graph(10);
  const cdsim::Platform tree = cdsim::build_platform(spec, links_of(ring), 10, ring, {}, 1);
  CHECK(tree.switch_count() == 3 + 1);
  CHECK(tree.links.back().spec.forward.bandwidth.bits_per_second() == 1'333'333'333);  // 4e9 / 3, rounded
  CHECK(tree.links.back().spec.forward.latency == spec.latency);  // core_latency unset
}

TEST_CASE("a file star behind one switch builds the switch platform, NICs, classes and latency draws included") {
  NetworkSpec spec;
  spec.model = "platform";
  spec.platform.kind = "switch";
  spec.agent_classes = {make_class(0.5, 10'000'000, 50'000'000, 40)};
  spec.nic.downlink = Bandwidth::from_bits_per_second(200'000'000);
  spec.latency_distribution.kind = "uniform";
  spec.latency_distribution.min = SimTime::from_us(100);
  spec.latency_distribution.max = SimTime::from_ms(3);
  const Graph ring = path_graph(6);
  const cdsim::Platform generated = cdsim::build_platform(spec, links_of(ring), 6, ring, {}, 9);
  // The file gives no link values: the host links take the scenario's, as the generator's do.
  std::vector<GraphmlTestNode> nodes{{"s", "switch", ""}};
  std::vector<GraphmlTestEdge> edges;
  for (std::size_t h = 0; h < 6; ++h) {
    nodes.push_back({host_id(h), "host", ""});
    edges.push_back({h % 2 == 0 ? host_id(h) : "s", h % 2 == 0 ? "s" : host_id(h), ""});  // either orientation
  }
  const cdsim::Platform file = cdsim::platform_from_file(spec, platform_file(nodes, edges, 6), 6, 9);
  CHECK(file.kind == "file");
  check_same_platform(file, generated);
}

TEST_CASE("a file two-level tree with the generator's core links builds the tree platform") {
  NetworkSpec spec;
  spec.model = "platform";
  spec.platform.kind = "tree";
  spec.platform.hosts_per_switch = 4;
  spec.platform.oversubscription = 3.0;
  spec.platform.core_latency = SimTime::from_ms(5);
  spec.latency = SimTime::from_us(20);
  spec.bandwidth = Bandwidth::from_bits_per_second(1'000'000'000);
  const Graph ring = path_graph(10);
  const cdsim::Platform generated = cdsim::build_platform(spec, links_of(ring), 10, ring, {}, 1);
  // Leaves l0..l2 then the core (the generator's switch order); host h on leaf h / 4; the
  // core links at 4 x 1 Gbit/s / 3 = 1333333333 bit/s (rounded) and 5 ms.
  std::vector<GraphmlTestNode> nodes;
  std::vector<GraphmlTestEdge> edges;
  for (std::size_t h = 0; h < 10; ++h) {
    nodes.push_back({host_id(h), "host", ""});
    edges.push_back({host_id(h), "l" + std::to_string(h / 4), ""});
  }
  for (std::size_t leaf = 0; leaf < 3; ++leaf) {
    nodes.push_back({"l" + std::to_string(leaf), "switch", ""});
    edges.push_back({"l" + std::to_string(leaf), "core",
                     R"(<data key="l">5ms</data><data key="b">1333333333bps</data>)"});
  }
  nodes.push_back({"core", "router", ""});
  const cdsim::Platform file = cdsim::platform_from_file(spec, platform_file(nodes, edges, 10), 10, 1);
  check_same_platform(file, generated);
}

TEST_CASE("flows on an asymmetric file platform get the max-min rates worked out by hand") {
  // a, b, c on switch s; d on switch t; s -> t carries 30 Mbit/s, t -> s 5 Mbit/s. b's
  // uplink is 6 Mbit/s (100 Mbit/s down); every other host link 100 Mbit/s; no latency
  // but the core's 10 ms. At t = 0: a -> d (2.4 Mbit), b -> d (1.2 Mbit), c -> d (1.2
  // Mbit), d -> c (0.5 Mbit).
  // Progressive filling on s -> t: b stops at its uplink, 6; a and c share the rest, 12
  // each. c ends at 1.2 / 12 = 0.1 s; a has 1.2 Mbit left and now gets 30 - 6 = 24: it
  // ends 0.05 s later, at 0.15 s. b ends at 1.2 / 6 = 0.2 s. d -> c alone on t -> s: 0.5 / 5
  // = 0.1 s. Each arrives 10 ms (the core's latency) after its last bit.
  NetworkSpec spec;
  spec.model = "platform";
  spec.platform.kind = "file";
  spec.latency = SimTime::zero();
  spec.bandwidth = Bandwidth::from_bits_per_second(100'000'000);
  const cdsim::PlatformFile file = platform_file(
      {{"s", "switch", ""}, {"a", "host", ""}, {"b", "host", ""}, {"c", "host", ""}, {"t", "switch", ""}, {"d", "host", ""}},
      {{"a", "s", ""},
       {"b", "s", R"(<data key="bf">6Mbps</data>)"},
       {"s", "c", ""},
       {"t", "d", ""},
       {"s", "t", R"(<data key="l">10ms</data><data key="bf">30Mbps</data><data key="bb">5Mbps</data>)"}},
      4);
  const cdsim::Platform platform = cdsim::platform_from_file(spec, file, 4, 1);
  cdsim::Simulation sim(1);
  cdsim::SharedLinkNetwork network(sim, platform.host_count, {});
  cdsim::add_platform(network, platform);
  std::map<std::int64_t, std::int64_t> arrival;  // by round
  network.set_delivery_handler([&](cdsim::Message&& m) { arrival[m.round] = sim.now().ns(); });
  network.send(cdsim::testing::make_message(0, 3, 300'000, 0));
  network.send(cdsim::testing::make_message(1, 3, 150'000, 1));
  network.send(cdsim::testing::make_message(2, 3, 150'000, 2));
  network.send(cdsim::testing::make_message(3, 2, 62'500, 3));
  sim.run();
  constexpr std::int64_t kCore = 10'000'000;
  CHECK(arrival.at(0) == 150'000'000 + kCore);
  CHECK(arrival.at(1) == 200'000'000 + kCore);
  CHECK(arrival.at(2) == 100'000'000 + kCore);
  CHECK(arrival.at(3) == 100'000'000 + kCore);
}

TEST_CASE("a platform file that cannot be read is an error at /network/platform/file naming it") {
  NetworkSpec spec;
  spec.model = "platform";
  spec.platform.kind = "file";
  spec.platform.file = "/nonexistent/rack.graphml";
  const Graph ring = path_graph(4);
  try {
    (void)cdsim::build_platform(spec, links_of(ring), 4, ring, {}, 1);
    FAIL("the missing file was accepted");
  } catch (const cdsim::InvalidInput& error) {
    CHECK(error.field() == "/network/platform/file");
    CHECK(std::string(error.what()).find("/nonexistent/rack.graphml") != std::string::npos);
  }
}
