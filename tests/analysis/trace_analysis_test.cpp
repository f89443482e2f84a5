#include "analysis/trace_analysis.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sim/network.h"

using namespace cdsim;

namespace {

constexpr int kSend = trace_type::kSend;
constexpr int kStart = trace_type::kTransmissionStart;
constexpr int kEnd = trace_type::kTransmissionEnd;
constexpr int kCompute = trace_type::kCompute;
constexpr int kWait = trace_type::kWait;

TraceRecord transmission(int type, std::int64_t time_ns, std::uint64_t link, std::int64_t bytes) {
  TraceRecord record;
  record.type = type;
  record.time_ns = time_ns;
  record.link = link;
  record.size_bytes = bytes;
  return record;
}

// Link 0: [0, 10) and [5, 20) overlap; link 1: [30, 40) then [40, 50) back to back; link 2 idle.
// The records come in the order a network announces them, not sorted by time.
std::vector<TraceRecord> two_links() {
  return {transmission(kStart, 0, 0, 100),  transmission(kEnd, 10, 0, 100), transmission(kStart, 5, 0, 300),
          transmission(kStart, 30, 1, 7),   transmission(kEnd, 40, 1, 7),   transmission(kEnd, 20, 0, 300),
          transmission(kStart, 40, 1, 9),   transmission(kEnd, 50, 1, 9)};
}

}  // namespace

TEST_CASE("link usage counts bytes, the union of busy time and the most transmissions at once") {
  const std::vector<LinkUsage> usage = link_usage(two_links(), 3, 50);
  REQUIRE(usage.size() == 3);
  CHECK(usage[0].messages == 2);
  CHECK(usage[0].bytes == 400);
  CHECK(usage[0].busy_ns == 20);
  CHECK(usage[0].busy_fraction == doctest::Approx(0.4));
  CHECK(usage[0].peak_concurrent == 2);
  // Back to back is one after the other: never two at once, busy 20 of 50 ns.
  CHECK(usage[1].peak_concurrent == 1);
  CHECK(usage[1].busy_ns == 20);
  CHECK(usage[1].bytes == 16);
  CHECK(usage[2].messages == 0);
  CHECK(usage[2].busy_fraction == 0.0);
  const std::vector<LinkUsage> busiest = busiest_links(usage, 2);
  REQUIRE(busiest.size() == 2);
  CHECK(busiest[0].link == 0);  // equal busy time; more bytes first
  CHECK(busiest[1].link == 1);
}

TEST_CASE("busy intervals merge overlapping transmissions and keep back-to-back ones apart") {
  const auto intervals = link_busy_intervals(two_links(), 3);
  REQUIRE(intervals[0].size() == 1);
  CHECK(intervals[0][0].start_ns == 0);
  CHECK(intervals[0][0].end_ns == 20);
  CHECK(intervals[0][0].transmissions == 2);
  REQUIRE(intervals[1].size() == 2);
  CHECK(intervals[1][0].end_ns == 40);
  CHECK(intervals[1][1].start_ns == 40);
  CHECK(intervals[1][1].bytes == 9);
  CHECK(intervals[2].empty());
  CHECK(trace_horizon_ns(two_links()) == 50);
}

TEST_CASE("the Chrome timeline has an agent track of computes, waits and sends and a track per used link") {
  std::vector<TraceRecord> trace = two_links();
  TraceRecord compute;
  compute.type = kCompute;
  compute.sender = compute.receiver = 3;
  compute.time_ns = 2'000;
  compute.duration_ns = 5'000;
  compute.round = 1;
  TraceRecord wait = compute;
  wait.type = kWait;
  wait.time_ns = 7'000;
  wait.duration_ns = 1'500;
  TraceRecord send;
  send.type = kSend;
  send.sender = 3;
  send.receiver = 4;
  send.time_ns = 7'000;
  trace.insert(trace.end(), {compute, wait, send});
  const nlohmann::json document = nlohmann::json::parse(chrome_trace_json(trace, {{0, 1}, {1, 0}, {2, 3}}));
  int computes = 0, waits = 0, sends = 0, busy = 0;
  for (const nlohmann::json& event : document.at("traceEvents")) {
    const std::string name = event.at("name");
    if (name == "compute") {
      ++computes;
      CHECK(event.at("ph") == "X");
      CHECK(event.at("tid") == 3);
      CHECK(event.at("ts").get<double>() == 2.0);
      CHECK(event.at("dur").get<double>() == 5.0);
    } else if (name == "wait") {
      ++waits;
      CHECK(event.at("ts").get<double>() == 7.0);
      CHECK(event.at("dur").get<double>() == 1.5);
    } else if (name == "send") {
      ++sends;
      CHECK(event.at("ph") == "i");
      CHECK(event.at("args").at("to") == 4);
    } else if (name == "busy") {
      ++busy;
      CHECK(event.at("pid") == 2);
    } else if (name == "thread_name" && event.at("pid") == 2) {
      CHECK(event.at("tid") != 2);  // the idle link gets no track
    }
  }
  CHECK(computes == 1);
  CHECK(waits == 1);
  CHECK(sends == 1);
  CHECK(busy == 3);  // link 0: one merged interval; link 1: two
}

TEST_CASE("the chrome timeline marks a lost message on its sender's track and a link change for all tracks") {
  TraceRecord lost;
  lost.type = trace_type::kMessageLost;
  lost.sender = 2;
  lost.receiver = 5;
  lost.time_ns = 4'000;
  lost.size_bytes = 100;
  lost.cause = static_cast<std::uint32_t>(LossCause::kInFlight);
  TraceRecord down;
  down.type = trace_type::kLinkDown;
  down.sender = 2;
  down.receiver = 5;
  down.time_ns = 3'000;
  TraceRecord up = down;
  up.type = trace_type::kLinkUp;
  up.time_ns = 9'000;
  const nlohmann::json document = nlohmann::json::parse(chrome_trace_json({down, lost, up}, {}));
  std::vector<std::string> names;
  for (const nlohmann::json& event : document.at("traceEvents")) {
    const std::string name = event.at("name");
    if (name == "lost") {
      CHECK(event.at("ph") == "i");
      CHECK(event.at("tid") == 2);
      CHECK(event.at("ts").get<double>() == 4.0);
      CHECK(event.at("args").at("cause") == "in_flight");
      CHECK(event.at("args").at("to") == 5);
      CHECK(event.at("args").at("bytes") == 100);
    } else if (name.rfind("link 2-5", 0) == 0) {
      CHECK(event.at("s") == "g");
      CHECK(event.at("ts").get<double>() == (name == "link 2-5 down" ? 3.0 : 9.0));
    } else {
      continue;
    }
    names.push_back(name);
  }
  CHECK(names == std::vector<std::string>{"link 2-5 down", "lost", "link 2-5 up"});
}
