// CHOCO-SGD under faults: a receiver whose copy of a neighbour's public copy is not at the
// step (its q lost, or stale since) mixes without it, the weight on itself; a stale copy
// asks for the sender's whole public copy, which comes at the sender's next step; a crashed
// agent keeps x and x_hat frozen. Checked against CHOCO's recurrence with top-k computed in
// the test, the neighbours each agent goes without read off the timeline the faults make.
#include <doctest/doctest.h>

#include <set>
#include <tuple>
#include <vector>

#include "sim/protocols/choco_sgd.h"
#include "tests/sim/protocols/baseline_fixture.h"
#include "tests/sim/protocols/top_k_reference.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::top_k_reference;
using testing::Vector;

namespace {

const LinkSpec kLink{SimTime::from_us(100), Bandwidth::from_bits_per_second(1'000'000'000)};
constexpr double kAlpha = 0.1;
constexpr double kGamma = 0.5;
constexpr std::size_t kTopK = 2;

// Receiver i mixed step k without sender j.
using Without = std::set<std::tuple<std::size_t, std::int64_t, std::size_t>>;
// Agent i at step k.
using AgentSteps = std::set<std::pair<std::size_t, std::int64_t>>;

}  // namespace

TEST_CASE("CHOCO-SGD with a lost q and a crash follows its recurrence, stale copies left out until a whole copy comes") {
  AlgorithmSpec algorithm;
  algorithm.kind = "choco_sgd";
  algorithm.learning_rate = kAlpha;
  algorithm.consensus_step_size = kGamma;
  algorithm.compression.kind = "top_k";
  algorithm.compression.count = kTopK;
  algorithm.timeout = SimTime::from_ms(2);
  // Agents send q at the start of a step and compute for 10 ms, so a vector from an agent a
  // few milliseconds behind still comes before its receiver is ready (see the timeline).
  algorithm.overlap_communication = true;
  BaselineFixture f(algorithm, ring_graph(5), 4, kLink);
  FaultSchedule faults;
  // Link 0-1 is down over step 2 (20 ms): q_0(2) and q_1(2) are lost; 0 and 1 time out at
  // 32 ms. Step 3's q from the other arrives in step 3 and cannot be applied (a gap): the
  // copies are stale, left out without waiting; each flags its step-4 message, and each
  // answers at step 5 with its whole x_hat, used at step 5.
  faults.links = {{SimTime::from_ms(15), AgentId{0}, AgentId{1}, false},
                  {SimTime::from_ms(25), AgentId{0}, AgentId{1}, true}};
  // Agent 3 crashes at 65 ms, after q_3(6) reached 2 and 4: its step 6 is dropped (x_3
  // frozen from then, x_hat_3 moved by q_3(6)), steps 7 and 8 frozen whole; 2 and 4 time
  // out on it at 7 and 8 (ending them 2 ms late each time). It recovers at 97 ms, after
  // every agent began step 9 (2 and 4 at 94 ms): its q_3(9) reaches 2 and 4 but is a gap,
  // and their step-9 q to it were lost: it times out. Their flagged step-10 messages make
  // it send its whole copy at step 10 (used by them at 10); its own flagged step-10
  // messages get it their whole copies at step 11.
  faults.agents = {{SimTime::from_ms(65), AgentId{3}, false}, {SimTime::from_ms(97), AgentId{3}, true}};
  f.inject_faults(faults);
  const std::int64_t steps = 14;
  const auto protocol = f.run<ChocoSgd>([] {
    ComputeSpec compute;
    compute.step_time = SimTime::from_ms(10);
    return compute;
  }(), steps);

  Without without;
  for (std::int64_t k : {2, 3, 4}) {
    without.insert({0, k, 1});
    without.insert({1, k, 0});
  }
  for (std::int64_t k : {7, 8, 9}) {
    without.insert({2, k, 3});
    without.insert({4, k, 3});
  }
  for (std::int64_t k : {9, 10}) {
    without.insert({3, k, 2});
    without.insert({3, k, 4});
  }
  const AgentSteps frozen = {{3, 6}, {3, 7}, {3, 8}};
  const AgentSteps public_copy_frozen = {{3, 7}, {3, 8}};

  const std::size_t n = f.agents(), d = f.dimension();
  std::vector<Vector> x(n, Vector(f.initial.begin(), f.initial.end()));
  std::vector<Vector> x_hat(n, Vector(d, 0.0));
  REQUIRE(f.snapshots.size() == static_cast<std::size_t>(steps + 1));
  for (std::int64_t k = 0; k < steps; ++k) {
    for (std::size_t j = 0; j < n; ++j) {
      if (public_copy_frozen.count({j, k}) != 0) continue;
      Vector difference(d);
      for (std::size_t i = 0; i < d; ++i) difference[i] = x[j][i] - x_hat[j][i];
      const Vector q = top_k_reference(difference, kTopK);
      for (std::size_t i = 0; i < d; ++i) x_hat[j][i] += q[i];
    }
    std::vector<Vector> next = x;
    for (std::size_t j = 0; j < n; ++j) {
      if (frozen.count({j, k}) != 0) continue;
      for (const auto& entry : f.mixing.row(j)) {
        if (without.count({j, k, entry.column}) != 0) continue;  // x_hat_l taken as x_hat_j: no term
        for (std::size_t i = 0; i < d; ++i) next[j][i] += kGamma * entry.weight * (x_hat[entry.column][i] - x_hat[j][i]);
      }
      for (std::size_t i = 0; i < d; ++i) next[j][i] -= kAlpha * (x[j][i] - f.targets[j][i]);
    }
    x = next;
    CAPTURE(k);
    const auto& observed = f.snapshots[static_cast<std::size_t>(k + 1)];
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < d; ++i) CHECK(observed[j][i] == doctest::Approx(x[j][i]).epsilon(1e-4).scale(1.0));
    }
  }
  // 1 <-> 0 at step 5; 3 -> 2, 4 at step 10; 2, 4 -> 3 at step 11.
  CHECK(protocol->whole_copies_sent() == 6);
  // Steps mixed without some neighbour: 0 and 1 three each, 2 and 4 three each, 3 two.
  CHECK(protocol->waiting().timeouts == 14);
  CHECK(protocol->waiting().late_messages == 0);
  const LossStats& lost = f.faulty->losses();
  CHECK(lost.messages_lost_link_down == 2);
  CHECK(lost.messages_lost_agent_down == 6);  // 2 -> 3 and 4 -> 3 at steps 7, 8, 9
  CHECK(lost.messages_lost() == 8);
}
