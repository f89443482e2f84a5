// Checks that the engine's hot path does not touch the heap once warmed up. The test
// replaces the global operator new of this test program to count allocations (the one
// place where a file-scope counter is the point).
#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "core/compressor.h"
#include "core/error_feedback.h"
#include "core/rng.h"
#include "sim/point_to_point_network.h"
#include "sim/simulation.h"

namespace {
std::uint64_t allocation_count = 0;

void* counted_allocation(std::size_t size) {
  ++allocation_count;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

void* counted_allocation_or_null(std::size_t size) noexcept {
  ++allocation_count;
  return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

// The (non-aligned) replacements below must come as a complete set, or a pair of
// allocation and deallocation could mix the replaced and the library's versions.

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
