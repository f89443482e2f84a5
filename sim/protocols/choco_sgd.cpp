#include "sim/protocols/choco_sgd.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/choco.h"
#include "core/invalid_input.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {
namespace {

Compressor checked_compressor(const AlgorithmSpec& algorithm) {
  if (algorithm.kind != "choco_sgd") {
    throw InvalidInput("/kind", "\"" + algorithm.kind + "\" is not choco_sgd");
  }
  if (!(algorithm.consensus_step_size > 0.0 && algorithm.consensus_step_size <= 1.0)) {
    throw InvalidInput("/consensus_step_size",
                       "expected gamma in (0, 1], found " + std::to_string(algorithm.consensus_step_size));
  }
  return algorithm_compressor(algorithm);
}

}  // namespace

ChocoSgd::ChocoSgd(ProtocolContext context)
    : context_(std::move(context)),
      compressor_(checked_compressor(context_.algorithm)),
      recorder_(context_),
      outages_(context_.agent_changes, context_.learners.size()),
      agent_math_(context_.workers, context_.learners.size()) {
  tolerant_ = context_.algorithm.timeout > SimTime::zero() || outages_.any();
  const std::size_t agent_count = context_.learners.size();
  if (agent_count != context_.mixing.size()) {
    throw std::logic_error("ChocoSgd: " + std::to_string(agent_count) + " learners for a mixing matrix of size " +
                           std::to_string(context_.mixing.size()));
  }
  const std::size_t dimension = checked_dimension(context_, "ChocoSgd");
  if (dimension == 0 && context_.wire_parameters > 0) {
    // A compressed message's size depends on the values (top-k's index gaps, for one), and
    // a communication-only replay has none.
    throw InvalidInput("/kind", "choco_sgd needs a model: a communication-only replay has no values to compress");
  }
  const Snapshot zero = std::make_shared<const std::vector<float>>(dimension, 0.0f);
  agents_.reserve(agent_count);
  for (std::size_t j = 0; j < agent_count; ++j) {
    Agent& agent = agents_.emplace_back(context_.simulation.rng(j, RngPurpose::kCompression));
    agent.parameters = context_.initial_parameters;
    // Public copies start at zero on both ends (the paper's x_hat(0) = 0), so the first
    // exchange sends Q(x(0)).
    agent.own_public = zero;
    agent.gradient.assign(dimension, 0.0f);
    agent.scratch.assign(dimension, 0.0f);
    agent.decoded.assign(dimension, 0.0f);
    for (const MixingMatrix::Entry& entry : context_.mixing.row(j)) {
      if (entry.column == j) continue;
      Neighbor& neighbor = agent.neighbors.emplace_back();
      neighbor.agent = entry.column;
      neighbor.copy = zero;
    }
  }
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void ChocoSgd::start() {
  std::vector<std::vector<float>> initial;
  for (const Agent& agent : agents_) initial.push_back(agent.parameters);
  recorder_.report(0, initial);
  if (context_.total_steps <= 0) return;
  outages_.schedule(context_.simulation, [this](std::size_t j, bool up) { up ? recover(j) : crash(j); });
  for (std::size_t j = 0; j < agents_.size(); ++j) {
    if (outages_.up(j)) begin_step(j);
  }
}

void ChocoSgd::recover(std::size_t j) {
  if (agents_[j].step < context_.total_steps) begin_step(j);
}

std::int64_t ChocoSgd::completed_steps() const {
  std::int64_t least = context_.total_steps;
  for (const Agent& agent : agents_) least = std::min(least, agent.step);
  return least;
}

void ChocoSgd::crash(std::size_t j) {
  Agent& agent = agents_[j];
  agent_math_.finish(j);  // the gradient in flight is dropped
  agent.wait.abandon(context_.simulation, waiting_);
  agent.early.clear();
  agent.computed = false;
  agent.sent = false;
  outages_.catch_up([this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
}

void ChocoSgd::step_finished(std::size_t j) {
  Agent& agent = agents_[j];
  recorder_.agent_finished(j, agent.step, agent.parameters);
  if (!outages_.any()) return;
  outages_.finished(j, agent.step, [this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
}

void ChocoSgd::crashed_step(std::size_t c, std::int64_t step) {
  agents_[c].step = step;
  recorder_.agent_finished(c, step, agents_[c].parameters);
}

void ChocoSgd::begin_step(std::size_t j) {
  Agent& agent = agents_[j];
  // The gradient math starts now, on the worker pool, at x_j, which stays unchanged until
  // try_advance takes the result; the simulated clock charges the compute time for it.
  agent_math_.start(j, [this, j] {
    Agent& self = agents_[j];
    compute_gradient_with_decay(*context_.learners[j], self.parameters, self.gradient, context_.algorithm.weight_decay);
  });
  // q_j = Q(x_j - x_hat_j), then x_hat_j moves by q_j: the copy every neighbour will hold.
  public_copy_difference(agent.parameters, *agent.own_public, agent.scratch);
  compressor_.compress(agent.scratch, agent.rng, agent.outgoing);  // reuses its storage
  compressor_.decompress(agent.outgoing, agent.decoded);
  std::shared_ptr<std::vector<float>> public_copy = public_copies_.acquire(agent.parameters.size());
  advance_public_copy(agent.parameters, agent.scratch, agent.decoded, *public_copy);
  agent.own_public = std::move(public_copy);
  agent.computed = false;
  agent.sent = false;
  release_early(j);
  context_.simulation.schedule_after(context_.compute.next_step_time(j), [this, j, life = outages_.life(j)] {
    if (outages_.life(j) == life) finish_compute(j);
  });
  // q does not depend on the gradient, so overlapping agents send it at once.
  if (context_.algorithm.overlap_communication) send(j);
}

void ChocoSgd::finish_compute(std::size_t j) {
  Agent& agent = agents_[j];
  agent.computed = true;
  if (!agent.sent) send(j);
  try_advance(j);
}

void ChocoSgd::send(std::size_t j) {
  Agent& agent = agents_[j];
  const AgentId sender{static_cast<std::uint32_t>(j)};
  for (Neighbor& neighbor : agent.neighbors) {
    const AgentId receiver{static_cast<std::uint32_t>(neighbor.agent)};
    Message message;
    if (neighbor.owes_whole) {
      // The neighbour's copy of x_hat_j is stale: the whole copy instead of q_j.
      message = payload_message(sender, receiver, agent.step, PayloadKind::kPublicCopy, context_.wire_parameters,
                                agent.own_public);
      neighbor.owes_whole = false;
      neighbor.whole_sent_at = agent.step;
      ++whole_copies_sent_;
    } else {
      message = compressed_payload_message(sender, receiver, agent.step, PayloadKind::kPublicCopyUpdate,
                                           agent.outgoing, agent.own_public);
    }
    if (neighbor.replica.stale) message.kind |= kWholeCopyRequest;
    context_.network.send(std::move(message));
  }
  agent.sent = true;
  try_advance(j);
}

void ChocoSgd::deliver(Message&& message) {
  const std::size_t j = message.to.value;
  Agent& agent = agents_.at(j);
  if (!outages_.up(j)) return;  // the network loses these; nothing reaches a crashed agent
  const auto position = std::lower_bound(agent.neighbors.begin(), agent.neighbors.end(),
                                         static_cast<std::size_t>(message.from.value),
                                         [](const Neighbor& n, std::size_t agent_id) { return n.agent < agent_id; });
  if (position == agent.neighbors.end() || position->agent != message.from.value) {
    throw std::logic_error("ChocoSgd: agent " + std::to_string(j) + " received an update from non-neighbour " +
                           std::to_string(message.from.value));
  }
  Neighbor& neighbor = *position;
  // A request answered by a whole copy sent at its step or later is answered already (the
  // requester had not received that copy when it asked).
  if ((message.kind & kWholeCopyRequest) != 0 && neighbor.whole_sent_at < message.round) neighbor.owes_whole = true;
  const std::size_t n = static_cast<std::size_t>(position - agent.neighbors.begin());
  if (message.round > agent.step) {
    if (!tolerant_ && message.round != agent.step + 1) {
      throw std::logic_error("ChocoSgd: agent " + std::to_string(j) + " at step " + std::to_string(agent.step) +
                             " received the update of step " + std::to_string(message.round));
    }
    agent.early.push_back(std::move(message));
    return;
  }
  if (message.round < agent.step) ++waiting_.late_messages;  // its step was mixed without it; it still moves the copy
  take_in(j, n, std::move(message));
  try_advance(j);
}

void ChocoSgd::take_in(std::size_t j, std::size_t n, Message&& message) {
  Neighbor& neighbor = agents_[j].neighbors[n];
  neighbor.heard = std::max(neighbor.heard, message.round);
  const bool whole = (message.kind & ~kWholeCopyRequest) == static_cast<std::uint32_t>(PayloadKind::kPublicCopy);
  if (receive_public_copy(neighbor.replica, message.round, whole)) neighbor.copy = std::move(message.payload);
}

void ChocoSgd::release_early(std::size_t j) {
  Agent& agent = agents_[j];
  if (agent.early.empty()) return;
  std::size_t kept = 0;
  for (Message& message : agent.early) {
    if (message.round > agent.step) {
      agent.early[kept++] = std::move(message);
      continue;
    }
    const auto position = std::lower_bound(agent.neighbors.begin(), agent.neighbors.end(),
                                           static_cast<std::size_t>(message.from.value),
                                           [](const Neighbor& n, std::size_t agent_id) { return n.agent < agent_id; });
    take_in(j, static_cast<std::size_t>(position - agent.neighbors.begin()), std::move(message));
  }
  agent.early.resize(kept);
}

void ChocoSgd::try_advance(std::size_t j) {
  Agent& agent = agents_[j];
  if (!agent.sent || !agent.computed) return;
  // A neighbour whose copy is not at this step is waited for while its message of the step
  // may still come; one whose message came and could not be applied (a stale copy) is not.
  bool waiting = false;
  for (const Neighbor& neighbor : agent.neighbors) {
    if (!usable_at(neighbor.replica, agent.step) && neighbor.heard < agent.step) waiting = true;
  }
  if (!agent.wait.go_on(context_.simulation, context_.algorithm.timeout, agent.step, waiting, waiting_,
                        [this, j] { try_advance(j); })) {
    return;
  }
  // The mixing row's fixed (ascending column) order fixes the float rounding; a neighbour
  // whose copy is not at this step lends its weight to the agent itself.
  double missing = 0.0;
  std::size_t next_neighbor = 0;
  for (const MixingMatrix::Entry& entry : context_.mixing.row(j)) {
    if (entry.column != j && !usable_at(agent.neighbors[next_neighbor++].replica, agent.step)) missing += entry.weight;
  }
  if (missing > 0.0) ++waiting_.timeouts;
  copies_.clear();
  next_neighbor = 0;
  for (const MixingMatrix::Entry& entry : context_.mixing.row(j)) {
    if (entry.column == j) {
      copies_.push_back({entry.weight + missing, std::span<const float>(*agent.own_public)});
      continue;
    }
    const Neighbor& neighbor = agent.neighbors[next_neighbor++];
    if (usable_at(neighbor.replica, agent.step)) copies_.push_back({entry.weight, std::span<const float>(*neighbor.copy)});
  }
  const AlgorithmSpec& algorithm = context_.algorithm;
  const double alpha = algorithm.learning_rate * step_size(algorithm.schedule, agent.step);
  agent_math_.finish(j);
  choco_sgd_update(copies_, *agent.own_public, agent.parameters, agent.gradient, algorithm.consensus_step_size, alpha,
                   agent.scratch);
  agent.parameters.swap(agent.scratch);
  ++agent.step;
  step_finished(j);
  if (agent.step < context_.total_steps) begin_step(j);
}

}  // namespace cdsim
