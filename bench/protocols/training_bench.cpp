// Training throughput of a whole protocol on the worker pool: CDSGD, 5 agents on a ring,
// the MLP 784-128-10, batch 128, Fashion-MNIST (the Debian dataset), no evaluation, with the
// agents' math on a pool of 1 or 2 threads. items_per_second is training samples per
// wall-clock second (5 agents x 128 samples a step); the target is >= 1.7x from 1 to 2
// threads and >= 250k samples/s with 2, on an otherwise idle 2-core machine.
// Run: build/bench/bench/cdsim_bench_training --benchmark_repetitions=5
//        --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
// (interleaving puts the 1- and 2-thread repetitions side by side in time, so that load from
// elsewhere on the machine hits both alike; quote the medians and their ratio.)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/data_loader.h"
#include "core/minibatch_sampler.h"
#include "core/model.h"
#include "core/partition.h"
#include "core/rng.h"
#include "core/worker_pool.h"
#include "sim/point_to_point_network.h"
#include "sim/protocols/compute_model.h"
#include "sim/protocols/local_learner.h"
#include "sim/protocols/synchronous_consensus.h"
#include "sim/simulation.h"
#include "topologies/generators.h"
#include "topologies/mixing_matrix.h"

namespace {

constexpr std::size_t kAgents = 5;
constexpr std::size_t kBatch = 128;
constexpr std::int64_t kSteps = 60;

struct Workload {
  Workload() : data(load_data(fashion_spec(), 1)), shards(partition(data.train, kAgents, cdsim::PartitionSpec{}, 1)) {
    model.kind = "mlp";
    model.hidden = {128};
  }
  static cdsim::DataSpec fashion_spec() {
    cdsim::DataSpec spec;
    spec.source = "fashion_mnist";
    return spec;
  }
  cdsim::TrainTestData data;
  cdsim::Shards shards;
  cdsim::ModelSpec model;
};

void cdsgd_mlp_fashion(benchmark::State& state) {
  static const Workload workload;  // loaded once for every run of this benchmark
  const cdsim::Graph ring = cdsim::ring_graph(kAgents);
  const cdsim::MixingMatrix mixing = cdsim::build_mixing_matrix(ring, cdsim::MixingSpec{});
  std::vector<cdsim::PointToPointNetwork::Edge> edges;
  for (const auto& [u, v] : ring.edges()) {
    edges.emplace_back(cdsim::AgentId{static_cast<std::uint32_t>(u)}, cdsim::AgentId{static_cast<std::uint32_t>(v)});
  }
  cdsim::AlgorithmSpec algorithm;
  algorithm.kind = "cdsgd";
  algorithm.batch_size = kBatch;
  cdsim::WorkerPool pool(static_cast<std::size_t>(state.range(0)));
  std::vector<float> initial(cdsim::make_model(workload.model, workload.data.train)->parameter_count());
  cdsim::Rng init(1, 0, cdsim::RngPurpose::kInitialization);
  cdsim::make_model(workload.model, workload.data.train)->initialize(initial, init);

  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::unique_ptr<cdsim::LocalLearner>> learners;
    for (std::size_t j = 0; j < kAgents; ++j) {
      learners.push_back(std::make_unique<cdsim::ModelLearner>(
          cdsim::make_model(workload.model, workload.data.train), workload.data.train,
          cdsim::MinibatchSampler(workload.shards[j], kBatch, cdsim::Rng(1, j, cdsim::RngPurpose::kMinibatch)),
          cdsim::Rng(1, j, cdsim::RngPurpose::kDropout)));
    }
    cdsim::Simulation simulation(1);
    cdsim::PointToPointNetwork network(
        simulation, kAgents, edges,
        cdsim::LinkSpec{cdsim::SimTime::from_us(100), cdsim::Bandwidth::from_bits_per_second(1'000'000'000)});
    cdsim::ComputeModel compute(cdsim::ComputeSpec{}, kAgents, 0.0, kBatch, 1);
    cdsim::ProtocolContext context{simulation, network,  mixing, learners, initial, initial.size(),
                                   algorithm,  compute, kSteps, kSteps, [](const cdsim::StepSnapshot&) {}};
    context.workers = &pool;
    cdsim::SynchronousConsensus protocol(context);
    state.ResumeTiming();
    protocol.start();
    simulation.run();
    benchmark::DoNotOptimize(protocol.parameters(0).data());
  }
  state.SetItemsProcessed(state.iterations() * kSteps * static_cast<std::int64_t>(kAgents * kBatch));
  state.counters["threads"] = static_cast<double>(state.range(0));
}
BENCHMARK(cdsgd_mlp_fashion)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
