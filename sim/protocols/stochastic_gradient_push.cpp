#include "sim/protocols/stochastic_gradient_push.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/invalid_input.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {
namespace {

AgentId id(std::size_t agent) { return AgentId{static_cast<std::uint32_t>(agent)}; }

}  // namespace

StochasticGradientPush::StochasticGradientPush(ProtocolContext context)
    : context_(std::move(context)),
      recorder_(context_),
      outages_(context_.agent_changes, context_.learners.size()),
      agent_math_(context_.workers, context_.learners.size()) {
  robust_ = context_.algorithm.timeout > SimTime::zero() || outages_.any();
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
  if (robust_) {
    // Every directed link any matrix uses, at both ends, ascending (the matrices' lists are).
    for (const Directions& d : directions_) {
      for (std::size_t j = 0; j < n; ++j) {
        for (std::size_t k = d.out_first[j]; k < d.out_first[j + 1]; ++k) {
          std::vector<OutLink>& out = agents_[j].out_links;
          const auto at = std::lower_bound(out.begin(), out.end(), d.out[k],
                                           [](const OutLink& link, std::uint32_t to) { return link.to < to; });
          if (at == out.end() || at->to != d.out[k]) out.insert(at, OutLink{d.out[k], {}});
        }
        for (std::size_t k = d.in_first[j]; k < d.in_first[j + 1]; ++k) {
          std::vector<InLink>& in = agents_[j].in_links;
          const auto at = std::lower_bound(in.begin(), in.end(), d.in[k],
                                           [](const InLink& link, std::uint32_t from) { return link.from < from; });
          if (at == in.end() || at->from != d.in[k]) {
            InLink link;
            link.from = d.in[k];
            link.last.assign(dimension, 0.0f);
            in.insert(at, std::move(link));
          }
        }
      }
    }
  }
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void StochasticGradientPush::start() {
  std::vector<std::vector<float>> initial;
  for (const Agent& agent : agents_) initial.push_back(agent.estimate);
  recorder_.report(0, initial);
  if (context_.total_steps <= 0) return;
  outages_.schedule(context_.simulation, [this](std::size_t j, bool up) {
    if (!up) crash(j);
    if (up && agents_[j].step < context_.total_steps) begin_step(j);  // resumes from its frozen mass
  });
  for (std::size_t j = 0; j < agents_.size(); ++j) {
    if (outages_.up(j)) begin_step(j);
  }
}

double StochasticGradientPush::total_weight() const {
  double total = 0.0;
  for (const Agent& agent : agents_) total += agent.weight;
  for (const Agent& receiver : agents_) {
    for (const InLink& link : receiver.in_links) {
      const Agent& sender = agents_[link.from];
      const auto out = std::lower_bound(sender.out_links.begin(), sender.out_links.end(), &receiver - agents_.data(),
                                        [](const OutLink& l, std::ptrdiff_t to) { return l.to < to; });
      total += running_sum_in_link(out->sent, {}, link.last_weight, {});
    }
  }
  return total;
}

void StochasticGradientPush::crash(std::size_t j) {
  Agent& agent = agents_[j];
  agent_math_.finish(j);  // the gradient in flight is dropped
  agent.wait.abandon(context_.simulation, waiting_);
  agent.sent = false;
  // The sums not yet taken stay in their links (rho is unchanged): nothing is lost.
  for (InLink& link : agent.in_links) link.arrived.clear();
  // Frozen at the mass it holds (its own share, if it pushed the others before crashing).
  if (!agent.numerator.empty()) push_sum_debias(agent.numerator, agent.weight, agent.estimate);
  outages_.catch_up([this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
}

void StochasticGradientPush::crashed_step(std::size_t c, std::int64_t step) {
  agents_[c].step = step;
  recorder_.agent_finished(c, step, agents_[c].estimate);
}

void StochasticGradientPush::step_finished(std::size_t j) {
  Agent& agent = agents_[j];
  recorder_.agent_finished(j, agent.step, agent.estimate);
  if (!outages_.any()) return;
  outages_.finished(j, agent.step, [this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
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
  context_.simulation.schedule_after(context_.compute.next_step_time(j), [this, j, life = outages_.life(j)] {
    if (outages_.life(j) == life) finish_compute(j);
  });
}

void StochasticGradientPush::finish_compute(std::size_t j) {
  Agent& agent = agents_[j];
  agent_math_.finish(j);
  const AlgorithmSpec& algorithm = context_.algorithm;
  push_sum_gradient_step(agent.numerator, agent.gradient,
                         algorithm.learning_rate * step_size(algorithm.schedule, agent.step));
  if (robust_) {
    push_running_sums(j);
    return;
  }
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
  if (robust_) {
    deliver_running_sum(std::move(message));
    return;
  }
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

void StochasticGradientPush::push_running_sums(std::size_t j) {
  Agent& agent = agents_[j];
  const Directions& d = directions(agent.step);
  const double share = d.share(j);
  const std::size_t dimension = agent.numerator.size();
  for (std::size_t k = d.out_first[j]; k < d.out_first[j + 1]; ++k) {
    const std::uint32_t to = d.out[k];
    OutLink& link = *std::lower_bound(agent.out_links.begin(), agent.out_links.end(), to,
                                      [](const OutLink& l, std::uint32_t other) { return l.to < other; });
    // sigma's float32 values, then its double weight's 8 bytes as two float bit patterns:
    // the weight travels with the values, as push_sum_weight does on the wire.
    auto wire = std::make_shared<std::vector<float>>(dimension + 2);
    running_sum_push(link.sent, share, agent.numerator, agent.weight, std::span<float>(wire->data(), dimension));
    std::memcpy(wire->data() + dimension, &link.sent.weight, sizeof(double));
    Message message = payload_message(id(j), id(to), agent.step, PayloadKind::kPushSumShare, context_.wire_parameters,
                                      std::move(wire));
    message.size = push_sum_message_size(id(j), id(to), agent.step, context_.wire_parameters);
    context_.network.send(std::move(message));
  }
  // What the agent keeps: its own share, at once, so that the mass it holds and the mass
  // in its links add up whenever it crashes.
  const std::vector<PushSumShare> own = {{share, agent.numerator, agent.weight}};
  std::vector<float>& kept = agent.gradient;  // free until the next step's gradient
  agent.weight = push_sum_combine(own, kept);
  agent.numerator.swap(kept);
  agent.sent = true;
  try_combine_running_sums(j);
}

void StochasticGradientPush::deliver_running_sum(Message&& message) {
  const std::size_t j = message.to.value;
  Agent& agent = agents_.at(j);
  if (!outages_.up(j)) return;  // the network loses these; the mass stays in the link
  const auto link = std::lower_bound(agent.in_links.begin(), agent.in_links.end(), message.from.value,
                                     [](const InLink& l, std::uint32_t from) { return l.from < from; });
  if (link == agent.in_links.end() || link->from != message.from.value) {
    throw std::logic_error("StochasticGradientPush: agent " + std::to_string(j) + " received a share from " +
                           std::to_string(message.from.value) + ", not an in-neighbour");
  }
  if (message.round <= link->last_step) return;  // an older sum than one taken: nothing new
  if (message.round < agent.step) ++waiting_.late_messages;  // its step combined without it; taken at the next
  auto at = link->arrived.end();
  while (at != link->arrived.begin() && (at - 1)->first > message.round) --at;
  link->arrived.insert(at, {message.round, std::move(message.payload)});
  try_combine_running_sums(j);
}

void StochasticGradientPush::try_combine_running_sums(std::size_t j) {
  Agent& agent = agents_[j];
  if (!agent.sent) return;
  // Waited for: this step's in-neighbours with nothing of the step or later yet (a later
  // sum means this step's message was lost on a FIFO link: no use waiting).
  const Directions& d = directions(agent.step);
  bool waiting = false;
  for (std::size_t k = d.in_first[j]; k < d.in_first[j + 1]; ++k) {
    const InLink& link = *std::lower_bound(agent.in_links.begin(), agent.in_links.end(), d.in[k],
                                           [](const InLink& l, std::uint32_t from) { return l.from < from; });
    const bool heard = link.last_step >= agent.step || (!link.arrived.empty() && link.arrived.back().first >= agent.step);
    if (!heard) waiting = true;
  }
  if (!agent.wait.go_on(context_.simulation, context_.algorithm.timeout, agent.step, waiting, waiting_,
                        [this, j] { try_combine_running_sums(j); })) {
    return;
  }
  if (waiting) ++waiting_.timeouts;
  // On every in-link, in ascending sender order, the latest sum of a step <= this one.
  const std::size_t dimension = agent.numerator.size();
  for (InLink& link : agent.in_links) {
    std::size_t taken = 0;
    while (taken < link.arrived.size() && link.arrived[taken].first <= agent.step) ++taken;
    if (taken == 0) continue;
    const auto& [step, sum] = link.arrived[taken - 1];
    double sum_weight = 0.0;
    std::memcpy(&sum_weight, sum->data() + dimension, sizeof(double));
    agent.weight += running_sum_take(std::span<const float>(sum->data(), dimension), sum_weight, link.last,
                                     link.last_weight, agent.numerator);
    link.last_step = step;
    link.arrived.erase(link.arrived.begin(), link.arrived.begin() + static_cast<std::ptrdiff_t>(taken));
  }
  if (dimension > 0) push_sum_debias(agent.numerator, agent.weight, agent.estimate);
  ++agent.step;
  step_finished(j);
  if (agent.step < context_.total_steps) begin_step(j);
}

}  // namespace cdsim
