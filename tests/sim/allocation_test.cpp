// Checks that the engine's hot path does not touch the heap once warmed up. The test
// replaces the global operator new of this test program to count allocations (the one
// place where a file-scope counter is the point).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/compressor.h"
#include "core/error_feedback.h"
#include "core/rng.h"
#include "core/worker_pool.h"
#include "sim/point_to_point_network.h"
#include "sim/protocols/synchronous_consensus.h"
#include "tests/sim/protocols/baseline_fixture.h"
#include "sim/simulation.h"

namespace {
// Atomic: the worker pool's threads allocate too, if anything does.
std::atomic<std::uint64_t> allocation_count = 0;

void* counted_allocation(std::size_t size) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

void* counted_allocation_or_null(std::size_t size) noexcept {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}

void* counted_aligned_allocation(std::size_t size, std::align_val_t alignment) {
  allocation_count.fetch_add(1, std::memory_order_relaxed);
  const auto align = static_cast<std::size_t>(alignment);
  // aligned_alloc wants a size that is a multiple of the alignment.
  if (void* memory = std::aligned_alloc(align, (std::max<std::size_t>(size, 1) + align - 1) / align * align)) {
    return memory;
  }
  throw std::bad_alloc();
}
}  // namespace

// The replacements below must come as a complete set, or a pair of allocation and
// deallocation could mix the replaced and the library's versions. The aligned forms count
// the event queue's callback chunks (64-byte aligned).
void* operator new(std::size_t size, std::align_val_t alignment) { return counted_aligned_allocation(size, alignment); }
void* operator new[](std::size_t size, std::align_val_t alignment) { return counted_aligned_allocation(size, alignment); }
void operator delete(void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }

void* operator new(std::size_t size) { return counted_allocation(size); }
void* operator new[](std::size_t size) { return counted_allocation(size); }
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete[](void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete[](void* memory, std::size_t) noexcept { std::free(memory); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_allocation_or_null(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_allocation_or_null(size); }
void operator delete(void* memory, const std::nothrow_t&) noexcept { std::free(memory); }
void operator delete[](void* memory, const std::nothrow_t&) noexcept { std::free(memory); }

using cdsim::AgentId;
using cdsim::SimTime;

namespace {

// An event that reschedules itself forever with a varying delay.
struct Ticker {
  cdsim::Simulation* sim;
  std::int64_t delay_ns;
  void operator()() const { sim->schedule_after(SimTime::from_ns(delay_ns), Ticker{sim, delay_ns % 97 + 1}); }
};

}  // namespace

TEST_CASE("the allocation counter sees allocations") {
  const std::uint64_t before = allocation_count;
  auto probe = std::make_unique<std::int64_t>(1);
  CHECK(allocation_count - before == 1);
}

TEST_CASE("scheduling and running events allocates nothing once the queue has grown") {
  cdsim::Simulation sim(1);
  for (std::int64_t i = 0; i < 100; ++i) sim.schedule_at(SimTime::from_ns(i), Ticker{&sim, 3 * i + 1});
  // Warm-up: the vectors reach their steady size. Each recycled bucket keeps the array of
  // the largest batch of equal-time events it has held, so this takes a few thousand
  // buckets' reuse (allocations in successive 10 us windows here: 67, 7, 6, 4, 4, 4, 2, 3,
  // 2, then none).
  sim.run_until(SimTime::from_us(100));
  const std::uint64_t events_before = sim.events_executed();
  const std::uint64_t allocations_before = allocation_count;
  sim.run_until(SimTime::from_us(400));
  const std::uint64_t allocations = allocation_count - allocations_before;
  CHECK(sim.events_executed() - events_before > 500'000);
  CHECK(allocations == 0);
}

TEST_CASE("messages on a point-to-point network allocate nothing in steady state") {
  cdsim::Simulation sim(1);
  constexpr std::uint32_t kNodes = 8;
  std::vector<cdsim::PointToPointNetwork::Edge> ring;
  for (std::uint32_t i = 0; i < kNodes; ++i) ring.emplace_back(AgentId{i}, AgentId{(i + 1) % kNodes});
  cdsim::PointToPointNetwork network(
      sim, kNodes, ring, cdsim::LinkSpec{SimTime::from_us(5), cdsim::Bandwidth::from_bits_per_second(1'000'000'000)});
  auto snapshot = std::make_shared<const std::vector<float>>(1000, 1.0f);
  network.set_delivery_handler([&network](cdsim::Message&& message) {
    const AgentId next{(message.to.value + 1) % kNodes};
    message.from = message.to;
    message.to = next;
    ++message.round;
    network.send(std::move(message));
  });
  for (std::uint32_t i = 0; i < kNodes; ++i) {
    cdsim::Message message;
    message.from = AgentId{i};
    message.to = AgentId{(i + 1) % kNodes};
    message.size = cdsim::ByteCount{4000};
    message.payload = snapshot;
    network.send(std::move(message));
  }
  sim.run_until(SimTime::from_ms(1));
  const std::uint64_t delivered_before = network.stats().messages_delivered;
  const std::uint64_t allocations_before = allocation_count;
  sim.run_until(SimTime::from_ms(10));
  const std::uint64_t allocations = allocation_count - allocations_before;
  CHECK(network.stats().messages_delivered - delivered_before > 1000);
  CHECK(allocations == 0);
}

TEST_CASE("a compressed upload with error feedback allocates nothing once its buffers have held one, for every compressor") {
  for (const char* kind : {"identity", "top_k", "random_k", "qsgd", "scaled_sign", "float16", "bfloat16"}) {
    CAPTURE(kind);
    cdsim::CompressorSpec spec;
    spec.kind = kind;
    if (spec.kind == "top_k" || spec.kind == "random_k") spec.fraction = 0.25;
    if (spec.kind == "qsgd") spec.levels = 4;
    const cdsim::Compressor compressor(spec);
    cdsim::Rng rng(4, 0, cdsim::RngPurpose::kCompression);
    std::vector<float> gradient(1000), residual(1000, 0.0f), decoded(1000), corrected;
    cdsim::CompressedVector compressed;
    for (std::size_t i = 0; i < gradient.size(); ++i) gradient[i] = static_cast<float>(i % 17) - 8.0f;
    cdsim::compress_with_feedback(compressor, gradient, residual, true, rng, decoded, compressed, corrected);
    const std::uint64_t before = allocation_count;
    for (int step = 0; step < 5; ++step) {
      gradient[static_cast<std::size_t>(step)] += 1.0f;
      cdsim::compress_with_feedback(compressor, gradient, residual, true, rng, decoded, compressed, corrected);
    }
    CHECK(allocation_count - before == 0);
  }
}

TEST_CASE("CDSGD steps whose math runs on a 2-thread worker pool allocate nothing once the pools have grown") {
  cdsim::AlgorithmSpec algorithm;
  algorithm.kind = "cdsgd";
  algorithm.learning_rate = 0.1;
  cdsim::testing::BaselineFixture f(algorithm, cdsim::ring_graph(6), 1000,
                                    cdsim::LinkSpec{SimTime::from_us(10), cdsim::Bandwidth::from_bits_per_second(1'000'000'000)});
  cdsim::WorkerPool pool(2);
  f.workers = &pool;
  constexpr std::int64_t kSteps = 3000;
  f.completed.reserve(kSteps + 1);
  cdsim::ComputeSpec compute;
  compute.step_time = SimTime::from_ms(1);
  // Observed only at step 0 and the last step (observations copy every agent's parameters).
  const auto protocol = f.start<cdsim::SynchronousConsensus>(compute, kSteps, kSteps);
  // Warm-up. While the pool's one worker is held busy, the engine runs every task itself
  // when it must wait for one, so each agent keeps the most tasks in flight it ever can:
  // the snapshot, job, queue and task pools grow to their largest size however fast the
  // threads later turn out to be.
  std::atomic<bool> release_worker = false;
  cdsim::WorkerPool::Task occupy_worker = pool.submit([&release_worker] {
    while (!release_worker.load()) std::this_thread::yield();
  });
  f.simulation.run_until(SimTime::from_ms(300));
  release_worker = true;
  occupy_worker.wait();
  f.simulation.run_until(SimTime::from_ms(400));
  const std::size_t steps_before = f.completed.size();
  const std::uint64_t allocations_before = allocation_count;
  f.simulation.run_until(SimTime::from_ms(1500));
  const std::uint64_t allocations = allocation_count - allocations_before;
  CHECK(f.completed.size() - steps_before > 1000);
  CHECK(allocations == 0);
  f.simulation.run();
  CHECK(protocol->completed_steps() == kSteps);
}
