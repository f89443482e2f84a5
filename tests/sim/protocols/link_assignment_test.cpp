#include "sim/protocols/link_assignment.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

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
  REQUIRE(a.links.size() == b.links.size());
  CHECK(a.node_count == b.node_count);
  for (std::size_t i = 0; i < a.links.size(); ++i) {
    CHECK(a.links[i].a == b.links[i].a);
    CHECK(a.links[i].b == b.links[i].b);
    CHECK(a.links[i].spec.forward.bandwidth == b.links[i].spec.forward.bandwidth);
    CHECK(a.links[i].spec.backward.bandwidth == b.links[i].spec.backward.bandwidth);
    CHECK(a.links[i].spec.forward.latency == b.links[i].spec.forward.latency);
  }
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
