// Agents that crash and recover (ProtocolContext::agent_changes with a FaultyNetwork):
// a crashed agent sends nothing and hears nothing, its neighbours go on without it
// (synchronous consensus by the timeout rule, asynchronous consensus with the latest vector
// they have), and a recovered agent resumes from the parameters it had.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/protocols/asynchronous_consensus.h"
#include "sim/protocols/synchronous_consensus.h"
#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kLink{SimTime::from_us(100), Bandwidth::from_bits_per_second(1'000'000'000)};

AlgorithmSpec consensus(const char* kind, SimTime timeout) {
  AlgorithmSpec algorithm;
  algorithm.kind = kind;
  algorithm.learning_rate = 0.1;
  algorithm.timeout = timeout;
  return algorithm;
}

ComputeSpec one_ms() {
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(1);
  return compute;
}

FaultSchedule crashes(std::vector<AgentStateChange> changes) {
  FaultSchedule schedule;
  schedule.agents = std::move(changes);
  return schedule;
}

struct Sent {
  std::uint32_t from;
  std::uint32_t to;
  SimTime at;
};

}  // namespace

TEST_CASE("with an agent crashed from the start, timeout mixing follows x <- W' x - a (x - b), the crashed x frozen") {
  BaselineFixture f(consensus("cdsgd", SimTime::from_ms(2)), ring_graph(5), 3, kLink);
  f.inject_faults(crashes({{SimTime::zero(), AgentId{2}, false}}));
  std::vector<Sent> sent;
  NetworkObserver observer;
  observer.on_send = [&](const Message& m, SimTime now) { sent.push_back({m.from.value, m.to.value, now}); };
  f.faulty->add_observer(observer);
  const std::int64_t steps = 6;
  const auto protocol = f.run<SynchronousConsensus>(one_ms(), steps);

  // W' = W with the weight of agent 2 moved onto the diagonal of its neighbours 1 and 3;
  // agent 2 takes no step at all.
  const MixingMatrix& w = f.mixing;
  auto weight = [&](std::size_t i, std::size_t j) {
    if (j == 2 && i != 2) return 0.0;
    if (i == j && (i == 1 || i == 3)) return w.weight(i, i) + w.weight(i, 2);
    return w.weight(i, j);
  };
  std::vector<Vector> x(5, Vector(f.initial.begin(), f.initial.end()));
  REQUIRE(f.snapshots.size() == static_cast<std::size_t>(steps + 1));
  for (std::int64_t k = 1; k <= steps; ++k) {
    std::vector<Vector> next(5, Vector(3, 0.0));
    for (std::size_t i = 0; i < 5; ++i) {
      for (std::size_t d = 0; d < 3; ++d) {
        if (i == 2) {
          next[i][d] = x[i][d];
          continue;
        }
        for (std::size_t j = 0; j < 5; ++j) next[i][d] += weight(i, j) * x[j][d];
        next[i][d] -= 0.1 * (x[i][d] - f.targets[i][d]);
      }
    }
    x = next;
    for (std::size_t i = 0; i < 5; ++i) {
      for (std::size_t d = 0; d < 3; ++d) {
        CHECK(f.snapshots[static_cast<std::size_t>(k)][i][d] == doctest::Approx(x[i][d]).epsilon(1e-5));
      }
    }
  }
  // Agent 2 never sends; what its two neighbours send it each step is lost to the crash.
  CHECK(std::none_of(sent.begin(), sent.end(), [](const Sent& s) { return s.from == 2; }));
  CHECK(f.faulty->losses().messages_lost_agent_down == 2 * steps);
  CHECK(f.faulty->losses().messages_lost() == 2 * steps);
  CHECK(protocol->waiting().timeouts == 2 * steps);
}

TEST_CASE("a crash at t stops exactly that agent's messages until its recovery, and it resumes from its parameters") {
  const SimTime crash = SimTime::from_us(4500);
  const SimTime recovery = SimTime::from_ms(12);
  BaselineFixture f(consensus("cdsgd", SimTime::from_ms(2)), ring_graph(5), 3, kLink);
  f.inject_faults(crashes({{crash, AgentId{2}, false}, {recovery, AgentId{2}, true}}));
  std::vector<Sent> sent;
  NetworkObserver observer;
  observer.on_send = [&](const Message& m, SimTime now) { sent.push_back({m.from.value, m.to.value, now}); };
  f.faulty->add_observer(observer);
  const std::int64_t steps = 12;
  f.run<SynchronousConsensus>(one_ms(), steps);

  std::size_t before = 0, during = 0, after = 0, others_during = 0;
  for (const Sent& s : sent) {
    const bool down = s.at >= crash && s.at < recovery;
    if (s.from == 2) {
      (s.at < crash ? before : down ? during : after) += 1;
    } else if (down) {
      ++others_during;
    }
  }
  CHECK(before > 0);
  CHECK(during == 0);
  CHECK(after > 0);
  CHECK(others_during > 0);
  // Messages to agent 2 while it is down are lost to the crash; nothing else is lost.
  const LossStats& lost = f.faulty->losses();
  CHECK(lost.messages_lost_agent_down > 0);
  CHECK(lost.messages_lost() == lost.messages_lost_agent_down);

  // Its parameters stay as they were while it is down, and change again once it is back.
  std::size_t frozen_from = 0;
  for (std::size_t k = 1; k < f.snapshots.size(); ++k) {
    if (f.times[k] < crash) frozen_from = k;
  }
  std::size_t frozen = 0;
  for (std::size_t k = frozen_from + 1; k < f.snapshots.size() && f.times[k] < recovery; ++k) {
    CHECK(f.snapshots[k][2] == f.snapshots[frozen_from][2]);
    ++frozen;
  }
  CHECK(frozen >= 2);
  CHECK(f.snapshots.back()[2] != f.snapshots[frozen_from][2]);
}

TEST_CASE("async CDSGD's neighbours of a crashed agent keep mixing the last vector it sent") {
  BaselineFixture f(consensus("async_cdsgd", SimTime::zero()), ring_graph(4), 2, kLink);
  f.inject_faults(crashes({{SimTime::zero(), AgentId{0}, false}}));
  const std::int64_t steps = 5;
  const auto protocol = f.run<AsynchronousConsensus>(one_ms(), steps);
  // Agent 0 sends nothing, so every agent mixes x_0(0) = the start for agent 0; with equal
  // compute times the others stay in lockstep and follow the synchronous recurrence with
  // x_0 frozen (each vector arrives within the step).
  const MixingMatrix& w = f.mixing;
  std::vector<Vector> x(4, Vector(f.initial.begin(), f.initial.end()));
  for (std::int64_t k = 1; k <= steps; ++k) {
    std::vector<Vector> next = x;
    for (std::size_t i = 1; i < 4; ++i) {
      for (std::size_t d = 0; d < 2; ++d) {
        next[i][d] = 0.0;
        for (std::size_t j = 0; j < 4; ++j) next[i][d] += w.weight(i, j) * x[j][d];
        next[i][d] -= 0.1 * (x[i][d] - f.targets[i][d]);
      }
    }
    x = next;
  }
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t d = 0; d < 2; ++d) CHECK(f.snapshots.back()[i][d] == doctest::Approx(x[i][d]).epsilon(1e-5));
  }
  CHECK(protocol->steps_taken(0) == steps);  // its count followed the others, frozen
}

TEST_CASE("without a timeout the neighbours of a crashed agent wait for ever: the events run out") {
  BaselineFixture f(consensus("cdsgd", SimTime::zero()), ring_graph(5), 3, kLink);
  f.inject_faults(crashes({{SimTime::from_us(500), AgentId{2}, false}}));
  const auto protocol = f.start<SynchronousConsensus>(one_ms(), 10);
  f.simulation.run();
  CHECK(protocol->completed_steps() < 10);
}
