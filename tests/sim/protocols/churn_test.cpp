// Churn as crash and recover events: an availability trace's intervals give exactly the
// times agents leave and come back, bad rows are named by file, line and column, and the
// seeded on/off model alternates with the means it was given.
#include "sim/protocols/churn.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/invalid_input.h"
#include "sim/protocols/synchronous_consensus.h"
#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;

namespace {

constexpr SimTime kLatest = SimTime::from_ns(std::int64_t{1} << 62);

std::string error_of(const std::string& text) {
  try {
    parse_availability_trace(text, "trace.csv", 4, kLatest);
  } catch (const InvalidInput& error) {
    return error.field() + " " + error.what();
  }
  return "no error";
}

bool same(const AgentStateChange& change, SimTime at, std::uint32_t agent, bool up) {
  return change.at == at && change.agent.value == agent && change.up == up;
}

}  // namespace

TEST_CASE("an availability trace takes each named agent out outside its intervals and back at their starts") {
  const std::string text =
      "agent,online_from,online_until\n"
      "# agent 1 joins late and leaves for a while\n"
      "1, 2s, 5s\n"
      "1, 7.5, \n"
      "3, 0s, 1min\n"
      "3, 1min, 2min\n";
  const std::vector<AgentStateChange> changes = parse_availability_trace(text, "trace.csv", 4, kLatest);
  REQUIRE(changes.size() == 5);
  CHECK(same(changes[0], SimTime::zero(), 1, false));
  CHECK(same(changes[1], SimTime::from_seconds(2), 1, true));
  CHECK(same(changes[2], SimTime::from_seconds(5), 1, false));
  CHECK(same(changes[3], SimTime::from_seconds(7.5), 1, true));
  CHECK(same(changes[4], SimTime::from_seconds(120), 3, false));  // 0-1min and 1min-2min are one stretch
}

TEST_CASE("a bad availability trace row is named by file, line and column") {
  CHECK(error_of("0,1s,2s\n7,1s,2s\n") == "/faults/churn/trace trace.csv:2: agent: no agent 7 (there are 4)");
  CHECK(error_of("0,soon,2s\n").find("trace.csv:1: online_from:") != std::string::npos);
  CHECK(error_of("0,3s,2s\n") == "/faults/churn/trace trace.csv:1: online_until: expected a time after online_from");
  CHECK(error_of("0,1s\n").find("trace.csv:1: expected 3 columns") != std::string::npos);
  CHECK(error_of("0,1s,5s\n0,4s,6s\n").find("trace.csv:2: online_from: agent 0 is already online") != std::string::npos);
  CHECK(error_of("x,1s,2s\n").find("trace.csv:1: agent: expected an agent number") != std::string::npos);
}

TEST_CASE("churn from a trace keeps an agent silent exactly while the trace has it offline") {
  AlgorithmSpec algorithm;
  algorithm.kind = "cdsgd";
  algorithm.learning_rate = 0.1;
  algorithm.timeout = SimTime::from_ms(2);
  testing::BaselineFixture f(algorithm, ring_graph(4), 2,
                             LinkSpec{SimTime::from_us(100), Bandwidth::from_bits_per_second(1'000'000'000)});
  // Agent 2 is online over [0, 3 ms) and [8 ms, end).
  FaultSchedule schedule;
  schedule.agents = parse_availability_trace("2,0s,3ms\n2,8ms,\n", "t.csv", 4, kLatest);
  f.inject_faults(schedule);
  std::vector<SimTime> sends_of_2;
  NetworkObserver observer;
  observer.on_send = [&](const Message& m, SimTime now) {
    if (m.from.value == 2) sends_of_2.push_back(now);
  };
  f.faulty->add_observer(observer);
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(1);
  f.run<SynchronousConsensus>(compute, 10);
  bool before = false, after = false;
  for (SimTime t : sends_of_2) {
    CHECK((t < SimTime::from_ms(3) || t >= SimTime::from_ms(8)));
    before = before || t < SimTime::from_ms(3);
    after = after || t >= SimTime::from_ms(8);
  }
  CHECK(before);
  CHECK(after);
}

TEST_CASE("the churn model alternates offline and online with the means it was given, reproducibly") {
  ChurnSpec churn;
  churn.mean_online = SimTime::from_seconds(30);
  churn.mean_offline = SimTime::from_seconds(10);
  churn.horizon = SimTime::from_seconds(40000);
  churn.fraction = 0.5;
  const std::vector<AgentStateChange> changes = churn_model_changes(churn, 4, 3);
  CHECK(changes.size() == churn_model_changes(churn, 4, 3).size());
  // Two of four agents churn; each starts online and alternates; mean on/off times match.
  std::vector<std::vector<AgentStateChange>> by_agent(4);
  for (const AgentStateChange& c : changes) by_agent[c.agent.value].push_back(c);
  std::size_t churning = 0;
  for (const auto& list : by_agent) {
    if (list.empty()) continue;
    ++churning;
    double online = 0.0, offline = 0.0;
    std::size_t ons = 0, offs = 0;
    SimTime last = SimTime::zero();
    bool up = true;
    for (const AgentStateChange& c : list) {
      CHECK(c.up == !up);
      ((up ? online : offline)) += (c.at - last).seconds();
      (up ? ons : offs) += 1;
      last = c.at;
      up = c.up;
    }
    // About 1000 of each: the sample mean of an exponential is within 4 standard errors.
    CHECK(online / static_cast<double>(ons) == doctest::Approx(30.0).epsilon(4.0 / std::sqrt(ons)));
    CHECK(offline / static_cast<double>(offs) == doctest::Approx(10.0).epsilon(4.0 / std::sqrt(offs)));
  }
  CHECK(churning == 2);
}

TEST_CASE("an availability trace that is a directory or a device is refused before it is read") {
  for (const std::string& path : {std::string("."), std::string("/dev/zero")}) {
    try {
      (void)read_availability_trace(path, 4, SimTime::from_seconds(10));
      FAIL("accepted " << path);
    } catch (const InvalidInput& error) {
      CHECK(error.field() == "/faults/churn/trace");
      const std::string message = error.what();
      CHECK((message.find("is not a regular file") != std::string::npos ||
             message.find("is a directory") != std::string::npos));
    }
  }
}
