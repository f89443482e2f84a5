#include "sim/protocols/ring_all_reduce.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kFastLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};

AlgorithmSpec all_reduce(const std::string& kind, double learning_rate) {
  AlgorithmSpec algorithm;
  algorithm.kind = kind;
  algorithm.learning_rate = learning_rate;
  algorithm.communication = "all_reduce";
  return algorithm;
}

// x <- x - alpha (x - mean b): large-batch SGD on the quadratics, in double.
std::vector<Vector> sgd_reference(const BaselineFixture& f, double alpha, std::size_t steps) {
  std::vector<Vector> xs{Vector(f.initial.begin(), f.initial.end())};
  const Vector b_mean = f.target_mean();
  for (std::size_t k = 1; k <= steps; ++k) {
    Vector x = xs.back();
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= alpha * (x[i] - b_mean[i]);
    xs.push_back(x);
  }
  return xs;
}

// Every agent's vector is bit for bit the same as agent 0's.
void check_identical(const std::vector<std::vector<float>>& agents) {
  for (const auto& x : agents) CHECK(x == agents.front());
}

}  // namespace

TEST_CASE("ring all-reduce SGD leaves every agent with the same large-batch SGD parameters") {
  // 7 values over 4 agents: chunks of 2, 2, 2 and 1 values.
  BaselineFixture f(all_reduce("sgd", 0.3), ring_graph(4), 7, kFastLink);
  const auto protocol = f.run<RingAllReduce>(ComputeSpec{}, 10);
  CHECK(protocol->chunk_range(3) == std::pair<std::size_t, std::size_t>{6, 7});
  const std::vector<Vector> reference = sgd_reference(f, 0.3, 10);
  REQUIRE(f.snapshots.size() == 11);
  for (std::size_t k = 0; k <= 10; ++k) {
    check_identical(f.snapshots[k]);
    testing::check_all_close(f.snapshots[k], reference[k], 1e-5);
  }
}

TEST_CASE("ring all-reduce works when chunks are empty and on one or two agents") {
  SUBCASE("5 values over 4 agents: chunks of 2, 2, 1, 0") {
    BaselineFixture f(all_reduce("sgd", 0.2), complete_graph(4), 5, kFastLink);
    f.run<RingAllReduce>(ComputeSpec{}, 6);
    testing::check_all_close(f.snapshots.back(), sgd_reference(f, 0.2, 6).back(), 1e-5);
  }
  SUBCASE("two agents") {
    BaselineFixture f(all_reduce("sgd", 0.2), complete_graph(2), 3, kFastLink);
    f.run<RingAllReduce>(ComputeSpec{}, 6);
    testing::check_all_close(f.snapshots.back(), sgd_reference(f, 0.2, 6).back(), 1e-5);
    CHECK(f.network->stats().messages_sent == 6 * 2 * 2);
  }
  SUBCASE("one agent sends nothing") {
    BaselineFixture f(all_reduce("sgd", 0.2), complete_graph(1), 3, kFastLink);
    f.run<RingAllReduce>(ComputeSpec{}, 6);
    testing::check_all_close(f.snapshots.back(), sgd_reference(f, 0.2, 6).back(), 1e-5);
    CHECK(f.network->stats().messages_sent == 0);
  }
}

TEST_CASE("ring all-reduce MSGD follows Keras-Nesterov on the mean gradient on every agent") {
  AlgorithmSpec algorithm = all_reduce("msgd", 0.05);
  algorithm.momentum = 0.9;
  BaselineFixture f(algorithm, ring_graph(5), 10, kFastLink);
  f.run<RingAllReduce>(ComputeSpec{}, 12);
  Vector x(f.initial.begin(), f.initial.end()), m(x.size(), 0.0);
  const Vector b_mean = f.target_mean();
  for (std::size_t k = 1; k <= 12; ++k) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double g = x[i] - b_mean[i];
      m[i] = 0.9 * m[i] - 0.05 * g;
      x[i] += 0.9 * m[i] - 0.05 * g;
    }
    check_identical(f.snapshots[k]);
    testing::check_all_close(f.snapshots[k], x, 1e-5);
  }
}

TEST_CASE("a ring all-reduce step takes compute + 2(N-1) chunk transfers on idle ring links") {
  const LinkSpec link{SimTime::from_us(300), Bandwidth::from_bits_per_second(10'000'000)};
  // 12 values over 6 agents: equal chunks of 2.
  BaselineFixture f(all_reduce("sgd", 0.1), ring_graph(6), 12, link);
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(2);
  f.run<RingAllReduce>(compute, 5);
  const std::int64_t step_ns = 2'000'000 + 2 * 5 * (300'000 + testing::transmission_ns(2, 10'000'000));
  REQUIRE(f.times.size() == 6);
  for (std::int64_t k = 0; k <= 5; ++k) CHECK(f.times[k].ns() == k * step_ns);
}

TEST_CASE("every ring all-reduce step sends 2(N-1) chunk messages per agent, sized by their chunk") {
  // 10 values over 4 agents: chunks of 3, 3, 3, 1.
  BaselineFixture f(all_reduce("sgd", 0.1), ring_graph(4), 10, kFastLink);
  f.run<RingAllReduce>(ComputeSpec{}, 3);
  const NetworkStats& stats = f.network->stats();
  CHECK(stats.messages_sent == 3 * 2 * 3 * 4);
  CHECK(stats.messages_delivered == stats.messages_sent);
  const std::int64_t per_chunk_per_step = 2 * 3;
  const std::int64_t bytes_per_step =
      per_chunk_per_step * (3 * testing::message_bytes(3) + testing::message_bytes(1));
  CHECK(stats.bytes_sent.bytes() == 3 * bytes_per_step);
}

TEST_CASE("ring all-reduce results do not depend on timing: stragglers change times, not bits") {
  auto final_parameters = [](const ComputeSpec& compute) {
    BaselineFixture f(all_reduce("msgd", 0.05), ring_graph(5), 9, kFastLink);
    f.run<RingAllReduce>(compute, 15);
    return std::make_pair(f.snapshots.back(), f.times.back());
  };
  ComputeSpec uneven;
  uneven.straggler_probability = 0.5;
  uneven.speed_spread = 0.8;
  const auto [even_x, even_time] = final_parameters(ComputeSpec{});
  const auto [uneven_x, uneven_time] = final_parameters(uneven);
  CHECK(uneven_time > even_time);
  CHECK(uneven_x == even_x);
}

TEST_CASE("make_protocol runs sgd and msgd by ring all-reduce when communication is all_reduce") {
  for (const char* kind : {"sgd", "msgd"}) {
    BaselineFixture f(all_reduce(kind, 0.1), ring_graph(3), 2, kFastLink);
    const auto protocol = f.run(ComputeSpec{}, 2);
    CHECK(dynamic_cast<const RingAllReduce*>(protocol.get()) != nullptr);
  }
}

TEST_CASE("the ring all-reduce rejects bad settings, naming the field") {
  AlgorithmSpec server = all_reduce("sgd", 0.1);
  server.communication = "parameter_server";
  CHECK(testing::rejected_field<RingAllReduce>(server) == "/communication");
  CHECK(testing::rejected_field<RingAllReduce>(all_reduce("fedavg", 0.1)) == "/kind");
  CHECK(testing::rejected_field<RingAllReduce>(all_reduce("sgd", 0.0)) == "/learning_rate");
}
