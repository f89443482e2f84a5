// Faults on a platform's physical links as a user meets them (scenarios/examples/
// platform_wan_failure.json: three regions of 4 agents on a WAN triangle, CDSGD on a ring):
// a failed WAN link's traffic takes the detour through the third region, link for link; a
// region cut off loses messages with cause link_down and, without a timeout, the run ends
// with no progress; the results do not depend on the thread count; bad platform links are
// bad input naming the field; the same network read from a GraphML file fails alike.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "analysis/trace_reader.h"
#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;

namespace {

const std::string kExample = std::string(CDSIM_SOURCE_DIR) + "/scenarios/examples/platform_wan_failure.json";

// The regions platform of 12 hosts: host links are physical links 0-11 (directed 0-23),
// then the WAN links (0,1), (0,2), (1,2) of switches 12, 13, 14: directed 24/25 (12->13,
// 13->12), 26/27 (12->14, 14->12), 28/29 (13->14, 14->13).
constexpr std::uint64_t k0to1 = 24, k1to0 = 25, k0to2 = 26, k2to0 = 27, k1to2 = 28, k2to1 = 29;

nlohmann::json summary_of(const std::filesystem::path& run) { return nlohmann::json::parse(read_text(run / "summary.json")); }

std::string events(const std::string& list) { return " --set 'faults.events=" + list + "'"; }

// Runs the example with `overrides` (one epoch, traced) into `out`; returns the exit status.
int run_example(const std::filesystem::path& out, const std::string& overrides) {
  const auto outcome = run_cli("run " + kExample + " --quiet --set run.epochs=1 --set run.evaluation.mode=off" + overrides +
                               " --out " + out.string());
  INFO(outcome.output);
  return outcome.exit_code;
}

// Transmissions started per directed link in the run's trace.
std::map<std::uint64_t, int> transmissions(const std::filesystem::path& run) {
  std::map<std::uint64_t, int> count;
  for (const cdsim::TraceRecord& r : cdsim::read_trace(run / "events.pb")) {
    if (r.type == cdsim::trace_type::kTransmissionStart) ++count[r.link];
  }
  return count;
}

}  // namespace

TEST_CASE("a WAN link down for the whole run: nothing is lost, and its traffic crosses the other two WAN links") {
  TempFolder temp("wan-down");
  REQUIRE(run_example(temp.path() / "plain", " --set faults.events=[]") == 0);
  REQUIRE(run_example(temp.path() / "down", events(R"([{"at":"0s","kind":"link_down","link":["switch:0","switch:1"]}])")) == 0);
  std::map<std::uint64_t, int> plain = transmissions(temp.path() / "plain");
  std::map<std::uint64_t, int> down = transmissions(temp.path() / "down");
  REQUIRE(plain[k0to1] > 0);
  CHECK(down[k0to1] == 0);
  CHECK(down[k1to0] == 0);
  // Region 0 -> 1 goes 12 -> 14 -> 13, region 1 -> 0 goes 13 -> 14 -> 12.
  CHECK(down[k0to2] == plain[k0to2] + plain[k0to1]);
  CHECK(down[k2to1] == plain[k2to1] + plain[k0to1]);
  CHECK(down[k1to2] == plain[k1to2] + plain[k1to0]);
  CHECK(down[k2to0] == plain[k2to0] + plain[k1to0]);
  const nlohmann::json faults = summary_of(temp.path() / "down")["faults"];
  CHECK(faults["messages_lost_link_down"] == 0);
  CHECK(faults["messages_lost_in_flight"] == 0);
  CHECK(faults["messages_delivered"] == faults["messages_sent"]);
  // The detour is longer (70 + 35 ms against 40 ms), so the run takes longer.
  CHECK(summary_of(temp.path() / "down")["sim_time_s"].get<double>() >
        summary_of(temp.path() / "plain")["sim_time_s"].get<double>());
}

TEST_CASE("a region cut off from the others loses messages with cause link_down; without a timeout no progress") {
  TempFolder temp("wan-cut");
  const std::string cut = events(R"([{"at":"0.2s","kind":"link_down","link":["switch:0","switch:1"]},)"
                                 R"({"at":"0.2s","kind":"link_down","link":["switch:2","switch:0"]}])");
  REQUIRE(run_example(temp.path() / "timeout", cut) == 0);
  const nlohmann::json summary = summary_of(temp.path() / "timeout");
  const nlohmann::json& faults = summary["faults"];
  CHECK(summary["end_reason"] == "completed");
  CHECK(faults["messages_lost_link_down"].get<int>() > 0);
  CHECK(faults["messages_sent"].get<int>() ==
        faults["messages_delivered"].get<int>() + faults["messages_lost_link_down"].get<int>() +
            faults["messages_lost_in_flight"].get<int>());
  // The trace has one message_lost record per loss, with its cause (1 link_down, 2 in flight).
  std::map<std::uint32_t, int> traced;
  for (const cdsim::TraceRecord& r : cdsim::read_trace(temp.path() / "timeout" / "events.pb")) {
    if (r.type == cdsim::trace_type::kMessageLost) ++traced[r.cause];
  }
  CHECK(traced[1] == faults["messages_lost_link_down"].get<int>());
  CHECK(traced[2] == faults["messages_lost_in_flight"].get<int>());

  CHECK(run_example(temp.path() / "wait", cut + " --set algorithm.timeout=0s") == 3);
  const nlohmann::json stuck = summary_of(temp.path() / "wait");
  CHECK(stuck["end_reason"] == "no_progress");
  CHECK(stuck["faults"]["messages_lost_link_down"].get<int>() + stuck["faults"]["messages_lost_in_flight"].get<int>() > 0);
}

TEST_CASE("a run with a WAN failure and recovery gives byte-identical metrics with 1 and 2 threads") {
  TempFolder temp("wan-threads");
  for (const char* threads : {"1", "2"}) {
    const auto outcome = run_cli("run " + kExample + " --quiet --threads " + threads + " --out " +
                                 (temp.path() / threads).string());
    REQUIRE(outcome.exit_code == 0);
  }
  CHECK(read_text(temp.path() / "1" / "metrics.csv") == read_text(temp.path() / "2" / "metrics.csv"));
  CHECK(summary_of(temp.path() / "1")["faults"]["messages_lost_in_flight"].get<int>() > 0);
}

TEST_CASE("a platform link that is not one, or on point-to-point links, is bad input naming the field") {
  const auto check = [](const std::string& overrides, const std::string& expected) {
    const auto outcome = run_cli("validate " + kExample + overrides);
    INFO(outcome.output);
    CHECK(outcome.exit_code == 2);
    CHECK(outcome.output.find(expected) != std::string::npos);
  };
  check(events(R"([{"at":"1s","kind":"link_down","link":["switch:0","switch:3"]}])"),
        "/faults/events/0/link/1: no switch:3: the \"regions\" platform has 3 switches");
  check(events(R"([{"at":"1s","kind":"link_up","link":["host:0","switch:1"]}])"),
        "/faults/events/0/link: host:0 and switch:1 are not joined by a link of the \"regions\" platform");
  check(events(R"([{"at":"1s","kind":"link_down","link":["router:0","switch:1"]}])"),
        "/faults/events/0/link/0: expected \"host:<h>\" or \"switch:<s>\"");
  check(events(R"([{"at":"1s","kind":"crash","agent":0,"link":["host:0","switch:0"]}])"),
        "/faults/events/0/link: only link_down, link_up and link_degrade name a platform link");
  check(events(R"([{"at":"1s","kind":"link_down","link":["host:0","switch:0"]},{"at":"2s","kind":"partition","groups":[[0]]}])"),
        "/faults/events/1: platform links and agent-pair links");
  check(" --set network.model=point_to_point --set network.platform=null" +
            events(R"([{"at":"1s","kind":"link_down","link":["host:0","switch:0"]}])"),
        "/faults/events/0/link: names a platform link, but point-to-point links have no platform");
  check(R"( --set 'faults.link_loss=[{"link":["host:0","switch:2"],"probability":0.1}]')",
        "/faults/link_loss/0/link: host:0 and switch:2 are not joined by a link of the \"regions\" platform");
  const auto fine = run_cli("validate " + kExample + events(R"([{"at":"1s","kind":"link_degrade","link":["switch:1","switch:2"],"bandwidth":"10Mbps"}])"));
  CHECK(fine.exit_code == 0);
  const auto lossy = run_cli("validate " + kExample + R"( --set 'faults.link_loss=[{"link":["switch:0","switch:2"],"probability":0.1}]')");
  CHECK(lossy.exit_code == 0);
}

TEST_CASE("platform link faults apply to the parameter server too: its round deadline goes on without the cut-off side") {
  TempFolder temp("ps-dumbbell");
  const std::string scenario = std::string(CDSIM_SOURCE_DIR) + "/scenarios/examples/baselines_parameter_server.json";
  // A dumbbell: agents 0-2 on switch 0, agents 3-4 and the server (host 5) on switch 1; the
  // bottleneck between them is down from 0.1 s to 3 s.
  const auto outcome = run_cli("run " + scenario + " --quiet --set network.model=platform --set network.platform.kind=dumbbell"
                               " --set algorithm.timeout=2s --set run.evaluation.mode=off" +
                               events(R"([{"at":"0.1s","kind":"link_down","link":["switch:0","switch:1"]},)"
                                      R"({"at":"3s","kind":"link_up","link":["switch:1","switch:0"]}])") +
                               " --out " + (temp.path() / "run").string());
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const nlohmann::json summary = summary_of(temp.path() / "run");
  const nlohmann::json& faults = summary["faults"];
  CHECK(summary["end_reason"] == "completed");
  CHECK(faults["messages_lost_link_down"].get<int>() > 0);
  CHECK(summary["deadline"]["rounds_closed_by_deadline"].get<int>() > 0);
  CHECK(faults["messages_sent"].get<int>() ==
        faults["messages_delivered"].get<int>() + faults["messages_lost_link_down"].get<int>() +
            faults["messages_lost_in_flight"].get<int>());
}

TEST_CASE("the example's WAN failure on the same network read from a GraphML platform file runs byte-identically") {
  // The regions platform as a file: host h in region h / 4 (as the generator places it),
  // switches r0, r1, r2 in region order, the WAN links in the generator's order.
  TempFolder temp("wan-file");
  std::string graphml = R"(<graphml><key id="r" for="node" attr.name="role" attr.type="string"/>
<key id="l" for="edge" attr.name="latency" attr.type="string"/>
<key id="b" for="edge" attr.name="bandwidth" attr.type="string"/>
<graph edgedefault="undirected">
)";
  for (int h = 0; h < 12; ++h) graphml += "<node id=\"h" + std::to_string(h) + "\"><data key=\"r\">host</data></node>\n";
  for (int r = 0; r < 3; ++r) graphml += "<node id=\"r" + std::to_string(r) + "\"><data key=\"r\">router</data></node>\n";
  for (int h = 0; h < 12; ++h) graphml += "<edge source=\"h" + std::to_string(h) + "\" target=\"r" + std::to_string(h / 4) + "\"/>\n";
  for (const auto& [a, b, latency] : {std::tuple{0, 1, "40ms"}, std::tuple{0, 2, "70ms"}, std::tuple{1, 2, "35ms"}}) {
    graphml += "<edge source=\"r" + std::to_string(a) + "\" target=\"r" + std::to_string(b) + "\"><data key=\"l\">" +
               latency + "</data><data key=\"b\">200Mbps</data></edge>\n";
  }
  cdsim::testing::write_text(temp.path() / "wan.graphml", graphml + "</graph></graphml>\n");
  REQUIRE(run_example(temp.path() / "generated", "") == 0);
  REQUIRE(run_example(temp.path() / "file", " --set network.platform='{\"kind\": \"file\", \"file\": \"" +
                                                (temp.path() / "wan.graphml").string() + "\"}'") == 0);
  CHECK(read_text(temp.path() / "generated" / "metrics.csv") == read_text(temp.path() / "file" / "metrics.csv"));
  CHECK(transmissions(temp.path() / "generated") == transmissions(temp.path() / "file"));
  CHECK(summary_of(temp.path() / "file")["faults"] == summary_of(temp.path() / "generated")["faults"]);
  CHECK(summary_of(temp.path() / "file")["network"]["platform"]["kind"] == "file");
}

TEST_CASE("a lossy WAN link loses only messages between the agents whose route crosses it") {
  // Ring edge 3-4 is the only one between regions 0 and 1, so only 3 -> 4 and 4 -> 3 cross
  // WAN 0-1.
  TempFolder temp("wan-lossy");
  REQUIRE(run_example(temp.path() / "run", R"( --set faults.events=[] --set 'faults.link_loss=[{"link":["switch:1","switch:0"],"probability":0.5}]')") == 0);
  int lost = 0;
  int elsewhere = 0;
  for (const cdsim::TraceRecord& r : cdsim::read_trace(temp.path() / "run" / "events.pb")) {
    if (r.type != cdsim::trace_type::kMessageLost) continue;
    ++lost;
    const bool crossing = (r.sender == 3 && r.receiver == 4) || (r.sender == 4 && r.receiver == 3);
    if (!crossing || r.cause != 3) ++elsewhere;
  }
  CHECK(lost > 0);
  CHECK(elsewhere == 0);
  CHECK(summary_of(temp.path() / "run")["faults"]["messages_lost_random"] == lost);
}
