#include "sim/protocols/federated_averaging.h"

#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <string>

#include "sim/protocols/parameter_server.h"
#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kFastLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};

AlgorithmSpec fedavg(double client_fraction, double local_epochs, std::size_t batch_size, double learning_rate) {
  AlgorithmSpec algorithm;
  algorithm.kind = "fedavg";
  algorithm.client_fraction = client_fraction;
  algorithm.local_epochs = local_epochs;
  algorithm.batch_size = batch_size;
  algorithm.learning_rate = learning_rate;
  return algorithm;
}

// One FedAvg round on the quadratics, in double: each sampled client takes L_j steps of
// x <- x - alpha (x - b_j) from the global x, i.e. x_j = b_j + (1 - alpha)^L_j (x - b_j),
// and the new global model is sum_j n_j x_j / sum_j n_j over the sampled clients.
Vector fedavg_round(const BaselineFixture& f, const Vector& x, const std::vector<std::size_t>& clients,
                    const std::vector<std::size_t>& shard_sizes, const FederatedAveraging& protocol, double alpha) {
  Vector next(x.size(), 0.0);
  double samples = 0.0;
  for (std::size_t j : clients) samples += static_cast<double>(shard_sizes[j]);
  for (std::size_t j : clients) {
    const double contraction = std::pow(1.0 - alpha, static_cast<double>(protocol.local_steps(j)));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double local = f.targets[j][i] + contraction * (x[i] - f.targets[j][i]);
      next[i] += static_cast<double>(shard_sizes[j]) / samples * local;
    }
  }
  return next;
}

std::vector<std::size_t> all_clients(std::size_t n) {
  std::vector<std::size_t> clients(n);
  for (std::size_t j = 0; j < n; ++j) clients[j] = j;
  return clients;
}

}  // namespace

TEST_CASE("FedAvg with all clients, equal shards and one local step each is large-batch SGD") {
  // Shard = batch and E = 1: every client takes exactly one step per round.
  BaselineFixture f(fedavg(1.0, 1.0, 16, 0.3), ring_graph(5), 6, kFastLink);
  f.set_shard_sizes(std::vector<std::size_t>(5, 16));
  const auto protocol = f.run<FederatedAveraging>(ComputeSpec{}, 10);
  for (std::size_t j = 0; j < 5; ++j) CHECK(protocol->local_steps(j) == 1);

  BaselineFixture server(fedavg(1.0, 1.0, 16, 0.3), ring_graph(5), 6, kFastLink);
  server.algorithm.kind = "sgd";
  server.run<ParameterServer>(ComputeSpec{}, 10);

  Vector x(f.initial.begin(), f.initial.end());
  const Vector b_mean = f.target_mean();
  REQUIRE(f.snapshots.size() == 11);
  for (std::size_t k = 1; k <= 10; ++k) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= 0.3 * (x[i] - b_mean[i]);
    testing::check_all_close(f.snapshots[k], x, 1e-5);
    const std::vector<float>& server_x = server.snapshots[k].front();
    testing::check_all_close(f.snapshots[k], Vector(server_x.begin(), server_x.end()), 1e-5);
  }
}

TEST_CASE("FedAvg weighs the returned models by shard size") {
  // Batch 10, E = 1: 1, 2, 3 and 4 local steps.
  const std::vector<std::size_t> shards{10, 20, 30, 40};
  BaselineFixture f(fedavg(1.0, 1.0, 10, 0.2), ring_graph(4), 5, kFastLink);
  f.set_shard_sizes(shards);
  const auto protocol = f.run<FederatedAveraging>(ComputeSpec{}, 6);
  for (std::size_t j = 0; j < 4; ++j) CHECK(protocol->local_steps(j) == static_cast<std::int64_t>(j + 1));
  Vector x(f.initial.begin(), f.initial.end());
  for (std::size_t k = 1; k <= 6; ++k) {
    x = fedavg_round(f, x, all_clients(4), shards, *protocol, 0.2);
    testing::check_all_close(f.snapshots[k], x, 1e-5);
  }
}

TEST_CASE("FedAvg local steps are ceil(E n_j / B) and each is one gradient of the sampled client") {
  const std::vector<std::size_t> shards{30, 7, 64, 1, 33};
  BaselineFixture f(fedavg(0.6, 2.5, 8, 0.05), ring_graph(5), 3, kFastLink);
  f.set_shard_sizes(shards);
  const auto protocol = f.run<FederatedAveraging>(ComputeSpec{}, 9);
  const std::int64_t expected_steps[] = {10, 3, 20, 1, 11};  // ceil(2.5 * n / 8)
  std::vector<int> expected_calls(5, 0);
  for (std::int64_t round = 0; round < 9; ++round) {
    for (std::size_t j : protocol->sample_clients(round)) expected_calls[j] += static_cast<int>(expected_steps[j]);
  }
  for (std::size_t j = 0; j < 5; ++j) {
    CHECK(protocol->local_steps(j) == expected_steps[j]);
    CHECK(static_cast<const testing::QuadraticLearner&>(*f.learners[j]).calls() == expected_calls[j]);
  }
}

TEST_CASE("FedAvg samples round(C N) distinct clients a round, reproducibly by seed, and averages only them") {
  const std::vector<std::size_t> shards{5, 10, 15, 20, 25, 30, 35};
  BaselineFixture f(fedavg(0.4, 1.0, 5, 0.1), ring_graph(7), 4, kFastLink, 11);
  f.set_shard_sizes(shards);
  const auto protocol = f.run<FederatedAveraging>(ComputeSpec{}, 8);
  CHECK(protocol->clients_per_round() == 3);  // round(0.4 * 7) = round(2.8)
  Vector x(f.initial.begin(), f.initial.end());
  std::set<std::vector<std::size_t>> distinct_draws;
  for (std::int64_t round = 0; round < 8; ++round) {
    const std::vector<std::size_t> clients = protocol->sample_clients(round);
    REQUIRE(clients.size() == 3);
    CHECK(std::set<std::size_t>(clients.begin(), clients.end()).size() == 3);
    CHECK(clients.back() < 7);
    distinct_draws.insert(clients);
    x = fedavg_round(f, x, clients, shards, *protocol, 0.1);
    testing::check_all_close(f.snapshots[static_cast<std::size_t>(round) + 1], x, 1e-5);
  }
  CHECK(distinct_draws.size() > 1);

  BaselineFixture same_seed(fedavg(0.4, 1.0, 5, 0.1), ring_graph(7), 4, kFastLink, 11);
  same_seed.set_shard_sizes(shards);
  BaselineFixture other_seed(fedavg(0.4, 1.0, 5, 0.1), ring_graph(7), 4, kFastLink, 12);
  other_seed.set_shard_sizes(shards);
  const auto again = same_seed.run<FederatedAveraging>(ComputeSpec{}, 8);
  const auto other = other_seed.run<FederatedAveraging>(ComputeSpec{}, 8);
  bool any_differs = false;
  for (std::int64_t round = 0; round < 8; ++round) {
    CHECK(again->sample_clients(round) == protocol->sample_clients(round));
    any_differs = any_differs || other->sample_clients(round) != protocol->sample_clients(round);
  }
  CHECK(any_differs);
  CHECK(same_seed.snapshots == f.snapshots);
}

TEST_CASE("FedAvg client sampling is uniform: each client takes part in a share C of the rounds") {
  BaselineFixture f(fedavg(0.3, 1.0, 1, 0.1), ring_graph(10), 1, kFastLink);
  const auto protocol = f.run<FederatedAveraging>(ComputeSpec{}, 1);
  std::vector<int> taken(10, 0);
  const int rounds = 4000;
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t j : protocol->sample_clients(round)) ++taken[j];
  }
  // Binomial(4000, 0.3): standard deviation 29; allow 5 of them.
  for (int count : taken) CHECK(std::abs(count - 1200) < 145);
}

TEST_CASE("a FedAvg round takes two transfers plus the client's local steps, and 2m messages") {
  const LinkSpec link{SimTime::from_us(400), Bandwidth::from_bits_per_second(10'000'000)};
  BaselineFixture f(fedavg(0.5, 2.0, 4, 0.1), ring_graph(6), 8, link);
  f.set_shard_sizes(std::vector<std::size_t>(6, 6));  // ceil(2 * 6 / 4) = 3 local steps
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(2);
  f.run<FederatedAveraging>(compute, 5);
  const std::int64_t round_ns = 3 * 2'000'000 + 2 * (400'000 + testing::transmission_ns(8, 10'000'000));
  REQUIRE(f.times.size() == 6);
  for (std::int64_t k = 0; k <= 5; ++k) CHECK(f.times[k].ns() == k * round_ns);
  const NetworkStats& stats = f.network->stats();
  CHECK(stats.messages_sent == 5 * 2 * 3);
  CHECK(stats.bytes_sent.bytes() == 5 * 2 * 3 * testing::message_bytes(8));
}

TEST_CASE("FedAvg reports every round complete and observes rounds by simulated time when asked") {
  const LinkSpec link{SimTime::from_us(100), Bandwidth::from_bits_per_second(1'000'000'000)};
  BaselineFixture f(fedavg(1.0, 1.0, 1, 0.1), ring_graph(4), 2, link);
  ComputeSpec compute;
  compute.step_time = SimTime::from_ms(1);
  const std::int64_t round_ns = 1'000'000 + 2 * (100'000 + testing::transmission_ns(2, 1'000'000'000));
  f.observe_every_time = SimTime::from_ns(round_ns * 5 / 2);
  f.run<FederatedAveraging>(compute, 10, 1000);
  // The first round to end at or after each multiple of 2.5 rounds, plus the first and last.
  CHECK(f.observed_steps == std::vector<std::int64_t>{0, 3, 5, 8, 10});
  CHECK(f.completed == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
}

TEST_CASE("make_protocol runs fedavg, and FedAvg rejects bad settings naming the field") {
  BaselineFixture f(fedavg(1.0, 1.0, 1, 0.1), ring_graph(3), 2, kFastLink);
  const auto protocol = f.run(ComputeSpec{}, 2);
  CHECK(dynamic_cast<const FederatedAveraging*>(protocol.get()) != nullptr);

  CHECK(testing::rejected_field<FederatedAveraging>(fedavg(0.0, 1.0, 1, 0.1)) == "/client_fraction");
  CHECK(testing::rejected_field<FederatedAveraging>(fedavg(1.5, 1.0, 1, 0.1)) == "/client_fraction");
  CHECK(testing::rejected_field<FederatedAveraging>(fedavg(0.5, 0.0, 1, 0.1)) == "/local_epochs");
  CHECK(testing::rejected_field<FederatedAveraging>(fedavg(0.5, 1.0, 0, 0.1)) == "/batch_size");
  CHECK(testing::rejected_field<FederatedAveraging>(fedavg(0.5, 1.0, 1, -0.1)) == "/learning_rate");
  AlgorithmSpec sgd = fedavg(0.5, 1.0, 1, 0.1);
  sgd.kind = "sgd";
  CHECK(testing::rejected_field<FederatedAveraging>(sgd) == "/kind");
}

TEST_CASE("FedAvg with top-k compressed uploads and error feedback follows its recurrence, and reports the clients' models before averaging") {
  // Shard = batch: one local step a round. In double: x_j = x - alpha (x - b_j);
  // p_j = (x_j - x) + e_j; q_j = top_1(p_j); e_j = p_j - q_j (e = 0 without feedback);
  // x <- x + sum_j (n_j / n) q_j.
  for (bool feedback : {true, false}) {
    CAPTURE(feedback);
    AlgorithmSpec algorithm = fedavg(1.0, 1.0, 4, 0.3);
    algorithm.compression.kind = "top_k";
    algorithm.compression.count = 1;
    algorithm.error_feedback = feedback;
    BaselineFixture f(algorithm, ring_graph(4), 5, kFastLink);
    const std::vector<std::size_t> shards = {4, 4, 4, 4};
    f.set_shard_sizes(shards);
    f.run<FederatedAveraging>(ComputeSpec{}, 12);
    Vector x(f.initial.begin(), f.initial.end());
    std::vector<Vector> e(4, Vector(5, 0.0));
    REQUIRE(f.client_snapshots.size() == 13);
    CHECK(f.client_snapshots[0].empty());  // the start has no round behind it
    for (std::size_t round = 1; round <= 12; ++round) {
      Vector next = x;
      std::vector<Vector> local(4, Vector(5));
      for (std::size_t j = 0; j < 4; ++j) {
        Vector p(5);
        std::size_t best = 0;
        for (std::size_t i = 0; i < 5; ++i) {
          local[j][i] = x[i] - 0.3 * (x[i] - f.targets[j][i]);
          p[i] = local[j][i] - x[i] + (feedback ? e[j][i] : 0.0);
          if (std::fabs(p[i]) > std::fabs(p[best])) best = i;
        }
        for (std::size_t i = 0; i < 5; ++i) {
          const double q = i == best ? p[i] : 0.0;
          if (feedback) e[j][i] = p[i] - q;
          next[i] += 0.25 * q;
        }
      }
      x = next;
      testing::check_all_close(f.snapshots[round], x, 1e-4);
      REQUIRE(f.client_snapshots[round].size() == 4);
      for (std::size_t j = 0; j < 4; ++j) {
        for (std::size_t i = 0; i < 5; ++i) {
          CHECK(f.client_snapshots[round][j][i] == doctest::Approx(local[j][i]).epsilon(1e-4).scale(1.0));
        }
      }
    }
  }
}

TEST_CASE("FedAvg's compressed uploads go at their encoded size, the global model comes down whole") {
  const std::size_t d = 64;
  AlgorithmSpec algorithm = fedavg(1.0, 1.0, 4, 0.1);
  algorithm.compression.kind = "scaled_sign";
  BaselineFixture f(algorithm, ring_graph(4), d, kFastLink);
  f.set_shard_sizes({4, 4, 4, 4});
  f.run<FederatedAveraging>(ComputeSpec{}, 3);
  // Up: header 24 + tag + length + (dimension 5, codes 1 + 1 + 8, bits_per_code 5, scale 5).
  const std::int64_t up = 24 + 1 + 1 + 5 + 10 + 5 + 5;
  CHECK(f.network->stats().messages_sent == 3u * 2u * 4u);
  CHECK(f.network->stats().bytes_sent.bytes() == 3 * 4 * (up + testing::message_bytes(d)));
}

TEST_CASE("uncompressed FedAvg reports each round's client models, whose shard-weighted mean is the new global model") {
  BaselineFixture f(fedavg(0.5, 2.0, 3, 0.2), ring_graph(6), 4, kFastLink);
  const std::vector<std::size_t> shards = {3, 5, 7, 3, 4, 6};
  f.set_shard_sizes(shards);
  const auto protocol = f.run<FederatedAveraging>(ComputeSpec{}, 5);
  for (std::int64_t round = 1; round <= 5; ++round) {
    const std::vector<std::size_t> clients = protocol->sample_clients(round - 1);
    const auto& models = f.client_snapshots[static_cast<std::size_t>(round)];
    REQUIRE(models.size() == clients.size());
    double samples = 0.0;
    for (std::size_t j : clients) samples += static_cast<double>(shards[j]);
    for (std::size_t i = 0; i < 4; ++i) {
      double mean = 0.0;
      for (std::size_t k = 0; k < clients.size(); ++k) mean += static_cast<double>(shards[clients[k]]) / samples * models[k][i];
      CHECK(f.snapshots[static_cast<std::size_t>(round)][0][i] == doctest::Approx(mean).epsilon(1e-5).scale(1.0));
    }
  }
}
