#include "sim/protocols/asynchronous_consensus.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/consensus.h"
#include "core/invalid_input.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {

namespace {

// The consensus weight omega, once the settings are known to be ones this protocol runs.
double checked_consensus_weight(const AlgorithmSpec& algorithm) {
  if (algorithm.kind != "async_cdsgd") {
    throw InvalidInput("/kind", "\"" + algorithm.kind + "\" is not async_cdsgd");
  }
  if (algorithm.consensus_steps != 1) {
    throw InvalidInput("/consensus_steps", "async_cdsgd mixes once per step; expected 1, found " +
                                               std::to_string(algorithm.consensus_steps));
  }
  if (algorithm.consensus_weight < 0.0 || algorithm.consensus_weight > 1.0) {
    throw InvalidInput("/consensus_weight", "expected a weight in [0, 1], found " +
                                                std::to_string(algorithm.consensus_weight));
  }
  if (!(algorithm.learning_rate > 0.0)) throw InvalidInput("/learning_rate", "expected a step size > 0");
  return algorithm.consensus_weight;
}

}  // namespace

AsynchronousConsensus::AsynchronousConsensus(ProtocolContext context)
    : context_(std::move(context)),
      mixing_(identity_blend(context_.mixing, checked_consensus_weight(context_.algorithm))),
      recorder_(context_),
      outages_(context_.agent_changes, context_.learners.size()),
      agent_math_(context_.workers, context_.learners.size()) {
  const std::size_t agent_count = context_.learners.size();
  if (agent_count != mixing_.size()) {
    throw std::logic_error("AsynchronousConsensus: " + std::to_string(agent_count) +
                           " learners for a mixing matrix of size " + std::to_string(mixing_.size()));
  }
  const std::size_t dimension = checked_dimension(context_, "AsynchronousConsensus");
  auto start = std::make_shared<const std::vector<float>>(context_.initial_parameters);
  agents_.resize(agent_count);
  for (std::size_t j = 0; j < agent_count; ++j) {
    Agent& agent = agents_[j];
    agent.parameters = context_.initial_parameters;
    agent.gradient.assign(dimension, 0.0f);
    agent.scratch.assign(dimension, 0.0f);
    for (const MixingMatrix::Entry& entry : mixing_.row(j)) {
      if (entry.column != j) agent.neighbors.push_back(entry.column);
    }
    agent.latest.assign(agent.neighbors.size(), start);
    agent.latest_step.assign(agent.neighbors.size(), 0);
  }
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void AsynchronousConsensus::start() {
  std::vector<std::vector<float>> initial;
  for (const Agent& agent : agents_) initial.push_back(agent.parameters);
  recorder_.report(0, initial);
  if (context_.total_steps <= 0) return;
  outages_.schedule(context_.simulation, [this](std::size_t j, bool up) {
    if (!up) {
      crash(j);
    } else if (agents_[j].step < context_.total_steps) {
      begin_step(j);
    }
  });
  for (std::size_t j = 0; j < agents_.size(); ++j) {
    if (outages_.up(j)) begin_step(j);
  }
}

void AsynchronousConsensus::crash(std::size_t j) {
  agent_math_.finish(j);  // the gradient in flight is dropped
  outages_.catch_up([this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
}

void AsynchronousConsensus::crashed_step(std::size_t c, std::int64_t step) {
  agents_[c].step = step;
  recorder_.agent_finished(c, step, agents_[c].parameters);
}

std::int64_t AsynchronousConsensus::completed_steps() const {
  std::int64_t least = context_.total_steps;
  for (const Agent& agent : agents_) least = std::min(least, agent.step);
  return least;
}

void AsynchronousConsensus::begin_step(std::size_t j) {
  // The gradient is taken at x_j now (on the worker pool; x_j stays unchanged until
  // finish_step takes it); the neighbours' vectors are read when it is ready.
  agent_math_.start(j, [this, j] {
    Agent& self = agents_[j];
    compute_gradient_with_decay(*context_.learners[j], self.parameters, self.gradient, context_.algorithm.weight_decay);
  });
  context_.simulation.schedule_after(context_.compute.next_step_time(j), [this, j, life = outages_.life(j)] {
    if (outages_.life(j) == life) finish_step(j);
  });
}

void AsynchronousConsensus::finish_step(std::size_t j) {
  Agent& agent = agents_[j];
  agent_math_.finish(j);
  // Mix in the mixing row's fixed order with whatever each neighbour last sent.
  std::vector<WeightedParameters> inputs;
  inputs.reserve(agent.neighbors.size() + 1);
  std::size_t next_neighbor = 0;
  for (const MixingMatrix::Entry& entry : mixing_.row(j)) {
    if (entry.column == j) {
      inputs.push_back({entry.weight, agent.parameters});
      continue;
    }
    const std::int64_t lag = std::max<std::int64_t>(0, agent.step - agent.latest_step[next_neighbor]);
    ++staleness_.samples;
    staleness_sum_ += static_cast<double>(lag);
    staleness_.max = std::max(staleness_.max, lag);
    inputs.push_back({entry.weight, *agent.latest[next_neighbor++]});
  }
  if (staleness_.samples > 0) staleness_.mean = staleness_sum_ / static_cast<double>(staleness_.samples);
  const AlgorithmSpec& algorithm = context_.algorithm;
  cdsgd_update(inputs, agent.gradient, algorithm.learning_rate * step_size(algorithm.schedule, agent.step),
               agent.scratch);
  agent.parameters.swap(agent.scratch);
  ++agent.step;

  // One immutable snapshot, shared by the messages to every neighbour.
  auto snapshot = std::make_shared<const std::vector<float>>(agent.parameters);
  const AgentId sender{static_cast<std::uint32_t>(j)};
  for (std::size_t neighbor : agent.neighbors) {
    context_.network.send(payload_message(sender, AgentId{static_cast<std::uint32_t>(neighbor)}, agent.step,
                                          PayloadKind::kParameters, context_.wire_parameters, snapshot));
  }
  recorder_.agent_finished(j, agent.step, agent.parameters);
  if (outages_.any()) {
    outages_.finished(j, agent.step, [this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
  }
  if (agent.step < context_.total_steps) begin_step(j);
}

void AsynchronousConsensus::deliver(Message&& message) {
  Agent& agent = agents_.at(message.to.value);
  if (!outages_.up(message.to.value)) return;  // the network loses these already
  const auto position = std::lower_bound(agent.neighbors.begin(), agent.neighbors.end(),
                                         static_cast<std::size_t>(message.from.value));
  if (position == agent.neighbors.end() || *position != message.from.value) {
    throw std::logic_error("AsynchronousConsensus: agent " + std::to_string(message.to.value) +
                           " received parameters from non-neighbour " + std::to_string(message.from.value));
  }
  const auto index = static_cast<std::size_t>(position - agent.neighbors.begin());
  // Keep the newest: a network that reorders messages must not roll a neighbour back.
  if (message.round <= agent.latest_step[index]) return;
  agent.latest[index] = std::move(message.payload);
  agent.latest_step[index] = message.round;
}

}  // namespace cdsim
