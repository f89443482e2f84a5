// Throughput of the discrete-event engine, in events per second (items_per_second):
//   schedule_and_run: schedule 1M events at random times into an empty Simulation, then run
//                     them all (heap growth, 1M pending, then drain);
//   hold:             the classic "hold" model - a steady population of pending events,
//                     each one scheduling a successor at a random delay when it runs;
//   point_to_point:   messages bouncing around a ring network, one event per message;
//   shared_links:     messages per second through a SharedLinkNetwork (32 flows at a switch);
//   switch_complete64: 64 agents of a complete graph behind one switch exchanging 40 KB
//                     vectors in rounds (4,032 concurrent flows, senders a few us apart).
//   replay_ring:      a communication-only CDSGD replay (model.kind "none") on a ring of
//                     4,096 agents for 100 rounds, 819,200 messages, with 34-byte messages
//                     (P = 2) and 400 KB ones (P = 100,000): messages per CPU second of the
//                     whole run, setup (graph, mixing matrix, network, protocol) included.
//                     Target: >= 8M messages per CPU second whatever the size.
// Run: build/<dir>/bench/cdsim_bench_engine --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true   (the median row is the figure to quote)
// Rates are per CPU second of this (single-threaded) process, so that other load on the
// machine inflates them less than wall-clock rates would.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "sim/point_to_point_network.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/wire_size.h"
#include "sim/shared_link_network.h"
#include "sim/simulation.h"
#include "topologies/generators.h"
#include "topologies/mixing_matrix.h"

namespace {

constexpr std::int64_t kMillion = 1'000'000;

std::vector<std::int64_t> random_times(std::int64_t count, std::uint64_t horizon_ns) {
  cdsim::Rng rng(1, 0, cdsim::RngPurpose::kData);
  std::vector<std::int64_t> times(static_cast<std::size_t>(count));
  for (std::int64_t& t : times) t = static_cast<std::int64_t>(rng.uniform_index(horizon_ns));
  return times;
}

void schedule_and_run(benchmark::State& state) {
  const std::vector<std::int64_t> times = random_times(kMillion, 1'000'000'000);
  std::uint64_t executed = 0;
  for (auto _ : state) {
    cdsim::Simulation sim(1);
    std::uint64_t counter = 0;
    for (const std::int64_t t : times) sim.schedule_at(cdsim::SimTime::from_ns(t), [&counter] { ++counter; });
    sim.run();
    benchmark::DoNotOptimize(counter);
    executed += sim.events_executed();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(executed));
}
BENCHMARK(schedule_and_run)->Unit(benchmark::kMillisecond);

// Each event reschedules itself after a delay drawn from a precomputed table.
struct HoldEvent {
  cdsim::Simulation* sim;
  const std::vector<std::int64_t>* delays;
  std::size_t* next_delay;
  std::int64_t* remaining;
  void operator()() const {
    if (--*remaining <= 0) return;
    const std::int64_t delay = (*delays)[(*next_delay)++ % delays->size()];
    sim->schedule_after(cdsim::SimTime::from_ns(delay), *this);
  }
};

void hold(benchmark::State& state) {
  const std::int64_t population = state.range(0);
  const std::vector<std::int64_t> delays = random_times(1 << 16, 1'000'000);
  std::uint64_t executed = 0;
  for (auto _ : state) {
    cdsim::Simulation sim(1);
    std::size_t next_delay = 0;
    std::int64_t remaining = kMillion;
    for (std::int64_t i = 0; i < population; ++i) {
      sim.schedule_at(cdsim::SimTime::from_ns(delays[static_cast<std::size_t>(i) % delays.size()]),
                      HoldEvent{&sim, &delays, &next_delay, &remaining});
    }
    sim.run();
    executed += sim.events_executed();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(executed));
}
BENCHMARK(hold)->Arg(16)->Arg(1024)->Arg(65536)->Unit(benchmark::kMillisecond);

void point_to_point(benchmark::State& state) {
  constexpr std::uint32_t kNodes = 16;
  std::vector<cdsim::PointToPointNetwork::Edge> ring;
  for (std::uint32_t i = 0; i < kNodes; ++i) ring.emplace_back(cdsim::AgentId{i}, cdsim::AgentId{(i + 1) % kNodes});
  const cdsim::LinkSpec spec{cdsim::SimTime::from_us(10), cdsim::Bandwidth::from_bits_per_second(1'000'000'000)};
  std::uint64_t delivered = 0;
  for (auto _ : state) {
    cdsim::Simulation sim(1);
    cdsim::PointToPointNetwork network(sim, kNodes, ring, spec);
    std::int64_t remaining = kMillion;
    network.set_delivery_handler([&](cdsim::Message&& m) {
      if (--remaining < static_cast<std::int64_t>(kNodes)) return;
      std::swap(m.from, m.to);
      m.to = cdsim::AgentId{(m.from.value + 1) % kNodes};
      network.send(std::move(m));
    });
    for (std::uint32_t i = 0; i < kNodes; ++i) {
      cdsim::Message message;
      message.from = cdsim::AgentId{i};
      message.to = cdsim::AgentId{(i + 1) % kNodes};
      message.size = cdsim::ByteCount{1500};
      network.send(std::move(message));
    }
    sim.run();
    delivered += network.stats().messages_delivered;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
}
BENCHMARK(point_to_point)->Unit(benchmark::kMillisecond);

// `agents` hosts each joined to one switch (node `agents`) by a 10 us, 1 Gbit/s link.
std::vector<cdsim::SharedLinkNetwork::PhysicalLink> switch_star(std::uint32_t agents) {
  const cdsim::AgentId hub{agents};
  const cdsim::LinkSpec spec{cdsim::SimTime::from_us(10), cdsim::Bandwidth::from_bits_per_second(1'000'000'000)};
  std::vector<cdsim::SharedLinkNetwork::PhysicalLink> star;
  for (std::uint32_t i = 0; i < agents; ++i) star.push_back({cdsim::AgentId{i}, hub, spec});
  return star;
}

// 32 agents behind one switch, each forwarding what it receives to its ring successor, so
// that 32 flows share the switch's links at all times (rates recomputed on every change).
void shared_links(benchmark::State& state) {
  constexpr std::uint32_t kAgents = 32;
  constexpr std::int64_t kMessages = 100'000;
  const std::vector<cdsim::SharedLinkNetwork::PhysicalLink> star = switch_star(kAgents);
  std::uint64_t delivered = 0;
  for (auto _ : state) {
    cdsim::Simulation sim(1);
    cdsim::SharedLinkNetwork network(sim, kAgents + 1, star);
    std::int64_t remaining = kMessages;
    network.set_delivery_handler([&](cdsim::Message&& m) {
      if (--remaining < static_cast<std::int64_t>(kAgents)) return;
      m.from = m.to;
      m.to = cdsim::AgentId{(m.from.value + 1) % kAgents};
      network.send(std::move(m));
    });
    cdsim::Rng rng(1, 0, cdsim::RngPurpose::kData);
    for (std::uint32_t i = 0; i < kAgents; ++i) {
      cdsim::Message message;
      message.from = cdsim::AgentId{i};
      message.to = cdsim::AgentId{(i + 1) % kAgents};
      message.size = cdsim::ByteCount{1000 + static_cast<std::int64_t>(rng.uniform_index(100'000))};
      network.send(std::move(message));
    }
    sim.run();
    delivered += network.stats().messages_delivered;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
}
BENCHMARK(shared_links)->Unit(benchmark::kMillisecond);

// The traffic of synchronous consensus on a complete graph of 64 agents behind one switch:
// each round every agent sends 40 KB to the 63 others, its sends a few microseconds after
// the previous agent's (as compute jitter spreads them), and the next round starts when
// everything has arrived. Rates change on every one of the 4,032 sends and completions.
void switch_complete64(benchmark::State& state) {
  constexpr std::uint32_t kAgents = 64;
  constexpr int kRounds = 5;
  const std::vector<cdsim::SharedLinkNetwork::PhysicalLink> star = switch_star(kAgents);
  std::uint64_t delivered = 0;
  for (auto _ : state) {
    cdsim::Simulation sim(1);
    cdsim::SharedLinkNetwork network(sim, kAgents + 1, star);
    std::uint64_t outstanding = 0;
    int round = 0;
    std::function<void()> start_round = [&] {
      for (std::uint32_t i = 0; i < kAgents; ++i) {
        sim.schedule_after(cdsim::SimTime::from_ns(3'000 * i), [&, i] {
          for (std::uint32_t j = 0; j < kAgents; ++j) {
            if (j == i) continue;
            cdsim::Message message;
            message.from = cdsim::AgentId{i};
            message.to = cdsim::AgentId{j};
            message.size = cdsim::ByteCount{40'000};
            message.round = round;
            ++outstanding;
            network.send(std::move(message));
          }
        });
      }
    };
    network.set_delivery_handler([&](cdsim::Message&&) {
      if (--outstanding == 0 && ++round < kRounds) start_round();
    });
    start_round();
    sim.run();
    delivered += network.stats().messages_delivered;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
}
BENCHMARK(switch_complete64)->Unit(benchmark::kMillisecond);

void replay_ring(benchmark::State& state) {
  constexpr std::size_t kAgents = 4096;
  constexpr std::int64_t kRounds = 100;
  const auto parameters = static_cast<std::size_t>(state.range(0));
  cdsim::AlgorithmSpec algorithm;  // cdsgd
  cdsim::ComputeSpec compute_spec;
  compute_spec.step_time = cdsim::SimTime::from_ms(5);
  const cdsim::LinkSpec link{cdsim::SimTime::from_ms(1), cdsim::Bandwidth::from_bits_per_second(10'000'000'000)};
  const std::vector<float> no_parameters;
  std::uint64_t messages = 0;
  for (auto _ : state) {
    const cdsim::Graph ring = cdsim::ring_graph(kAgents);
    const cdsim::MixingMatrix mixing = cdsim::build_mixing_matrix(ring, cdsim::MixingSpec{});
    cdsim::Simulation sim(1);
    const cdsim::ProtocolLinks links = cdsim::protocol_links(algorithm, ring);
    cdsim::PointToPointNetwork network(sim, links.node_count, links.edges, link);
    std::vector<std::unique_ptr<cdsim::LocalLearner>> learners;
    for (std::size_t j = 0; j < kAgents; ++j) {
      learners.push_back(std::make_unique<cdsim::ReplayLearner>(algorithm.batch_size));
    }
    cdsim::ComputeModel compute(compute_spec, kAgents, 0.0, algorithm.batch_size, 1);
    cdsim::ProtocolContext context{sim,     network, mixing,  learners, no_parameters, parameters,
                                   algorithm, compute, kRounds, kRounds, nullptr};
    const std::unique_ptr<cdsim::Protocol> protocol = cdsim::make_protocol(context);
    protocol->start();
    sim.run();
    if (protocol->completed_steps() != kRounds) state.SkipWithError("the replay did not finish");
    messages += network.stats().messages_sent;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(messages));
  state.counters["message_bytes"] = static_cast<double>(
      cdsim::parameter_message_size(cdsim::AgentId{0}, cdsim::AgentId{1}, 0, cdsim::PayloadKind::kParameters,
                                    parameters)
          .bytes());
}
BENCHMARK(replay_ring)->Arg(2)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
