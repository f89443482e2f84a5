// The round time of `cdsim topology` against figures worked out by hand: the formula where
// point-to-point links make it exact, one simulated exchange where NICs, switches,
// platforms or agent classes shape the traffic.
#include "analysis/topology_whatif.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_topology.h"

using cdsim::NamedReport;
using cdsim::Scenario;

namespace {

constexpr std::uint64_t kParameters = 25'000;

// A communication-only scenario of `agents` agents on `topology` with `network`.
Scenario scenario(std::size_t agents, const std::string& topology, const std::string& network) {
  return cdsim::parse_scenario(R"({"agents": )" + std::to_string(agents) + R"(, "topology": )" + topology +
                                   R"(, "network": )" + network + R"(,
      "model": {"kind": "none", "parameters": 25000}, "run": {"steps": 1, "evaluation": {"mode": "off"}}})",
                               "whatif.json");
}

NamedReport report_of(const Scenario& s) { return cdsim::scenario_topology_report(s, cdsim::WhatIfOptions{}); }

// Seconds to send `bytes` at `bits_per_second`, rounded up to the nanosecond as the
// simulation rounds a transmission.
double transfer_s(double bytes, double bits_per_second) {
  const auto ns = static_cast<std::int64_t>(bytes * 8 * 1e9 / bits_per_second);
  const bool exact = static_cast<double>(ns) * bits_per_second == bytes * 8 * 1e9;
  return static_cast<double>(exact ? ns : ns + 1) * 1e-9;
}

}  // namespace

TEST_CASE("uniform point-to-point links keep the formula latency + message / bandwidth, which a simulation confirms") {
  const Scenario s = scenario(8, R"({"kind": "ring"})", R"({"latency": "2ms", "bandwidth": "100Mbps"})");
  const NamedReport named = report_of(s);
  const double bytes = static_cast<double>(named.report.bytes_per_message);
  CHECK(named.report.bytes_per_message > 4 * kParameters);  // the payload and a header
  CHECK(named.report.round_time_method == "formula");
  CHECK(named.report.round_time_s == doctest::Approx(0.002 + bytes * 8 / 100e6).epsilon(1e-12));
  // The same exchange simulated: the formula, to the nanosecond of rounding.
  const cdsim::ScenarioTopology topology = cdsim::build_scenario_topology(s);
  CHECK(cdsim::uniform_point_to_point(s, topology));
  const double simulated =
      cdsim::simulate_exchange_round(s, topology, cdsim::ByteCount{static_cast<std::int64_t>(bytes)}).seconds();
  CHECK(simulated == doctest::Approx(0.002 + transfer_s(bytes, 100e6)).epsilon(1e-12));
  CHECK(std::abs(simulated - named.report.round_time_s) <= 1e-9);
}

TEST_CASE("a star behind one switch: the centre's host link carries its N - 1 messages each way") {
  // Star of N agents, centre 0; every agent on its own 1 ms host link of 50 Mbit/s. The
  // centre's N - 1 messages share its uplink, the leaves' N - 1 its downlink; each
  // crosses two host links: 2 L + (N - 1) S / B.
  for (const std::size_t n : {2u, 5u, 9u}) {
    CAPTURE(n);
    const Scenario s = scenario(n, R"({"kind": "star"})", R"({"model": "switch", "latency": "1ms", "bandwidth": "50Mbps"})");
    const NamedReport named = report_of(s);
    const double bytes = static_cast<double>(named.report.bytes_per_message);
    CHECK(named.report.round_time_method == "simulated");
    CHECK(named.report.round_time_s ==
          doctest::Approx(0.002 + transfer_s(static_cast<double>(n - 1) * bytes, 50e6)).epsilon(1e-12));
    // The formula would have said one message's time: it ignored the shared host link.
    CHECK(named.report.round_time_s > 0.001 + bytes * 8 / 50e6);
    if (named.report.steps_to_shrink) {
      CHECK(*named.report.time_to_shrink_s ==
            doctest::Approx(static_cast<double>(*named.report.steps_to_shrink) * named.report.round_time_s));
    }
  }
}

TEST_CASE("NICs: a ring agent's two messages share its uplink") {
  // Ring of 6, every NIC 20 Mbit/s up (unlimited down), edges 1 Gbit/s and 3 ms: each
  // agent's two messages get 10 Mbit/s each: 3 ms + 2 S / U.
  const Scenario s = scenario(6, R"({"kind": "ring"})",
                              R"({"model": "nic", "latency": "3ms", "bandwidth": "1Gbps", "nic": {"uplink": "20Mbps"}})");
  const NamedReport named = report_of(s);
  const double bytes = static_cast<double>(named.report.bytes_per_message);
  CHECK(named.report.round_time_method == "simulated");
  CHECK(named.report.round_time_s == doctest::Approx(0.003 + transfer_s(2 * bytes, 20e6)).epsilon(1e-12));
}

TEST_CASE("agent classes narrow point-to-point links, so the round is simulated") {
  // Every agent in a class of 10 Mbit/s up, 40 ms: a link's latency is 1 ms + 2 x 40 ms,
  // its bandwidth min(1 Gbit/s, 10 Mbit/s up, 1 Gbit/s down).
  const Scenario s = scenario(4, R"({"kind": "complete"})", R"({"latency": "1ms", "bandwidth": "1Gbps",
      "agent_classes": [{"name": "4g", "fraction": 1, "uplink": "10Mbps", "downlink": "1Gbps", "latency": "40ms"}]})");
  const NamedReport named = report_of(s);
  const double bytes = static_cast<double>(named.report.bytes_per_message);
  CHECK(named.report.round_time_method == "simulated");
  CHECK(named.report.round_time_s == doctest::Approx(0.081 + transfer_s(bytes, 10e6)).epsilon(1e-12));
}

TEST_CASE("--shared-uplink keeps its formula, and rounds too large to simulate say so") {
  const Scenario s = scenario(5, R"({"kind": "star"})", R"({"model": "switch", "latency": "1ms", "bandwidth": "50Mbps"})");
  cdsim::WhatIfOptions shared;
  shared.shared_uplink = true;
  const NamedReport formula = cdsim::scenario_topology_report(s, shared);
  CHECK(formula.report.round_time_method == "formula");
  const double bytes = static_cast<double>(formula.report.bytes_per_message);
  CHECK(formula.report.round_time_s == doctest::Approx(0.001 + 4 * bytes * 8 / 50e6).epsilon(1e-12));
  cdsim::WhatIfOptions small;
  small.max_simulated_messages = 7;  // the star's round has 8
  const NamedReport skipped = cdsim::scenario_topology_report(s, small);
  CHECK(skipped.report.round_time_method == "formula_ignoring_network");
  CHECK(skipped.report.round_time_s == doctest::Approx(0.001 + bytes * 8 / 50e6).epsilon(1e-12));
}
