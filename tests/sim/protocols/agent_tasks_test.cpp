#include "sim/protocols/agent_tasks.h"

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/worker_pool.h"
#include "tests/sim/protocols/baseline_fixture.h"
#include "topologies/generators.h"

using namespace cdsim;
using namespace cdsim::testing;

namespace {

// Agent j minimizes 0.5 ||x - b_j||^2 from noisy gradients: x - b_j plus seeded noise drawn
// from the agent's own stream, one draw per coordinate per call, like a minibatch sampler.
// A protocol's results then depend on the order of each agent's calls, as with real learners.
class NoisyQuadraticLearner final : public LocalLearner {
 public:
  NoisyQuadraticLearner(std::vector<float> target, std::uint64_t agent)
      : target_(std::move(target)), noise_(5, agent, RngPurpose::kMinibatch) {}
  std::size_t parameter_count() const override { return target_.size(); }
  std::size_t steps_per_epoch() const override { return 4; }
  std::size_t shard_size() const override { return 4; }
  double compute_gradient(std::span<const float> parameters, std::span<float> gradient) override {
    double loss = 0.0;
    for (std::size_t i = 0; i < target_.size(); ++i) {
      const float residual = parameters[i] - target_[i];
      gradient[i] = residual + 0.3f * static_cast<float>(noise_.normal());
      loss += 0.5 * residual * residual;
    }
    return loss;
  }

 private:
  std::vector<float> target_;
  Rng noise_;
};

struct Case {
  std::string name;
  AlgorithmSpec algorithm;
  ComputeSpec compute;
};

std::vector<Case> every_protocol() {
  std::vector<Case> cases;
  ComputeSpec uneven;  // agents of different speeds that sometimes straggle
  uneven.speed_spread = 0.5;
  uneven.straggler_probability = 0.2;
  AlgorithmSpec a;
  a.learning_rate = 0.1;
  a.weight_decay = 0.01;
  a.batch_size = 1;
  a.kind = "cdsgd";
  cases.push_back({"cdsgd", a, ComputeSpec{}});
  a.kind = "cdmsgd";
  a.consensus_steps = 2;
  a.overlap_communication = true;
  cases.push_back({"cdmsgd, tau 2, overlapping", a, uneven});
  a.consensus_steps = 1;
  a.overlap_communication = false;
  a.kind = "async_cdsgd";
  cases.push_back({"async_cdsgd", a, uneven});
  a.kind = "sgd";
  cases.push_back({"sgd, parameter server", a, uneven});
  a.kind = "msgd";
  a.communication = "all_reduce";
  cases.push_back({"msgd, all-reduce", a, ComputeSpec{}});
  a.kind = "choco_sgd";
  a.consensus_step_size = 0.5;
  a.compression.kind = "qsgd";  // random: each agent's compressor stream advances too
  a.compression.levels = 4;
  cases.push_back({"choco_sgd, qsgd", a, uneven});
  a.compression = CompressorSpec{};
  a.kind = "fedavg";
  a.communication = "parameter_server";
  a.client_fraction = 0.6;
  a.local_epochs = 2.0;
  cases.push_back({"fedavg", a, uneven});
  return cases;
}

// Runs `c` for 12 steps on a 5-ring of noisy learners with the agents' math on `pool`
// (null: inline), observing every `observe_every`-th step, and returns every observed
// snapshot and the time of each.
std::pair<std::vector<std::vector<std::vector<float>>>, std::vector<SimTime>> run(const Case& c, WorkerPool* pool,
                                                                                 std::int64_t observe_every = 1) {
  BaselineFixture f(c.algorithm, ring_graph(5), 6,
                    LinkSpec{SimTime::from_us(300), Bandwidth::from_bits_per_second(10'000'000)});
  for (std::size_t j = 0; j < f.agents(); ++j) {
    f.learners[j] = std::make_unique<NoisyQuadraticLearner>(std::vector<float>(f.targets[j].begin(), f.targets[j].end()), j);
  }
  f.workers = pool;
  f.run(c.compute, 12, observe_every);
  return {f.snapshots, f.times};
}

}  // namespace

TEST_CASE("every protocol gives bit-identical snapshots with its math inline or on pools of 1, 2 and 4 threads") {
  for (const Case& c : every_protocol()) {
    CAPTURE(c.name);
    const auto reference = run(c, nullptr);
    REQUIRE(reference.first.size() == 13);  // steps 0..12
    CHECK(reference.first.front() != reference.first.back());
    for (std::size_t threads : {1, 2, 4}) {
      CAPTURE(threads);
      WorkerPool pool(threads);
      const auto pooled = run(c, &pool);
      CHECK(pooled.first == reference.first);
      CHECK(pooled.second == reference.second);
    }
  }
}

TEST_CASE(
    "synchronous consensus observed only at its first and last steps, so that the engine runs steps ahead of the "
    "math on the pool, gives bit-identical results inline and on pools of 1, 2 and 4 threads") {
  ComputeSpec uneven;
  uneven.speed_spread = 0.5;
  uneven.straggler_probability = 0.3;
  std::vector<Case> cases;
  AlgorithmSpec a;
  a.learning_rate = 0.1;
  a.batch_size = 1;
  a.kind = "cdsgd";
  cases.push_back({"cdsgd", a, uneven});
  a.kind = "cdmsgd_two_sequence";
  a.consensus_steps = 3;
  a.overlap_communication = true;
  cases.push_back({"cdmsgd two-sequence, tau 3, overlapping", a, uneven});
  a.kind = "cdmsgd";
  a.consensus_steps = 1;
  a.overlap_communication = false;
  a.timeout = SimTime::from_us(200);
  cases.push_back({"cdmsgd with a timeout", a, uneven});
  for (const Case& c : cases) {
    CAPTURE(c.name);
    const auto reference = run(c, nullptr, 12);
    REQUIRE(reference.first.size() == 2);  // steps 0 and 12
    CHECK(reference.first.front() != reference.first.back());
    for (std::size_t threads : {1, 2, 4}) {
      CAPTURE(threads);
      WorkerPool pool(threads);
      const auto pooled = run(c, &pool, 12);
      CHECK(pooled.first == reference.first);
      CHECK(pooled.second == reference.second);
    }
  }
}

TEST_CASE("an agent has at most one task outstanding, and finishing rethrows what the task threw") {
  WorkerPool pool(2);
  AgentTasks tasks(&pool, 3);
  int value = 0;
  tasks.start(1, [&] { value = 7; });
  CHECK_THROWS_AS(tasks.start(1, [] {}), std::logic_error);
  tasks.finish(1);
  CHECK(value == 7);
  tasks.finish(1);  // nothing outstanding: a no-op
  tasks.start(2, [] { throw std::runtime_error("gradient failed"); });
  CHECK_THROWS_WITH_AS(tasks.finish(2), "gradient failed", std::runtime_error);
  tasks.start(2, [&] { value = 9; });  // the agent is free again
  tasks.finish(2);
  CHECK(value == 9);
}

TEST_CASE("an agent's chained tasks run in dependency order, and limit waits for the oldest") {
  WorkerPool pool(2);
  AgentTasks tasks(&pool, 1);
  std::vector<int> order;
  WorkerPool::Dependency previous;
  for (int i = 0; i < 5; ++i) {
    const WorkerPool::Dependency after[] = {previous};
    previous = tasks.start_after(0, [&order, i] { order.push_back(i); }, after);
  }
  tasks.limit(0, 2);
  CHECK(order.size() >= 3);
  tasks.finish(0);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("without a pool an agent's task runs at once") {
  AgentTasks tasks(nullptr, 2);
  int value = 0;
  tasks.start(0, [&] { value = 3; });
  CHECK(value == 3);
  tasks.finish(0);
}
