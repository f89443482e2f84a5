#include "sim/protocols/protocol.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "core/invalid_input.h"
#include "sim/protocols/asynchronous_consensus.h"
#include "sim/protocols/centralized_sgd.h"
#include "sim/protocols/choco_sgd.h"
#include "sim/protocols/federated_averaging.h"
#include "sim/protocols/parameter_server.h"
#include "sim/protocols/ring_all_reduce.h"
#include "sim/protocols/stochastic_gradient_push.h"
#include "sim/protocols/synchronous_consensus.h"

namespace cdsim {

bool is_consensus_algorithm(const AlgorithmSpec& algorithm) {
  return algorithm.kind == "cdsgd" || algorithm.kind == "cdmsgd" || algorithm.kind == "cdmsgd_two_sequence" ||
         algorithm.kind == "async_cdsgd" || algorithm.kind == "choco_sgd" || algorithm.kind == "sgp";
}

bool is_single_model(const AlgorithmSpec& algorithm) {
  return (algorithm.kind == "sgd" || algorithm.kind == "msgd") && algorithm.communication == "none";
}

double epochs_per_step(const AlgorithmSpec& algorithm, std::size_t train_samples, std::size_t agents) {
  if (algorithm.kind == "fedavg") {
    // A round trains m = max(1, round(C N)) of the N equal-share clients for E epochs each.
    const double clients = std::max(1.0, std::round(algorithm.client_fraction * static_cast<double>(agents)));
    return clients / static_cast<double>(agents) * algorithm.local_epochs;
  }
  const std::size_t samples_per_step = agents * algorithm.batch_size;
  const std::size_t steps_per_epoch = (train_samples + samples_per_step - 1) / samples_per_step;
  return 1.0 / static_cast<double>(steps_per_epoch);
}

std::size_t checked_dimension(const ProtocolContext& context, const char* protocol) {
  const std::size_t dimension = context.initial_parameters.size();
  if (dimension != 0 && dimension != context.wire_parameters) {
    throw std::logic_error(std::string(protocol) + ": " + std::to_string(dimension) +
                           " initial parameters for messages of " + std::to_string(context.wire_parameters));
  }
  for (const auto& learner : context.learners) {
    if (learner->parameter_count() != dimension) {
      throw std::logic_error(std::string(protocol) + ": learner parameter count differs from the initial vector");
    }
  }
  return dimension;
}

Compressor algorithm_compressor(const AlgorithmSpec& algorithm) {
  try {
    return Compressor(algorithm.compression);
  } catch (const InvalidInput& error) {
    throw error.within("/compression");
  }
}

std::unique_ptr<Protocol> make_protocol(ProtocolContext context) {
  const std::string& kind = context.algorithm.kind;
  if (kind == "cdsgd" || kind == "cdmsgd" || kind == "cdmsgd_two_sequence") {
    return std::make_unique<SynchronousConsensus>(std::move(context));
  }
  if (kind == "sgp") return std::make_unique<StochasticGradientPush>(std::move(context));
  if (context.schedule != nullptr) {
    throw InvalidInput("/kind", "algorithm \"" + kind + "\" cannot run on a time-varying topology (" +
                                    context.schedule->kind + "); expected cdsgd, cdmsgd, cdmsgd_two_sequence or sgp");
  }
  const bool crashes = !context.agent_changes.empty();
  if (crashes && (kind == "sgd" || kind == "msgd") && context.algorithm.communication != "parameter_server") {
    throw InvalidInput("/kind", "agents crash in this scenario, and \"" + kind + "\" with communication \"" +
                                    context.algorithm.communication +
                                    "\" does not model crashes; expected a consensus algorithm (cdsgd, cdmsgd, "
                                    "cdmsgd_two_sequence, async_cdsgd, choco_sgd), fedavg or a parameter server");
  }
  if (kind == "sgd" || kind == "msgd") {
    const std::string& communication = context.algorithm.communication;
    if (communication != "parameter_server" && context.algorithm.timeout > SimTime::zero()) {
      throw InvalidInput("/timeout", "a round deadline applies to the parameter server, not to communication \"" +
                                         communication + "\"");
    }
    if (communication == "parameter_server") return std::make_unique<ParameterServer>(std::move(context));
    if (communication == "all_reduce") return std::make_unique<RingAllReduce>(std::move(context));
    if (communication == "none") return std::make_unique<CentralizedSgd>(std::move(context));
    throw InvalidInput("/communication", "unknown communication \"" + communication +
                                             "\" for " + kind + "; expected parameter_server, all_reduce or none");
  }
  if (kind == "choco_sgd") return std::make_unique<ChocoSgd>(std::move(context));
  if (kind == "async_cdsgd") return std::make_unique<AsynchronousConsensus>(std::move(context));
  if (kind == "fedavg") return std::make_unique<FederatedAveraging>(std::move(context));
  throw InvalidInput("/kind", "no protocol implements algorithm \"" + kind + "\"");
}

ProtocolLinks protocol_links(const AlgorithmSpec& algorithm, const Graph& topology) {
  const std::size_t agents = topology.vertex_count();
  auto id = [](std::size_t node) { return AgentId{static_cast<std::uint32_t>(node)}; };
  ProtocolLinks links;
  if (is_single_model(algorithm)) {
    links.node_count = 1;  // one model, no traffic
  } else if (is_consensus_algorithm(algorithm)) {
    links.node_count = agents;
    for (const auto& [u, v] : topology.edges()) links.edges.emplace_back(id(u), id(v));
  } else if ((algorithm.kind == "sgd" || algorithm.kind == "msgd") && algorithm.communication == "all_reduce") {
    links.node_count = agents;
    if (agents == 2) links.edges.emplace_back(id(0), id(1));
    if (agents > 2) {
      for (std::size_t j = 0; j < agents; ++j) links.edges.emplace_back(id(j), id((j + 1) % agents));
    }
  } else {
    // A server, node N, linked to every agent.
    links.node_count = agents + 1;
    for (std::size_t j = 0; j < agents; ++j) links.edges.emplace_back(id(j), id(agents));
  }
  return links;
}

}  // namespace cdsim
