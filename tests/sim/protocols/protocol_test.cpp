#include "sim/protocols/protocol.h"

#include <doctest/doctest.h>

#include "topologies/generators.h"

using namespace cdsim;

TEST_CASE("an epoch is the steps in which the agents together see the training set once") {
  AlgorithmSpec cdsgd;
  cdsgd.batch_size = 32;
  // 4000 samples, 8 agents of 32: 256 a step, so 16 steps (the last one partial).
  CHECK(epochs_per_step(cdsgd, 4000, 8) == doctest::Approx(1.0 / 16.0));
  CHECK(epochs_per_step(cdsgd, 4096, 8) == doctest::Approx(1.0 / 16.0));
  CHECK(epochs_per_step(cdsgd, 4097, 8) == doctest::Approx(1.0 / 17.0));
}

TEST_CASE("a FedAvg round counts the sampled clients' share of the data times the local epochs") {
  AlgorithmSpec fedavg;
  fedavg.kind = "fedavg";
  fedavg.local_epochs = 2.0;
  fedavg.client_fraction = 1.0;
  CHECK(epochs_per_step(fedavg, 1000, 5) == doctest::Approx(2.0));
  fedavg.client_fraction = 0.5;  // round(2.5) = 3 of 5 clients
  CHECK(epochs_per_step(fedavg, 1000, 5) == doctest::Approx(3.0 / 5.0 * 2.0));
  fedavg.client_fraction = 0.01;  // at least one client
  CHECK(epochs_per_step(fedavg, 1000, 5) == doctest::Approx(1.0 / 5.0 * 2.0));
}

TEST_CASE("each algorithm talks over the links its pattern needs") {
  const Graph ring = ring_graph(5);
  AlgorithmSpec algorithm;
  const ProtocolLinks consensus = protocol_links(algorithm, ring);
  CHECK(consensus.node_count == 5);
  CHECK(consensus.edges.size() == 5);
  algorithm.kind = "sgd";
  const ProtocolLinks server = protocol_links(algorithm, ring);
  CHECK(server.node_count == 6);
  CHECK(server.edges.size() == 5);
  for (const auto& [agent, hub] : server.edges) CHECK(hub.value == 5);
  algorithm.communication = "all_reduce";
  const ProtocolLinks all_reduce = protocol_links(algorithm, complete_graph(5));
  CHECK(all_reduce.node_count == 5);
  CHECK(all_reduce.edges.size() == 5);  // the ring j -> j + 1, whatever the topology
}
