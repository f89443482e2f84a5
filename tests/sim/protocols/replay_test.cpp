// Communication-only replay (ProtocolContext::wire_parameters with empty vectors and
// ReplayLearners): every protocol sends exactly the messages, bytes and timing it sends for
// a real model of the same size, and those match counts enumerated here from each
// protocol's documented message pattern.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;
using testing::BaselineFixture;

namespace {

constexpr std::size_t kAgents = 5;
constexpr std::size_t kParameters = 40;
constexpr std::int64_t kSteps = 6;
const LinkSpec kLink{SimTime::from_us(50), Bandwidth::from_bits_per_second(100'000'000)};

struct Traffic {
  ByteCount bytes;
  std::uint64_t messages = 0;
  std::vector<std::int64_t> observed_steps;
  std::vector<SimTime> times;
  SimTime end;
};

struct Case {
  std::string kind;
  std::string communication = "parameter_server";
  std::size_t consensus_steps = 1;
};

AlgorithmSpec algorithm_for(const Case& c) {
  AlgorithmSpec algorithm;
  algorithm.kind = c.kind;
  algorithm.communication = c.communication;
  algorithm.consensus_steps = c.consensus_steps;
  algorithm.learning_rate = 0.1;
  algorithm.momentum = 0.5;
  return algorithm;
}

ComputeSpec uneven_compute() {
  ComputeSpec compute;
  compute.step_time = SimTime::from_us(300);
  compute.speed_spread = 0.4;  // agents differ, so waiting and ordering matter
  return compute;
}

Traffic run(const Case& c, bool replay) {
  BaselineFixture f(algorithm_for(c), ring_graph(kAgents), kParameters, kLink);
  if (c.kind == "fedavg") f.set_shard_sizes(std::vector<std::size_t>(kAgents, f.algorithm.batch_size));
  if (replay) f.make_replay();
  f.run(uneven_compute(), kSteps, 2);
  const NetworkStats& stats = f.network->stats();
  return Traffic{stats.bytes_sent, stats.messages_sent, f.observed_steps, f.times, f.simulation.now()};
}

// The bytes and count of the messages (sender, receiver, round, kind, values) that the
// protocol's header documents, enumerated one by one.
struct Expected {
  std::int64_t bytes = 0;
  std::uint64_t messages = 0;
  void add(std::size_t from, std::size_t to, std::int64_t round, PayloadKind kind, std::size_t values) {
    bytes += parameter_message_size(AgentId{static_cast<std::uint32_t>(from)}, AgentId{static_cast<std::uint32_t>(to)},
                                    round, kind, values)
                 .bytes();
    ++messages;
  }
};

Expected expected_traffic(const Case& c) {
  Expected e;
  const std::size_t n = kAgents;
  const std::size_t server = n;
  for (std::int64_t k = 0; k < kSteps; ++k) {
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t left = (j + n - 1) % n, right = (j + 1) % n;
      const std::size_t first = std::min(left, right), second = std::max(left, right);
      if (c.kind == "cdsgd" || c.kind == "cdmsgd" || c.kind == "cdmsgd_two_sequence") {
        // tau rounds a step, each to both ring neighbours; round = k tau + r.
        for (std::size_t r = 0; r < c.consensus_steps; ++r) {
          const std::int64_t round = k * static_cast<std::int64_t>(c.consensus_steps) + static_cast<std::int64_t>(r);
          e.add(j, first, round, PayloadKind::kParameters, kParameters);
          e.add(j, second, round, PayloadKind::kParameters, kParameters);
        }
      } else if (c.kind == "sgp") {
        // A push-sum share (values and the weight) to both out-neighbours, round k.
        for (const std::size_t to : {first, second}) {
          e.bytes += push_sum_message_size(AgentId{static_cast<std::uint32_t>(j)}, AgentId{static_cast<std::uint32_t>(to)}, k,
                                           kParameters)
                         .bytes();
          ++e.messages;
        }
      } else if (c.kind == "async_cdsgd") {
        // x_j(k + 1) to both neighbours, carrying round k + 1.
        e.add(j, first, k + 1, PayloadKind::kParameters, kParameters);
        e.add(j, second, k + 1, PayloadKind::kParameters, kParameters);
      } else if (c.communication == "parameter_server" && c.kind != "fedavg") {
        e.add(j, server, k, PayloadKind::kGradient, kParameters);
        e.add(server, j, k + 1, PayloadKind::kParameters, kParameters);
      } else if (c.kind == "fedavg") {
        // Client fraction 1: the global model down and the client's model up, both round k.
        e.add(server, j, k, PayloadKind::kParameters, kParameters);
        e.add(j, server, k, PayloadKind::kParameters, kParameters);
      } else {
        // Ring all-reduce: hop h from j carries chunk (j - h) mod N of ceil(P / N) values.
        const std::size_t chunk_values = (kParameters + n - 1) / n;
        const std::int64_t hops = 2 * (static_cast<std::int64_t>(n) - 1);
        for (std::int64_t h = 0; h < hops; ++h) {
          const std::size_t chunk = (j + n - static_cast<std::size_t>(h) % n) % n;
          const std::size_t begin = std::min(chunk * chunk_values, kParameters);
          const std::size_t end = std::min(begin + chunk_values, kParameters);
          e.add(j, right, k * hops + h, PayloadKind::kGradient, end - begin);
        }
      }
    }
  }
  return e;
}

const std::vector<Case> kEveryProtocol = {
    {"cdsgd"}, {"cdsgd", "parameter_server", 3}, {"cdmsgd"}, {"cdmsgd_two_sequence"}, {"async_cdsgd"},
    {"sgd", "parameter_server"}, {"msgd", "parameter_server"}, {"sgd", "all_reduce"}, {"msgd", "all_reduce"},
    {"fedavg"}, {"sgp"}};

}  // namespace

TEST_CASE("a replay sends the bytes and messages each protocol's message pattern gives for P parameters") {
  for (const Case& c : kEveryProtocol) {
    CAPTURE(c.kind);
    CAPTURE(c.communication);
    CAPTURE(c.consensus_steps);
    const Traffic replayed = run(c, true);
    const Expected expected = expected_traffic(c);
    CHECK(replayed.bytes.bytes() == expected.bytes);
    CHECK(replayed.messages == expected.messages);
  }
}

TEST_CASE("a replay has the traffic, the observed steps and the times of the same run with a real model") {
  for (const Case& c : kEveryProtocol) {
    CAPTURE(c.kind);
    CAPTURE(c.communication);
    const Traffic real = run(c, false);
    const Traffic replayed = run(c, true);
    CHECK(replayed.bytes == real.bytes);
    CHECK(replayed.messages == real.messages);
    CHECK(replayed.observed_steps == real.observed_steps);
    CHECK(replayed.times == real.times);
    CHECK(replayed.end == real.end);
  }
}

TEST_CASE("a replay's snapshots hold empty vectors: no agent does vector math") {
  BaselineFixture f(algorithm_for({"cdsgd"}), ring_graph(kAgents), kParameters, kLink);
  f.make_replay();
  f.run(ComputeSpec{}, 3);
  REQUIRE(f.snapshots.size() == 4);
  for (const auto& snapshot : f.snapshots) {
    REQUIRE(snapshot.size() == kAgents);
    for (const std::vector<float>& x : snapshot) CHECK(x.empty());
  }
}

TEST_CASE("on dedicated links a replayed CDSGD ring takes R (C + L + S/B), a parameter server R (C + 2 (L + S/B))") {
  constexpr std::size_t kWideParameters = 100'000;  // 400 KB messages
  const Bandwidth bandwidth = Bandwidth::from_bits_per_second(10'000'000'000);
  const LinkSpec link{SimTime::from_us(20), bandwidth};
  ComputeSpec compute;
  compute.step_time = SimTime::from_us(700);
  constexpr std::int64_t kRounds = 9;
  for (const Case& c : {Case{"cdsgd"}, Case{"sgd", "parameter_server"}}) {
    CAPTURE(c.kind);
    BaselineFixture f(algorithm_for(c), ring_graph(8), kWideParameters, link);
    f.make_replay();
    std::vector<std::int64_t> sizes;
    NetworkObserver observer;
    observer.on_send = [&](const Message& m, SimTime) { sizes.push_back(m.size.bytes()); };
    f.network->add_observer(observer);
    f.run(compute, kRounds);
    // Every message is the same size: a 24-byte header, tag, length and 4 P bytes.
    const std::int64_t size = 24 + 1 + 3 + 4 * static_cast<std::int64_t>(kWideParameters);
    REQUIRE(!sizes.empty());
    for (std::int64_t s : sizes) REQUIRE(s == size);
    const std::int64_t transfer_ns = (size * 8 * 1'000'000'000 + 9'999'999'999) / 10'000'000'000;  // rounded up
    const std::int64_t transfers = c.kind == "cdsgd" ? 1 : 2;
    CHECK(f.simulation.now().ns() == kRounds * (700'000 + transfers * (20'000 + transfer_ns)));
  }
}
