#include "sim/protocols/stochastic_gradient_push.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/invalid_input.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {
namespace {

AgentId id(std::size_t agent) { return AgentId{static_cast<std::uint32_t>(agent)}; }

}  // namespace

StochasticGradientPush::StochasticGradientPush(ProtocolContext context)
    : context_(std::move(context)), recorder_(context_), agent_math_(context_.workers, context_.learners.size()) {
  if (context_.algorithm.kind != "sgp") {
    throw InvalidInput("/kind", "\"" + context_.algorithm.kind + "\" is not sgp");
  }
  const std::size_t n = context_.learners.size();
  std::vector<const MixingMatrix*> matrices;
  if (context_.schedule != nullptr) {
    for (const MixingMatrix& matrix : context_.schedule->rounds) matrices.push_back(&matrix);
  } else {
    matrices.push_back(&context_.mixing);
  }
  for (const MixingMatrix* matrix : matrices) {
    if (matrix->size() != n) {
      throw std::logic_error("StochasticGradientPush: " + std::to_string(n) + " learners for a mixing matrix of size " +
                             std::to_string(matrix->size()));
    }
    Directions& d = directions_.emplace_back();
    std::vector<std::vector<std::uint32_t>> out(n);
    d.in_first.push_back(0);
    for (std::size_t j = 0; j < n; ++j) {
      for (const MixingMatrix::Entry& entry : matrix->row(j)) {
        if (entry.column == j || entry.weight <= 0.0) continue;
        d.in.push_back(static_cast<std::uint32_t>(entry.column));
        out[entry.column].push_back(static_cast<std::uint32_t>(j));  // rows ascend, so each list does
      }
      d.in_first.push_back(d.in.size());
    }
    d.out_first.push_back(0);
    for (const auto& targets : out) {
      d.out.insert(d.out.end(), targets.begin(), targets.end());
      d.out_first.push_back(d.out.size());
    }
  }
  const std::size_t dimension = checked_dimension(context_, "StochasticGradientPush");
  agents_.resize(n);
  for (Agent& agent : agents_) {
    agent.numerator = context_.initial_parameters;
    agent.estimate = context_.initial_parameters;
    agent.gradient.assign(dimension, 0.0f);
  }
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void StochasticGradientPush::start() {
  std::vector<std::vector<float>> initial;
  for (const Agent& agent : agents_) initial.push_back(agent.estimate);
  recorder_.report(0, initial);
  if (context_.total_steps <= 0) return;
  for (std::size_t j = 0; j < agents_.size(); ++j) begin_step(j);
}

std::int64_t StochasticGradientPush::completed_steps() const {
  std::int64_t least = context_.total_steps;
  for (const Agent& agent : agents_) least = std::min(least, agent.step);
  return least;
}

void StochasticGradientPush::begin_step(std::size_t j) {
  // The gradient at z_j, on the worker pool; z_j stays unchanged until finish_compute.
  agent_math_.start(j, [this, j] {
    Agent& self = agents_[j];
    compute_gradient_with_decay(*context_.learners[j], self.estimate, self.gradient, context_.algorithm.weight_decay);
  });
  agents_[j].sent = false;
  context_.simulation.schedule_after(context_.compute.next_step_time(j), [this, j] { finish_compute(j); });
}

void StochasticGradientPush::finish_compute(std::size_t j) {
  Agent& agent = agents_[j];
  agent_math_.finish(j);
  const AlgorithmSpec& algorithm = context_.algorithm;
  push_sum_gradient_step(agent.numerator, agent.gradient,
                         algorithm.learning_rate * step_size(algorithm.schedule, agent.step));
  agent.outgoing = std::make_shared<const std::vector<float>>(agent.numerator);
  const Directions& d = directions(agent.step);
  const std::size_t receivers = d.out_first[j + 1] - d.out_first[j];
  if (agent.sent_weights.empty()) agent.first_sent_step = agent.step;
  agent.sent_weights.push_back({agent.weight, receivers});
  drop_delivered(agent);
  for (std::size_t k = d.out_first[j]; k < d.out_first[j + 1]; ++k) {
    Message message = payload_message(id(j), id(d.out[k]), agent.step, PayloadKind::kPushSumShare,
                                      context_.wire_parameters, agent.outgoing);
    message.size = push_sum_message_size(id(j), id(d.out[k]), agent.step, context_.wire_parameters);
    context_.network.send(std::move(message));
  }
  agent.sent = true;
  try_advance(j);
}

void StochasticGradientPush::drop_delivered(Agent& sender) {
  while (!sender.sent_weights.empty() && sender.sent_weights.front().receivers_left == 0) {
    sender.sent_weights.pop_front();
    ++sender.first_sent_step;
  }
}

void StochasticGradientPush::deliver(Message&& message) {
  const std::size_t j = message.to.value;
  const std::size_t from = message.from.value;
  Agent& agent = agents_.at(j);
  if (message.round < agent.step) {
    throw std::logic_error("StochasticGradientPush: agent " + std::to_string(j) + " at step " +
                           std::to_string(agent.step) + " received the share of step " + std::to_string(message.round));
  }
  const Directions& d = directions(message.round);
  const auto first = d.in.begin() + static_cast<std::ptrdiff_t>(d.in_first[j]);
  const auto last = d.in.begin() + static_cast<std::ptrdiff_t>(d.in_first[j + 1]);
  const auto position = std::lower_bound(first, last, static_cast<std::uint32_t>(from));
  if (position == last || *position != from) {
    throw std::logic_error("StochasticGradientPush: agent " + std::to_string(j) + " received a share from " +
                           std::to_string(from) + ", not an in-neighbour in round " + std::to_string(message.round));
  }
  // The weight that travelled with the numerator.
  Agent& sender = agents_[from];
  Sent& sent = sender.sent_weights.at(static_cast<std::size_t>(message.round - sender.first_sent_step));
  const double weight = sent.weight;
  --sent.receivers_left;
  drop_delivered(sender);
  Inbox& inbox = agent.inbox[message.round];
  if (inbox.numerators.empty()) {
    inbox.numerators.resize(static_cast<std::size_t>(last - first));
    inbox.weights.resize(inbox.numerators.size());
  }
  const auto slot = static_cast<std::size_t>(position - first);
  if (inbox.numerators[slot]) throw std::logic_error("StochasticGradientPush: duplicate share for one step");
  inbox.numerators[slot] = std::move(message.payload);
  inbox.weights[slot] = weight;
  ++inbox.received;
  if (message.round == agent.step) try_advance(j);
}

void StochasticGradientPush::try_advance(std::size_t j) {
  Agent& agent = agents_[j];
  if (!agent.sent) return;
  const Directions& d = directions(agent.step);
  const std::size_t expected = d.in_first[j + 1] - d.in_first[j];
  auto found = agent.inbox.find(agent.step);
  if (expected > 0 && (found == agent.inbox.end() || found->second.received < expected)) return;
  // The shares in ascending sender order (j's own among them) fix the float rounding.
  shares_.clear();
  bool own_added = false;
  for (std::size_t k = 0; k < expected; ++k) {
    const std::size_t from = d.in[d.in_first[j] + k];
    if (!own_added && from > j) {
      shares_.push_back({d.share(j), *agent.outgoing, agent.weight});
      own_added = true;
    }
    const Inbox& inbox = found->second;
    shares_.push_back({d.share(from), *inbox.numerators[k], inbox.weights[k]});
  }
  if (!own_added) shares_.push_back({d.share(j), *agent.outgoing, agent.weight});
  agent.weight = push_sum_combine(shares_, agent.numerator);
  push_sum_debias(agent.numerator, agent.weight, agent.estimate);
  if (found != agent.inbox.end()) agent.inbox.erase(found);
  agent.outgoing.reset();
  ++agent.step;
  recorder_.agent_finished(j, agent.step, agent.estimate);
  if (agent.step < context_.total_steps) begin_step(j);
}

}  // namespace cdsim
