// Synchronous consensus on a time-varying topology with faults: step k mixes with the
// schedule's W_k, and the timeout rule applies to that step's neighbours only; a crashed
// agent keeps its parameters frozen and resumes from them. Checked against the recurrence
// x_i <- sum_{j heard} W_k[i][j] x_j + (W_k[i][i] + sum_{j missed} W_k[i][j]) x_i - a (x_i - b_i)
// on quadratic agents, with the missed messages read off the timeline the faults make.
#include <doctest/doctest.h>

#include <set>
#include <tuple>
#include <vector>

#include "sim/protocols/synchronous_consensus.h"
#include "tests/sim/protocols/baseline_fixture.h"
#include "topologies/mixing_schedule.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kLink{SimTime::from_us(100), Bandwidth::from_bits_per_second(1'000'000'000)};
constexpr double kLearningRate = 0.1;

AlgorithmSpec overlapping_cdsgd(SimTime timeout) {
  AlgorithmSpec algorithm;
  algorithm.kind = "cdsgd";
  algorithm.learning_rate = kLearningRate;
  algorithm.timeout = timeout;
  // Agents send at the start of a step and compute for 10 ms: a vector from an agent a few
  // milliseconds behind (one that timed out) still arrives before its receiver is ready, so
  // a timeout delays no one else and the missed messages are exactly those the faults take.
  algorithm.overlap_communication = true;
  return algorithm;
}

ComputeSpec ten_ms() {
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(10);
  return compute;
}

// Receiver i missed sender j's vector at step k.
using Missed = std::set<std::tuple<std::size_t, std::int64_t, std::size_t>>;
// Agent i was crashed during step k (its parameters frozen through it).
using Frozen = std::set<std::pair<std::size_t, std::int64_t>>;

// The recurrence over `steps` steps of `schedule`, from the fixture's start and targets,
// checked against every observed snapshot.
void check_recurrence(const BaselineFixture& f, const MixingSchedule& schedule, std::int64_t steps,
                      const Missed& missed, const Frozen& frozen) {
  const std::size_t n = f.agents();
  const std::size_t d = f.dimension();
  REQUIRE(f.snapshots.size() == static_cast<std::size_t>(steps + 1));
  std::vector<Vector> x(n, Vector(f.initial.begin(), f.initial.end()));
  for (std::int64_t k = 0; k < steps; ++k) {
    const MixingMatrix& w = schedule.at(k);
    std::vector<Vector> next = x;
    for (std::size_t i = 0; i < n; ++i) {
      if (frozen.count({i, k}) != 0) continue;
      double self = w.weight(i, i);
      for (std::size_t j = 0; j < n; ++j) {
        if (j != i && missed.count({i, k, j}) != 0) self += w.weight(i, j);
      }
      for (std::size_t c = 0; c < d; ++c) {
        double value = self * x[i][c];
        for (std::size_t j = 0; j < n; ++j) {
          if (j != i && missed.count({i, k, j}) == 0) value += w.weight(i, j) * x[j][c];
        }
        next[i][c] = value - kLearningRate * (x[i][c] - f.targets[i][c]);
      }
    }
    x = next;
    CAPTURE(k);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t c = 0; c < d; ++c) {
        CHECK(f.snapshots[static_cast<std::size_t>(k + 1)][i][c] == doctest::Approx(x[i][c]).epsilon(1e-5));
      }
    }
  }
}

}  // namespace

TEST_CASE("one-peer exponential with a lost message and a crash follows the timeout recurrence of each step's W_k") {
  // N = 4, period 2: even steps agent i hears from i - 1, odd steps i and i + 2 pair up.
  const MixingSchedule schedule = one_peer_exponential_schedule(4);
  BaselineFixture f(overlapping_cdsgd(SimTime::from_ms(2)), schedule.union_graph, 3, kLink);
  f.schedule = &schedule;
  FaultSchedule faults;
  // Link 0-1 is down over step 2 (it starts at 20 ms): 0's vector to 1 is lost, 1 times
  // out at 32 ms and stays 2 ms behind. Link 0-1 is not used at odd steps.
  faults.links = {{SimTime::from_ms(15), AgentId{0}, AgentId{1}, false},
                  {SimTime::from_ms(25), AgentId{0}, AgentId{1}, true}};
  // Agent 2 crashes at 45 ms, in step 4, after its step-4 vector reached agent 3: that step
  // is dropped, and steps 4-6 finish with x_2 frozen. Its partners time out on it: agent 0
  // at step 5, agent 3 at step 6. It recovers at 77 ms, after every agent has begun step 7
  // (the latest at 72 ms), so it resumes at step 7 from x_2(4): its vector reaches agent 0
  // in time, while agent 0's step-7 vector, sent at 72 ms, was lost to the crash.
  faults.agents = {{SimTime::from_ms(45), AgentId{2}, false}, {SimTime::from_ms(77), AgentId{2}, true}};
  f.inject_faults(faults);
  const std::int64_t steps = 12;
  const auto protocol = f.run<SynchronousConsensus>(ten_ms(), steps);

  const Missed missed = {{1, 2, 0}, {0, 5, 2}, {3, 6, 2}, {2, 7, 0}};
  const Frozen frozen = {{2, 4}, {2, 5}, {2, 6}};
  check_recurrence(f, schedule, steps, missed, frozen);
  // The messages lost: 0 -> 1 at step 2 on the down link, and those sent to the crashed
  // agent 2 (by 0 at step 5, 1 at step 6, 0 at step 7).
  const LossStats& lost = f.faulty->losses();
  CHECK(lost.messages_lost_link_down == 1);
  CHECK(lost.messages_lost_agent_down == 3);
  CHECK(lost.messages_lost() == 4);
  CHECK(protocol->waiting().timeouts == missed.size());
  CHECK(protocol->waiting().late_messages == 0);
  // One message per up agent per step: 4 * 12, less agent 2's steps 4-6 (it sent at step 4
  // before crashing).
  CHECK(f.faulty->stats().messages_sent == 4 * steps - 2);
}

TEST_CASE("random matchings with a link down for good: the pair mixes alone only at the steps it is matched") {
  const std::size_t n = 6;
  const MixingSchedule schedule = random_matching_schedule(n, 5, 3);
  BaselineFixture f(overlapping_cdsgd(SimTime::from_ms(1)), schedule.union_graph, 2, kLink);
  f.schedule = &schedule;
  // The pair matched at step 0, cut from the start.
  std::size_t a = 0;
  std::size_t b = 0;
  for (const MixingMatrix::Entry& entry : schedule.at(0).row(0)) {
    if (entry.column != 0) b = entry.column;
  }
  REQUIRE(b != 0);
  FaultSchedule faults;
  faults.links = {{SimTime::zero(), AgentId{static_cast<std::uint32_t>(a)}, AgentId{static_cast<std::uint32_t>(b)}, false}};
  f.inject_faults(faults);
  const std::int64_t steps = 8;
  const auto protocol = f.run<SynchronousConsensus>(ten_ms(), steps);

  Missed missed;
  for (std::int64_t k = 0; k < steps; ++k) {
    if (schedule.at(k).weight(a, b) > 0.0) {
      missed.insert({a, k, b});
      missed.insert({b, k, a});
    }
  }
  REQUIRE(missed.size() >= 2);
  check_recurrence(f, schedule, steps, missed, {});
  // Step 0's pair of vectors left at time 0, just before the link went down: lost in
  // flight; the later ones are lost on the down link.
  CHECK(f.faulty->losses().messages_lost_in_flight == 2);
  CHECK(f.faulty->losses().messages_lost() == missed.size());
  CHECK(protocol->waiting().timeouts == missed.size());
}
