#include "sim/protocols/centralized_sgd.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};

AlgorithmSpec one_model(const char* kind) {
  AlgorithmSpec algorithm;
  algorithm.kind = kind;
  algorithm.communication = "none";
  algorithm.learning_rate = 0.2;
  algorithm.momentum = 0.5;
  return algorithm;
}

ComputeSpec fixed_compute() {
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(2);
  return compute;
}

}  // namespace

TEST_CASE("centralized SGD with no communication is x <- x - alpha (x - b) on one model, one compute time a step, no traffic") {
  BaselineFixture f(one_model("sgd"), complete_graph(1), 4, kLink);
  f.run<CentralizedSgd>(fixed_compute(), 12);
  Vector x(f.initial.begin(), f.initial.end());
  for (std::size_t k = 1; k <= 12; ++k) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= 0.2 * (x[i] - f.targets[0][i]);
    testing::check_all_close(f.snapshots[k], x, 1e-5);
    CHECK(f.times[k].ns() == static_cast<std::int64_t>(k) * 2'000'000);
  }
  CHECK(f.network->stats().messages_sent == 0);
  CHECK(f.network->stats().bytes_sent.bytes() == 0);
}

TEST_CASE("centralized MSGD with no communication follows the Keras-Nesterov recurrence") {
  BaselineFixture f(one_model("msgd"), complete_graph(1), 3, kLink);
  f.run<CentralizedSgd>(fixed_compute(), 10);
  Vector x(f.initial.begin(), f.initial.end()), m(x.size(), 0.0);
  for (std::size_t k = 1; k <= 10; ++k) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double g = x[i] - f.targets[0][i];
      m[i] = 0.5 * m[i] - 0.2 * g;
      x[i] += 0.5 * m[i] - 0.2 * g;
    }
    testing::check_all_close(f.snapshots[k], x, 1e-5);
  }
}

TEST_CASE("one model needs no links, and an epoch is ceil(n / B) steps of it") {
  const ProtocolLinks links = protocol_links(one_model("sgd"), ring_graph(5));
  CHECK(links.node_count == 1);
  CHECK(links.edges.empty());
  AlgorithmSpec algorithm = one_model("sgd");
  algorithm.batch_size = 128;
  CHECK(epochs_per_step(algorithm, 60000, 1) == doctest::Approx(1.0 / 469));
  CHECK(is_single_model(algorithm));
  algorithm.communication = "parameter_server";
  CHECK_FALSE(is_single_model(algorithm));
}

TEST_CASE("a compressor with no communication is an error naming the field") {
  AlgorithmSpec algorithm = one_model("sgd");
  algorithm.compression.kind = "float16";
  BaselineFixture f(algorithm, complete_graph(1), 2, kLink);
  std::string field = "no error";
  try {
    f.run<CentralizedSgd>(ComputeSpec{}, 1);
  } catch (const InvalidInput& error) {
    field = error.field();
  }
  CHECK(field == "/compression");
}
