#include "sim/protocols/parameter_server.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kFastLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};

AlgorithmSpec centralized(const std::string& kind, double learning_rate) {
  AlgorithmSpec algorithm;
  algorithm.kind = kind;
  algorithm.learning_rate = learning_rate;
  return algorithm;
}

}  // namespace

TEST_CASE("parameter-server SGD equals large-batch SGD: x <- x - alpha mean_j (x - b_j)") {
  BaselineFixture f(centralized("sgd", 0.3), ring_graph(5), 6, kFastLink);
  f.run<ParameterServer>(ComputeSpec{}, 10);
  REQUIRE(f.snapshots.size() == 11);
  Vector x(f.initial.begin(), f.initial.end());
  testing::check_all_close(f.snapshots[0], x, 1e-12);
  for (std::size_t k = 1; k <= 10; ++k) {
    Vector gradient(x.size(), 0.0);
    for (const Vector& b : f.targets) {
      for (std::size_t i = 0; i < x.size(); ++i) gradient[i] += (x[i] - b[i]) / 5.0;
    }
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= 0.3 * gradient[i];
    CHECK(f.snapshots[k].size() == 5);
    testing::check_all_close(f.snapshots[k], x, 1e-5);
  }
}

TEST_CASE("parameter-server MSGD follows Keras-Nesterov on the mean gradient, with weight decay") {
  AlgorithmSpec algorithm = centralized("msgd", 0.05);
  algorithm.momentum = 0.9;
  algorithm.weight_decay = 0.01;
  BaselineFixture f(algorithm, complete_graph(4), 3, kFastLink);
  f.run<ParameterServer>(ComputeSpec{}, 15);
  Vector x(f.initial.begin(), f.initial.end()), m(x.size(), 0.0);
  const Vector b_mean = f.target_mean();
  for (std::size_t k = 1; k <= 15; ++k) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double g = x[i] - b_mean[i] + 0.01 * x[i];
      m[i] = 0.9 * m[i] - 0.05 * g;
      x[i] += 0.9 * m[i] - 0.05 * g;
    }
    testing::check_all_close(f.snapshots[k], x, 1e-5);
  }
}

TEST_CASE("a parameter-server step takes compute + two transfers on an idle star") {
  const LinkSpec link{SimTime::from_us(700), Bandwidth::from_bits_per_second(10'000'000)};
  BaselineFixture f(centralized("sgd", 0.1), ring_graph(6), 8, link);
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(3);
  f.run<ParameterServer>(compute, 7);
  const std::int64_t step_ns = 3'000'000 + 2 * (700'000 + testing::transmission_ns(8, 10'000'000));
  REQUIRE(f.times.size() == 8);
  for (std::int64_t k = 0; k <= 7; ++k) CHECK(f.times[k].ns() == k * step_ns);
  CHECK(f.completed == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("the server waits for the slowest worker every step") {
  const LinkSpec link{SimTime::from_us(200), Bandwidth::from_bits_per_second(100'000'000)};
  BaselineFixture f(centralized("sgd", 0.1), ring_graph(5), 4, link);
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(2);
  compute.speed_spread = 0.5;
  f.run<ParameterServer>(compute, 5);
  std::int64_t slowest_ns = 0;
  for (std::size_t j = 0; j < 5; ++j) slowest_ns = std::max(slowest_ns, f.compute->nominal_step_time(j).ns());
  CHECK(slowest_ns > 2'000'000);
  const std::int64_t step_ns = slowest_ns + 2 * (200'000 + testing::transmission_ns(4, 100'000'000));
  for (std::int64_t k = 0; k <= 5; ++k) CHECK(f.times[k].ns() == k * step_ns);
}

TEST_CASE("every parameter-server step sends N gradients up and N parameter vectors down") {
  BaselineFixture f(centralized("sgd", 0.1), ring_graph(5), 9, kFastLink);
  f.run<ParameterServer>(ComputeSpec{}, 4);
  const NetworkStats& stats = f.network->stats();
  CHECK(stats.messages_sent == 4 * 2 * 5);
  CHECK(stats.messages_delivered == 4 * 2 * 5);
  CHECK(stats.bytes_sent.bytes() == 4 * 2 * 5 * testing::message_bytes(9));
  // The server (node 5) sent half of it.
  CHECK(f.network->bytes_sent_by(AgentId{5}).bytes() == 4 * 5 * testing::message_bytes(9));
}

TEST_CASE("make_protocol runs sgd and msgd through the parameter server by default") {
  for (const char* kind : {"sgd", "msgd"}) {
    BaselineFixture f(centralized(kind, 0.1), ring_graph(3), 2, kFastLink);
    const auto protocol = f.run(ComputeSpec{}, 2);
    CHECK(dynamic_cast<const ParameterServer*>(protocol.get()) != nullptr);
  }
}

TEST_CASE("the parameter server rejects bad settings, naming the field") {
  AlgorithmSpec ring = centralized("sgd", 0.1);
  ring.communication = "ring";
  CHECK(testing::rejected_field<ParameterServer>(ring) == "/communication");
  CHECK(testing::rejected_field<Protocol>(ring) == "/communication");
  CHECK(testing::rejected_field<ParameterServer>(centralized("cdsgd", 0.1)) == "/kind");
  CHECK(testing::rejected_field<ParameterServer>(centralized("sgd", -1.0)) == "/learning_rate");
  AlgorithmSpec momentum = centralized("msgd", 0.1);
  momentum.momentum = 1.5;
  CHECK(testing::rejected_field<ParameterServer>(momentum) == "/momentum");
}

TEST_CASE("a parameter-server run is reproducible: same seed, same parameters and times") {
  auto run_once = [] {
    BaselineFixture f(centralized("msgd", 0.05), ring_graph(4), 5, kFastLink);
    ComputeSpec compute;
    compute.straggler_probability = 0.4;
    f.run<ParameterServer>(compute, 12);
    std::vector<double> all;
    for (std::size_t k = 0; k < f.snapshots.size(); ++k) {
      all.push_back(static_cast<double>(f.times[k].ns()));
      for (const auto& x : f.snapshots[k]) all.insert(all.end(), x.begin(), x.end());
    }
    return all;
  };
  CHECK(run_once() == run_once());
}
