#include "sim/protocols/synchronous_consensus.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/consensus.h"
#include "core/invalid_input.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {
SynchronousConsensus::SynchronousConsensus(ProtocolContext context)
    : context_(std::move(context)),
      mixing_(identity_blend(context_.mixing, context_.algorithm.consensus_weight)),
      recorder_(context_),
      agent_math_(context_.workers, context_.learners.size()) {
  const AlgorithmSpec& algorithm = context_.algorithm;
  if (algorithm.kind == "cdsgd") {
    rule_ = Rule::kCdsgd;
  } else if (algorithm.kind == "cdmsgd") {
    rule_ = Rule::kCdmsgdNesterov;
  } else if (algorithm.kind == "cdmsgd_two_sequence") {
    rule_ = Rule::kCdmsgdTwoSequence;
  } else {
    throw InvalidInput("/kind", "\"" + algorithm.kind + "\" is not a synchronous consensus algorithm");
  }
  if (algorithm.consensus_steps < 1) throw InvalidInput("/consensus_steps", "expected at least 1 mixing round");
  if (algorithm.consensus_weight < 0.0 || algorithm.consensus_weight > 1.0) {
    throw InvalidInput("/consensus_weight", "expected a weight in [0, 1]");
  }
  const std::size_t agent_count = context_.learners.size();
  if (agent_count != mixing_.size()) {
    throw std::logic_error("SynchronousConsensus: " + std::to_string(agent_count) +
                           " learners for a mixing matrix of size " + std::to_string(mixing_.size()));
  }
  const std::size_t dimension = checked_dimension(context_, "SynchronousConsensus");
  agents_.resize(agent_count);
  vectors_.resize(agent_count);
  first_neighbor_.reserve(agent_count + 1);
  for (std::size_t j = 0; j < agent_count; ++j) {
    Vectors& vectors = vectors_[j];
    vectors.parameters = context_.initial_parameters;
    vectors.gradient.assign(dimension, 0.0f);
    vectors.scratch.assign(dimension, 0.0f);
    // Two-sequence CDMSGD starts with v(0) = x(0); Nesterov with a zero velocity.
    vectors.momentum = rule_ == Rule::kCdmsgdTwoSequence ? context_.initial_parameters
                                                         : std::vector<float>(dimension, 0.0f);
    first_neighbor_.push_back(neighbors_.size());
    for (const MixingMatrix::Entry& entry : mixing_.row(j)) {
      if (entry.column != j) neighbors_.push_back(static_cast<std::uint32_t>(entry.column));
    }
  }
  first_neighbor_.push_back(neighbors_.size());
  for (auto& inbox : inbox_) inbox.resize(neighbors_.size());
  for (auto& filled : filled_) filled.assign(neighbors_.size(), 0);
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void SynchronousConsensus::start() {
  std::vector<std::vector<float>> initial;
  for (const Vectors& vectors : vectors_) initial.push_back(vectors.parameters);
  recorder_.report(0, initial);
  if (context_.total_steps <= 0) return;
  for (std::size_t j = 0; j < agents_.size(); ++j) begin_step(j);
}

std::int64_t SynchronousConsensus::completed_steps() const {
  std::int64_t least = context_.total_steps;
  for (const Agent& agent : agents_) least = std::min(least, agent.step);
  return least;
}

std::int64_t SynchronousConsensus::global_round(const Agent& agent) const {
  return agent.step * static_cast<std::int64_t>(context_.algorithm.consensus_steps) +
         static_cast<std::int64_t>(agent.round);
}

void SynchronousConsensus::begin_step(std::size_t j) {
  Agent& agent = agents_[j];
  Vectors& vectors = vectors_[j];
  // The gradient math starts now, on the worker pool, at x_j(step), which stays unchanged
  // until apply_update takes the result; the simulated clock charges the compute time for it.
  agent_math_.start(j, [this, j] {
    Vectors& own = vectors_[j];
    compute_gradient_with_decay(*context_.learners[j], own.parameters, own.gradient, context_.algorithm.weight_decay);
  });
  agent.computed = false;
  agent.round = 0;
  agent.mixing = snapshot_of(vectors.parameters);
  context_.simulation.schedule_after(context_.compute.next_step_time(j), [this, j] { finish_compute(j); });
  // Overlapping agents put their parameters on the wire while they compute.
  if (context_.algorithm.overlap_communication) send_round(j);
}

void SynchronousConsensus::finish_compute(std::size_t j) {
  Agent& agent = agents_[j];
  agent.computed = true;
  if (!agent.round_sent && agent.round == 0) send_round(j);
  try_advance(j);
}

void SynchronousConsensus::send_round(std::size_t j) {
  Agent& agent = agents_[j];
  const AgentId sender{static_cast<std::uint32_t>(j)};
  const std::int64_t round = global_round(agent);
  for (std::size_t k = first_neighbor_[j]; k < first_neighbor_[j + 1]; ++k) {
    context_.network.send(payload_message(sender, AgentId{neighbors_[k]}, round, PayloadKind::kParameters,
                                          context_.wire_parameters, agent.mixing));
  }
  agent.round_sent = true;
  try_advance(j);
}

void SynchronousConsensus::deliver(Message&& message) {
  const std::size_t j = message.to.value;
  Agent& agent = agents_.at(j);
  const std::int64_t current = global_round(agent);
  if (message.round != current && message.round != current + 1) {
    throw std::logic_error("SynchronousConsensus: agent " + std::to_string(j) + " in round " +
                           std::to_string(current) + " received parameters of round " +
                           std::to_string(message.round));
  }
  const auto first = neighbors_.begin() + static_cast<std::ptrdiff_t>(first_neighbor_[j]);
  const auto last = neighbors_.begin() + static_cast<std::ptrdiff_t>(first_neighbor_[j + 1]);
  const auto position = std::lower_bound(first, last, message.from.value);
  if (position == last || *position != message.from.value) {
    throw std::logic_error("SynchronousConsensus: agent " + std::to_string(j) +
                           " received parameters from non-neighbour " + std::to_string(message.from.value));
  }
  const std::size_t parity = static_cast<std::size_t>(message.round % 2);
  const auto index = static_cast<std::size_t>(position - neighbors_.begin());
  if (filled_[parity][index] != 0) throw std::logic_error("SynchronousConsensus: duplicate parameters for one round");
  filled_[parity][index] = 1;
  inbox_[parity][index] = std::move(message.payload);
  ++agent.received[parity];
  if (message.round == current) try_advance(j);
}

void SynchronousConsensus::clear_inbox(std::size_t j, std::size_t parity) {
  for (std::size_t k = first_neighbor_[j]; k < first_neighbor_[j + 1]; ++k) {
    if (inbox_[parity][k]) inbox_[parity][k].reset();
    filled_[parity][k] = 0;
  }
  agents_[j].received[parity] = 0;
}

void SynchronousConsensus::try_advance(std::size_t j) {
  Agent& agent = agents_[j];
  if (!agent.round_sent) return;
  const std::size_t parity = static_cast<std::size_t>(global_round(agent) % 2);
  if (agent.received[parity] < first_neighbor_[j + 1] - first_neighbor_[j]) return;
  const bool last_round = agent.round + 1 == context_.algorithm.consensus_steps;
  if (last_round && !agent.computed) return;

  if (!last_round) {
    // An intermediate mixing round: y <- sum_l Pi[j][l] y_l, then exchange y again.
    Vectors& vectors = vectors_[j];
    mix(mixing_inputs(j, parity), vectors.scratch);
    agent.mixing = snapshot_of(vectors.scratch);
    clear_inbox(j, parity);
    ++agent.round;
    agent.round_sent = false;
    // Without overlap the gradient is already computed; with overlap the exchange goes on
    // regardless of it. Either way the next round starts now.
    send_round(j);
    return;
  }
  apply_update(j, parity);
}

std::shared_ptr<const std::vector<float>> SynchronousConsensus::snapshot_of(const std::vector<float>& values) {
  return values.empty() ? nullptr : std::make_shared<const std::vector<float>>(values);
}

std::span<const WeightedParameters> SynchronousConsensus::mixing_inputs(std::size_t j, std::size_t parity) {
  const Agent& agent = agents_[j];
  // The mixing row's fixed (ascending column) order fixes the float rounding too.
  inputs_.clear();
  auto values = [](const std::shared_ptr<const std::vector<float>>& snapshot) {
    return snapshot ? std::span<const float>(*snapshot) : std::span<const float>();
  };
  std::size_t next_neighbor = first_neighbor_[j];
  for (const MixingMatrix::Entry& entry : mixing_.row(j)) {
    inputs_.push_back({entry.weight, values(entry.column == j ? agent.mixing : inbox_[parity][next_neighbor++])});
  }
  return inputs_;
}

void SynchronousConsensus::apply_update(std::size_t j, std::size_t parity) {
  Agent& agent = agents_[j];
  agent_math_.finish(j);
  Vectors& vectors = vectors_[j];
  const std::span<const WeightedParameters> inputs = mixing_inputs(j, parity);
  const AlgorithmSpec& algorithm = context_.algorithm;
  const double alpha = algorithm.learning_rate * step_size(algorithm.schedule, agent.step);
  switch (rule_) {
    case Rule::kCdsgd:
      cdsgd_update(inputs, vectors.gradient, alpha, vectors.scratch);
      break;
    case Rule::kCdmsgdNesterov:
      cdmsgd_nesterov_update(inputs, vectors.gradient, alpha, algorithm.momentum, vectors.momentum, vectors.scratch);
      break;
    case Rule::kCdmsgdTwoSequence:
      cdmsgd_two_sequence_update(inputs, vectors.gradient, alpha, algorithm.momentum, vectors.momentum,
                                 vectors.scratch);
      break;
  }
  vectors.parameters.swap(vectors.scratch);
  clear_inbox(j, parity);
  agent.round_sent = false;
  ++agent.step;
  recorder_.agent_finished(j, agent.step, vectors.parameters);
  if (agent.step < context_.total_steps) begin_step(j);
}

}  // namespace cdsim
