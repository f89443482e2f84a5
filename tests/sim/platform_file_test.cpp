// Platform files: node roles and the agent mapping, per-direction link values, and every
// rule of sim/platform_file.h rejected with a message naming the file, the node or edge
// and the attribute.
#include "sim/platform_file.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/invalid_input.h"
#include "tests/sim/platform_graphml.h"

using cdsim::AgentId;
using cdsim::Bandwidth;
using cdsim::InvalidInput;
using cdsim::PlatformFile;
using cdsim::SimTime;

namespace {

std::string graphml(const std::string& body, const std::string& edgedefault = "undirected") {
  return cdsim::testing::platform_graphml_document(body, edgedefault);
}

std::string node(const std::string& id, const std::string& role, const std::string& extra = "") {
  return "    <node id=\"" + id + "\"><data key=\"r\">" + role + "</data>" + extra + "</node>\n";
}
std::string host(const std::string& id, int agent) {
  return node(id, "host", "<data key=\"a\">" + std::to_string(agent) + "</data>");
}
std::string edge(const std::string& source, const std::string& target, const std::string& data = "") {
  return "    <edge source=\"" + source + "\" target=\"" + target + "\">" + data + "</edge>\n";
}
std::string data(const std::string& key, const std::string& value) {
  return "<data key=\"" + key + "\">" + value + "</data>";
}

PlatformFile parse(const std::string& text, std::size_t hosts) {
  std::istringstream in(text);
  return cdsim::parse_platform_file(in, "'p.graphml'", hosts);
}

// The message of the InvalidInput that parsing throws (its field must be "/file").
std::string error_of(const std::string& text, std::size_t hosts) {
  try {
    parse(text, hosts);
  } catch (const InvalidInput& error) {
    CHECK(error.field() == "/file");
    return error.what();
  }
  FAIL("the file was accepted");
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("hosts are numbered by their agent attribute, switches after them in file order") {
  const PlatformFile p = parse(graphml(node("core", "router") + host("b", 1) + node("leaf", "switch") + host("a", 0) +
                                       edge("leaf", "core") + edge("a", "leaf") + edge("leaf", "b")),
                               2);
  CHECK(p.host_count == 2);
  CHECK(p.node_count == 4);
  CHECK(p.node_ids == std::vector<std::string>{"a", "b", "core", "leaf"});
  REQUIRE(p.links.size() == 3);
  // Host links first, in host order, with the host as a; then the switches' links.
  CHECK(p.links[0].a == AgentId{0});
  CHECK(p.links[0].b == AgentId{3});
  CHECK(p.links[1].a == AgentId{1});
  CHECK(p.links[1].b == AgentId{3});
  CHECK(p.links[2].a == AgentId{3});
  CHECK(p.links[2].b == AgentId{2});
  CHECK(!p.links[0].forward_latency);
  CHECK(!p.links[0].forward_bandwidth);
}

TEST_CASE("without agent attributes the hosts are numbered in file order") {
  const PlatformFile p = parse(graphml(node("s", "switch") + node("x", "host") + node("y", "host") + edge("s", "y") +
                                       edge("x", "s")),
                               2);
  CHECK(p.node_ids == std::vector<std::string>{"x", "y", "s"});
  CHECK(p.links[0].a == AgentId{0});
  CHECK(p.links[1].a == AgentId{1});
}

TEST_CASE("a direction's own value takes precedence, and a host's link runs host to switch") {
  // Edge s -> h: forward (s -> h) is the host's downlink. Its two-way bandwidth is 100
  // Mbit/s, backward (h -> s, the uplink) 5 Mbit/s; latency 2 ms both ways, 7 ms backward.
  const PlatformFile p = parse(
      graphml(node("s", "switch") + host("h", 0) + host("g", 1) + edge("g", "s") +
              edge("s", "h", data("l", "2ms") + data("b", "100Mbps") + data("bb", "5Mbps") + data("lb", "0.007"))),
      2);
  const cdsim::PlatformFileLink& link = p.links[0];
  CHECK(link.a == AgentId{0});
  CHECK(link.forward_bandwidth == Bandwidth::from_bits_per_second(5'000'000));    // uplink
  CHECK(link.backward_bandwidth == Bandwidth::from_bits_per_second(100'000'000));  // downlink
  CHECK(link.forward_latency == SimTime::from_ms(7));                              // a bare number: seconds
  CHECK(link.backward_latency == SimTime::from_ms(2));
}

TEST_CASE("directed GraphML files are read the same way") {
  const PlatformFile p =
      parse(graphml(node("s", "switch") + host("h", 0) + host("g", 1) + edge("h", "s", data("bf", "1Gbps")) +
                        edge("g", "s"),
                    "directed"),
            2);
  CHECK(p.links[0].forward_bandwidth == Bandwidth::from_bits_per_second(1'000'000'000));
  CHECK(!p.links[0].backward_bandwidth);
}

TEST_CASE("each broken rule is one error naming the file, the node or edge, and the attribute") {
  const std::string s = node("s", "switch");
  const std::string star = s + host("h0", 0) + host("h1", 1) + edge("h0", "s");
  struct Case {
    std::string text;
    std::size_t hosts;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {graphml(star + edge("h1", "s", data("c", "red"))), 2, {"edge 1 ('h1' -- 's')", "'colour'"}},
      {graphml(s + host("h0", 0) + node("h1", "host", data("c", "red")) + edge("h0", "s") + edge("h1", "s")),
       2,
       {"node 'h1'", "'colour'"}},
      {graphml(s + host("h0", 0) + node("h1", "hub") + edge("h0", "s") + edge("h1", "s")), 1, {"node 'h1'", "role 'hub'"}},
      {graphml("    <node id=\"s\"/>\n" + host("h0", 0) + edge("h0", "s")), 1, {"node 's' has no role"}},
      {graphml(star + edge("h1", "s")), 3, {"has 2 hosts; expected 3"}},
      {graphml(s + host("h0", 0) + node("h1", "host") + edge("h0", "s") + edge("h1", "s")),
       2,
       {"node 'h1' has no agent"}},
      {graphml(s + host("h0", 0) + host("h1", 0) + edge("h0", "s") + edge("h1", "s")), 2, {"node 'h1'", "agent 0 is also node 'h0'"}},
      {graphml(s + host("h0", 0) + host("h1", 2) + edge("h0", "s") + edge("h1", "s")), 2, {"node 'h1'", "agent '2'"}},
      {graphml(node("s", "switch", data("a", "0")) + host("h0", 0) + edge("h0", "s")), 1, {"node 's'", "agent"}},
      {graphml(star + edge("h1", "s", data("l", "fast"))), 2, {"edge 1 ('h1' -- 's')", "latency \"fast\""}},
      {graphml(star + edge("h1", "s", data("b", "0Mbps"))), 2, {"edge 1 ('h1' -- 's')", "bandwidth \"0Mbps\""}},
      {graphml(star + edge("h1", "h0")), 2, {"edge 1 ('h1' -- 'h0')", "joins two hosts"}},
      {graphml(star + edge("h1", "s") + edge("s", "h1")), 2, {"edge 2 ('s' -- 'h1')", "repeats edge 1"}},
      {graphml(star + edge("s", "s")), 2, {"edge 1 ('s' -- 's')", "itself"}},
      {graphml(star), 2, {"node 'h1' is a host without a link"}},
      {graphml(star + edge("h1", "s") + node("t", "switch") + edge("h1", "t")), 2, {"host 'h1' has a second link"}},
      {graphml(star + edge("h1", "s") + node("t", "switch") + node("u", "switch") + edge("t", "u")),
       2,
       {"node 't' is not connected to node 'h0'"}},
      {graphml(star + edge("h1", "s", data("w", "1"))), 2, {"'weight'"}},
      {"<graphml><graph", 2, {"malformed GraphML"}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const std::string message = error_of(c.text, c.hosts);
    CHECK(message.rfind("'p.graphml'", 0) == 0);
    for (const std::string& part : c.parts) {
      CAPTURE(part);
      CHECK(contains(message, part));
    }
    CHECK(message.find('\n') == std::string::npos);
  }
}

TEST_CASE("graph attributes are rejected") {
  const std::string text = R"(<?xml version="1.0"?>
<graphml><key id="g" for="graph" attr.name="owner" attr.type="string"/>
  <graph edgedefault="undirected"><data key="g">me</data><node id="h"/></graph></graphml>)";
  CHECK(contains(error_of(text, 1), "graph attribute 'owner'"));
}

TEST_CASE("reading a platform file bounds it and names it") {
  CHECK_THROWS_WITH_AS(cdsim::read_platform_file("/nonexistent/platform.graphml", 2),
                       doctest::Contains("/nonexistent/platform.graphml"), InvalidInput);
  CHECK_THROWS_AS(cdsim::read_platform_file("/dev/zero", 2), InvalidInput);
  CHECK_THROWS_AS(cdsim::read_platform_file("", 2), InvalidInput);
}

TEST_CASE("every kept GraphML fuzzer input is read as a platform or rejected as bad input") {
  const std::filesystem::path folder = std::filesystem::path(CDSIM_SOURCE_DIR) / "tests/fuzz/regressions/graphml";
  std::size_t replayed = 0;
  for (const std::filesystem::directory_entry& entry : std::filesystem::directory_iterator(folder)) {
    CAPTURE(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    try {
      (void)cdsim::parse_platform_file(in, "fuzz", 2);
    } catch (const InvalidInput& error) {
      CHECK(std::string(error.what()).rfind("fuzz", 0) == 0);
    }
    ++replayed;
  }
  CHECK(replayed >= 1);
}
