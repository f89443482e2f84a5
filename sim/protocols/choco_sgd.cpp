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
      agent_math_(context_.workers, context_.learners.size()) {
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
      if (entry.column != j) agent.neighbors.push_back(entry.column);
    }
    agent.neighbor_public.assign(agent.neighbors.size(), zero);
    for (Inbox& inbox : agent.inbox) inbox.by_neighbor.resize(agent.neighbors.size());
  }
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void ChocoSgd::start() {
  std::vector<std::vector<float>> initial;
  for (const Agent& agent : agents_) initial.push_back(agent.parameters);
  recorder_.report(0, initial);
  if (context_.total_steps <= 0) return;
  for (std::size_t j = 0; j < agents_.size(); ++j) begin_step(j);
}

std::int64_t ChocoSgd::completed_steps() const {
  std::int64_t least = context_.total_steps;
  for (const Agent& agent : agents_) least = std::min(least, agent.step);
  return least;
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
  context_.simulation.schedule_after(context_.compute.next_step_time(j), [this, j] { finish_compute(j); });
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
  for (std::size_t neighbor : agent.neighbors) {
    context_.network.send(compressed_payload_message(sender, AgentId{static_cast<std::uint32_t>(neighbor)},
                                                     agent.step, PayloadKind::kPublicCopyUpdate, agent.outgoing,
                                                     agent.own_public));
  }
  agent.sent = true;
  try_advance(j);
}

void ChocoSgd::deliver(Message&& message) {
  const std::size_t j = message.to.value;
  Agent& agent = agents_.at(j);
  if (message.round != agent.step && message.round != agent.step + 1) {
    throw std::logic_error("ChocoSgd: agent " + std::to_string(j) + " at step " + std::to_string(agent.step) +
                           " received the update of step " + std::to_string(message.round));
  }
  const auto position = std::lower_bound(agent.neighbors.begin(), agent.neighbors.end(),
                                         static_cast<std::size_t>(message.from.value));
  if (position == agent.neighbors.end() || *position != message.from.value) {
    throw std::logic_error("ChocoSgd: agent " + std::to_string(j) + " received an update from non-neighbour " +
                           std::to_string(message.from.value));
  }
  Inbox& inbox = agent.inbox[message.round % 2];
  auto& slot = inbox.by_neighbor[static_cast<std::size_t>(position - agent.neighbors.begin())];
  if (slot) throw std::logic_error("ChocoSgd: duplicate update for one step");
  slot = std::move(message.payload);
  ++inbox.received;
  if (message.round == agent.step) try_advance(j);
}

void ChocoSgd::try_advance(std::size_t j) {
  Agent& agent = agents_[j];
  Inbox& inbox = agent.inbox[agent.step % 2];
  if (!agent.sent || !agent.computed || inbox.received < agent.neighbors.size()) return;
  for (std::size_t n = 0; n < agent.neighbors.size(); ++n) agent.neighbor_public[n] = std::move(inbox.by_neighbor[n]);
  inbox.received = 0;
  // The mixing row's fixed (ascending column) order fixes the float rounding.
  std::vector<WeightedParameters> copies;
  copies.reserve(agent.neighbors.size() + 1);
  std::size_t next_neighbor = 0;
  for (const MixingMatrix::Entry& entry : context_.mixing.row(j)) {
    copies.push_back({entry.weight, entry.column == j ? std::span<const float>(*agent.own_public)
                                                      : std::span<const float>(*agent.neighbor_public[next_neighbor++])});
  }
  const AlgorithmSpec& algorithm = context_.algorithm;
  const double alpha = algorithm.learning_rate * step_size(algorithm.schedule, agent.step);
  agent_math_.finish(j);
  choco_sgd_update(copies, *agent.own_public, agent.parameters, agent.gradient, algorithm.consensus_step_size, alpha,
                   agent.scratch);
  agent.parameters.swap(agent.scratch);
  ++agent.step;
  recorder_.agent_finished(j, agent.step, agent.parameters);
  if (agent.step < context_.total_steps) begin_step(j);
}

}  // namespace cdsim
