// The communication-only ring replay in cdsim, through its C++ API (the counterpart of
// simgrid_ring_replay.cpp): CDSGD on a ring of N agents for R steps, every agent a learner
// with P parameters and a zero gradient (so no data and no model, though the protocol still
// mixes its P-float vectors), compute time C per step, point-to-point links of latency L
// and bandwidth B, no evaluation but the first and last steps' snapshots. Prints the makespan
// and the message size, which the wire schema gives (it varies by a byte or two with the
// agents' ids and the round, so simgrid_ring_replay sizes each message the same way).
// Usage: cdsim_bench_ring_replay N R P C_NS L_NS B_BITS_PER_SECOND
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "sim/point_to_point_network.h"
#include "sim/protocols/compute_model.h"
#include "sim/protocols/local_learner.h"
#include "sim/protocols/synchronous_consensus.h"
#include "sim/protocols/wire_size.h"
#include "sim/simulation.h"
#include "topologies/generators.h"
#include "topologies/mixing_matrix.h"

namespace {

// A learner with P parameters whose gradient is zero: the protocol's traffic without the math.
class NullLearner final : public cdsim::LocalLearner {
 public:
  explicit NullLearner(std::size_t parameters) : parameters_(parameters) {}
  std::size_t parameter_count() const override { return parameters_; }
  std::size_t steps_per_epoch() const override { return 1; }
  std::size_t shard_size() const override { return 1; }
  double compute_gradient(std::span<const float>, std::span<float> gradient) override {
    std::fill(gradient.begin(), gradient.end(), 0.0f);
    return 0.0;
  }

 private:
  std::size_t parameters_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s N R P C_NS L_NS B_BITS_PER_SECOND\n", argv[0]);
    return 2;
  }
  const std::size_t agents = std::strtoull(argv[1], nullptr, 10);
  const std::int64_t rounds = std::strtoll(argv[2], nullptr, 10);
  const std::size_t parameters = std::strtoull(argv[3], nullptr, 10);
  cdsim::ComputeSpec compute_spec;
  compute_spec.step_time = cdsim::SimTime::from_ns(std::strtoll(argv[4], nullptr, 10));
  const cdsim::LinkSpec link{cdsim::SimTime::from_ns(std::strtoll(argv[5], nullptr, 10)),
                             cdsim::Bandwidth::from_bits_per_second(std::strtoll(argv[6], nullptr, 10))};
  if (agents < 3) {
    std::fprintf(stderr, "a ring needs at least 3 agents\n");
    return 2;
  }
  const cdsim::Graph ring = cdsim::ring_graph(agents);
  const cdsim::MixingMatrix mixing = cdsim::build_mixing_matrix(ring, cdsim::MixingSpec{});
  std::vector<cdsim::PointToPointNetwork::Edge> edges;
  for (const auto& [u, v] : ring.edges()) {
    edges.emplace_back(cdsim::AgentId{static_cast<std::uint32_t>(u)}, cdsim::AgentId{static_cast<std::uint32_t>(v)});
  }
  std::vector<std::unique_ptr<cdsim::LocalLearner>> learners;
  for (std::size_t j = 0; j < agents; ++j) learners.push_back(std::make_unique<NullLearner>(parameters));
  const std::vector<float> initial(parameters, 0.0f);
  cdsim::AlgorithmSpec algorithm;
  algorithm.kind = "cdsgd";
  cdsim::Simulation simulation(1);
  cdsim::PointToPointNetwork network(simulation, agents, edges, link);
  cdsim::ComputeModel compute(compute_spec, agents, 0.0, algorithm.batch_size, 1);
  cdsim::ProtocolContext context{simulation, network, mixing, learners, initial, algorithm, compute,
                                 rounds, rounds, [](const cdsim::StepSnapshot&) {}};
  cdsim::SynchronousConsensus protocol(context);
  protocol.start();
  simulation.run();
  if (protocol.completed_steps() != rounds) {
    std::fprintf(stderr, "the replay stopped after %lld of %lld rounds\n",
                 static_cast<long long>(protocol.completed_steps()), static_cast<long long>(rounds));
    return 1;
  }
  const cdsim::ByteCount message = cdsim::parameter_message_size(cdsim::AgentId{0}, cdsim::AgentId{1}, 0,
                                                                 cdsim::PayloadKind::kParameters, parameters);
  std::printf("makespan_ns %lld\nmessage_bytes %lld\nevents %llu\n", static_cast<long long>(simulation.now().ns()),
              static_cast<long long>(message.bytes()), static_cast<unsigned long long>(simulation.events_executed()));
  return 0;
}
