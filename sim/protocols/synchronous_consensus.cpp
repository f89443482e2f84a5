#include "sim/protocols/synchronous_consensus.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/consensus.h"
#include "core/invalid_input.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {
SynchronousConsensus::SynchronousConsensus(ProtocolContext context)
    : context_(std::move(context)), recorder_(context_) {
  if (context_.schedule != nullptr) {
    for (const MixingMatrix& round : context_.schedule->rounds) {
      mixings_.push_back(identity_blend(round, context_.algorithm.consensus_weight));
    }
  } else {
    mixings_.push_back(identity_blend(context_.mixing, context_.algorithm.consensus_weight));
  }
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
  std::size_t widest_row = 0;
  for (const MixingMatrix& matrix : mixings_) {
    if (agent_count != matrix.size()) {
      throw std::logic_error("SynchronousConsensus: " + std::to_string(agent_count) +
                             " learners for a mixing matrix of size " + std::to_string(matrix.size()));
    }
    Neighborhood hood{std::vector<std::vector<std::size_t>>(agent_count),
                      std::vector<std::vector<std::size_t>>(agent_count)};
    for (std::size_t j = 0; j < agent_count; ++j) {
      for (const MixingMatrix::Entry& entry : matrix.row(j)) {
        if (entry.column == j) continue;
        hood.in[j].push_back(entry.column);
        hood.out[entry.column].push_back(j);  // rows visited in ascending order: stays sorted
      }
      widest_row = std::max(widest_row, hood.in[j].size());
    }
    neighborhoods_.push_back(std::move(hood));
  }
  const std::size_t dimension = checked_dimension(context_, "SynchronousConsensus");
  agents_.resize(agent_count);
  for (std::size_t j = 0; j < agent_count; ++j) {
    Agent& agent = agents_[j];
    agent.parameters = context_.initial_parameters;
    agent.gradient.assign(dimension, 0.0f);
    agent.scratch.assign(dimension, 0.0f);
    // Two-sequence CDMSGD starts with v(0) = x(0); Nesterov with a zero velocity.
    agent.momentum = rule_ == Rule::kCdmsgdTwoSequence ? context_.initial_parameters
                                                       : std::vector<float>(dimension, 0.0f);
    for (Inbox& inbox : agent.inbox) inbox.by_neighbor.resize(widest_row);
  }
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void SynchronousConsensus::start() {
  std::vector<std::vector<float>> initial;
  for (const Agent& agent : agents_) initial.push_back(agent.parameters);
  recorder_.report(0, initial);
  if (context_.total_steps <= 0) return;
  for (std::size_t j = 0; j < agents_.size(); ++j) begin_step(j);
}

std::int64_t SynchronousConsensus::completed_steps() const {
  std::int64_t least = context_.total_steps;
  for (const Agent& agent : agents_) least = std::min(least, agent.step);
  return least;
}

std::size_t SynchronousConsensus::matrix_index(std::int64_t round) const {
  return static_cast<std::size_t>(round % static_cast<std::int64_t>(mixings_.size()));
}

std::int64_t SynchronousConsensus::global_round(const Agent& agent) const {
  return agent.step * static_cast<std::int64_t>(context_.algorithm.consensus_steps) +
         static_cast<std::int64_t>(agent.round);
}

void SynchronousConsensus::begin_step(std::size_t j) {
  Agent& agent = agents_[j];
  // The gradient math runs now; the simulated clock charges the compute time for it.
  context_.learners[j]->compute_gradient(agent.parameters, agent.gradient);
  if (context_.algorithm.weight_decay != 0.0) {
    const float decay = static_cast<float>(context_.algorithm.weight_decay);
    for (std::size_t i = 0; i < agent.gradient.size(); ++i) agent.gradient[i] += decay * agent.parameters[i];
  }
  agent.computed = false;
  agent.round = 0;
  agent.mixing = snapshot_of(agent.parameters);
  release_early(j);
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
  for (std::size_t neighbor : neighborhoods_[matrix_index(round)].out[j]) {
    const AgentId receiver{static_cast<std::uint32_t>(neighbor)};
    context_.network.send(
        payload_message(sender, receiver, round, PayloadKind::kParameters, context_.wire_parameters, agent.mixing));
  }
  agent.round_sent = true;
  try_advance(j);
}

void SynchronousConsensus::deliver(Message&& message) {
  const std::size_t j = message.to.value;
  Agent& agent = agents_.at(j);
  const std::int64_t current = global_round(agent);
  if (context_.schedule != nullptr && message.round > current + 1) {
    agent.early.push_back(std::move(message));
    return;
  }
  if (context_.algorithm.timeout > SimTime::zero() && message.round < current) {
    ++waiting_.late_messages;  // its round was mixed without it
    return;
  }
  if (message.round != current && message.round != current + 1) {
    throw std::logic_error("SynchronousConsensus: agent " + std::to_string(j) + " in round " +
                           std::to_string(current) + " received parameters of round " +
                           std::to_string(message.round));
  }
  const std::vector<std::size_t>& neighbors = neighborhoods_[matrix_index(message.round)].in[j];
  const auto position = std::lower_bound(neighbors.begin(), neighbors.end(), static_cast<std::size_t>(message.from.value));
  if (position == neighbors.end() || *position != message.from.value) {
    throw std::logic_error("SynchronousConsensus: agent " + std::to_string(j) +
                           " received parameters from non-neighbour " + std::to_string(message.from.value));
  }
  Inbox& inbox = agent.inbox[message.round % 2];
  auto& slot = inbox.by_neighbor[static_cast<std::size_t>(position - neighbors.begin())];
  if (slot) throw std::logic_error("SynchronousConsensus: duplicate parameters for one round");
  slot = std::move(message.payload);
  ++inbox.received;
  if (message.round == current) try_advance(j);
}

void SynchronousConsensus::try_advance(std::size_t j) {
  Agent& agent = agents_[j];
  if (!agent.round_sent) return;
  const std::int64_t round = global_round(agent);
  Inbox& inbox = agent.inbox[round % 2];
  const bool last_round = agent.round + 1 == context_.algorithm.consensus_steps;
  if (last_round && !agent.computed) return;
  const SimTime now = context_.simulation.now();
  if (agent.waiting_round != round) {  // ready to mix from now on
    agent.waiting_round = round;
    agent.waiting_since = now;
    agent.timed_out = false;
  }
  if (inbox.received < neighborhoods_[matrix_index(round)].in[j].size() && !agent.timed_out) {
    const SimTime timeout = context_.algorithm.timeout;
    if (timeout > SimTime::zero() && !context_.simulation.is_pending(agent.timeout_event)) {
      // The deadline is inclusive: at the deadline the timeout steps aside once, behind every
      // event already due at that instant, so a vector arriving exactly then still counts
      // (a neighbour dragged along by a timed-out agent waits exactly the timeout).
      agent.timeout_event = context_.simulation.schedule_at(agent.waiting_since + timeout, [this, j, round] {
        agents_[j].timeout_event = context_.simulation.schedule_at(context_.simulation.now(), [this, j, round] {
          Agent& waiting = agents_[j];
          if (global_round(waiting) != round || waiting.waiting_round != round) return;
          waiting.timed_out = true;
          ++waiting_.timeouts;
          try_advance(j);
        });
      });
    }
    return;
  }
  context_.simulation.cancel(agent.timeout_event);
  agent.timeout_event = EventHandle{};
  waiting_.agent_wait += now - agent.waiting_since;
  agent.waiting_round = -1;

  if (!last_round) {
    // An intermediate mixing round: y <- sum_l Pi[j][l] y_l, then exchange y again.
    mix(mixing_inputs(j, inbox), agent.scratch);
    agent.mixing = snapshot_of(agent.scratch);
    for (auto& slot : inbox.by_neighbor) slot.reset();
    inbox.received = 0;
    ++agent.round;
    agent.round_sent = false;
    release_early(j);
    // Without overlap the gradient is already computed; with overlap the exchange goes on
    // regardless of it. Either way the next round starts now.
    send_round(j);
    return;
  }
  apply_update(j, inbox);
}

void SynchronousConsensus::release_early(std::size_t j) {
  Agent& agent = agents_[j];
  if (agent.early.empty()) return;
  const std::int64_t next = global_round(agent) + 1;
  std::vector<Message> later;
  std::vector<Message> due;
  for (Message& message : agent.early) (message.round <= next ? due : later).push_back(std::move(message));
  agent.early = std::move(later);
  // round_sent is false here, so delivering does not advance the agent yet.
  for (Message& message : due) deliver(std::move(message));
}

std::shared_ptr<const std::vector<float>> SynchronousConsensus::snapshot_of(const std::vector<float>& values) const {
  return values.empty() ? empty_snapshot_ : std::make_shared<const std::vector<float>>(values);
}

std::span<const WeightedParameters> SynchronousConsensus::mixing_inputs(std::size_t j, const Inbox& inbox) {
  const Agent& agent = agents_[j];
  // The mixing row's fixed (ascending column) order fixes the float rounding too.
  inputs_.clear();
  const MixingMatrix& matrix = mixings_[matrix_index(global_round(agent))];
  // A neighbour that timed out lends its weight to the agent itself.
  double missing = 0.0;
  std::size_t slot = 0;
  for (const MixingMatrix::Entry& entry : matrix.row(j)) {
    if (entry.column != j && !inbox.by_neighbor[slot++]) missing += entry.weight;
  }
  std::size_t next_neighbor = 0;
  for (const MixingMatrix::Entry& entry : matrix.row(j)) {
    if (entry.column == j) {
      inputs_.push_back({entry.weight + missing, std::span<const float>(*agent.mixing)});
      continue;
    }
    const auto& received = inbox.by_neighbor[next_neighbor++];
    if (received) inputs_.push_back({entry.weight, std::span<const float>(*received)});
  }
  return inputs_;
}

void SynchronousConsensus::apply_update(std::size_t j, Inbox& inbox) {
  Agent& agent = agents_[j];
  const std::span<const WeightedParameters> inputs = mixing_inputs(j, inbox);
  const AlgorithmSpec& algorithm = context_.algorithm;
  const double alpha = algorithm.learning_rate * step_size(algorithm.schedule, agent.step);
  switch (rule_) {
    case Rule::kCdsgd:
      cdsgd_update(inputs, agent.gradient, alpha, agent.scratch);
      break;
    case Rule::kCdmsgdNesterov:
      cdmsgd_nesterov_update(inputs, agent.gradient, alpha, algorithm.momentum, agent.momentum, agent.scratch);
      break;
    case Rule::kCdmsgdTwoSequence:
      cdmsgd_two_sequence_update(inputs, agent.gradient, alpha, algorithm.momentum, agent.momentum, agent.scratch);
      break;
  }
  agent.parameters.swap(agent.scratch);
  for (auto& slot : inbox.by_neighbor) slot.reset();
  inbox.received = 0;
  agent.round_sent = false;
  ++agent.step;
  recorder_.agent_finished(j, agent.step, agent.parameters);
  if (agent.step < context_.total_steps) begin_step(j);
}

}  // namespace cdsim
