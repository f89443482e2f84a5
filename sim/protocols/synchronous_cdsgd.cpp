#include "sim/protocols/synchronous_cdsgd.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/consensus.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {

SynchronousCdsgd::SynchronousCdsgd(Simulation& simulation, Network& network,
                                   const MixingMatrix& mixing,
                                   std::vector<std::unique_ptr<LocalLearner>>& learners,
                                   const std::vector<float>& initial_parameters,
                                   const AlgorithmSpec& algorithm, const ComputeSpec& compute,
                                   Options options, StepObserver observer)
    : simulation_(simulation),
      network_(network),
      mixing_(mixing),
      learners_(learners),
      algorithm_(algorithm),
      compute_(compute),
      options_(options),
      observer_(std::move(observer)) {
  if (learners_.size() != mixing_.size()) {
    throw std::logic_error("SynchronousCdsgd: " + std::to_string(learners_.size()) +
                           " learners for a mixing matrix of size " + std::to_string(mixing_.size()));
  }
  if (options_.observe_every_steps < 1) options_.observe_every_steps = 1;
  agents_.resize(learners_.size());
  for (std::size_t j = 0; j < agents_.size(); ++j) {
    Agent& agent = agents_[j];
    if (learners_[j]->parameter_count() != initial_parameters.size()) {
      throw std::logic_error("SynchronousCdsgd: learner parameter count differs from the initial vector");
    }
    agent.parameters = initial_parameters;
    agent.gradient.assign(initial_parameters.size(), 0.0f);
    agent.next.assign(initial_parameters.size(), 0.0f);
    for (const MixingMatrix::Entry& entry : mixing_.row(j)) {
      if (entry.column != j) agent.neighbors.push_back(entry.column);
    }
    for (Inbox& inbox : agent.inbox) inbox.by_neighbor.resize(agent.neighbors.size());
  }
  network_.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void SynchronousCdsgd::start() {
  if (observer_) {
    std::vector<std::vector<float>> initial;
    for (const Agent& agent : agents_) initial.push_back(agent.parameters);
    const NetworkStats& stats = network_.stats();
    observer_(StepSnapshot{0, simulation_.now(), stats.bytes_sent, stats.messages_sent, initial});
  }
  if (options_.total_steps <= 0) return;
  for (std::size_t j = 0; j < agents_.size(); ++j) begin_step(j);
}

std::int64_t SynchronousCdsgd::completed_steps() const {
  std::int64_t least = options_.total_steps;
  for (const Agent& agent : agents_) least = std::min(least, agent.step);
  return least;
}

void SynchronousCdsgd::begin_step(std::size_t j) {
  Agent& agent = agents_[j];
  // The gradient math runs now; simulated time charges the configured compute time for it.
  learners_[j]->compute_gradient(agent.parameters, agent.gradient);
  simulation_.schedule_after(compute_.step_time, [this, j] { finish_compute(j); });
}

void SynchronousCdsgd::finish_compute(std::size_t j) {
  Agent& agent = agents_[j];
  // One immutable snapshot, shared by the messages to every neighbour.
  auto snapshot = std::make_shared<const std::vector<float>>(agent.parameters);
  const AgentId sender{static_cast<std::uint32_t>(j)};
  for (std::size_t neighbor : agent.neighbors) {
    const AgentId receiver{static_cast<std::uint32_t>(neighbor)};
    Message message;
    message.from = sender;
    message.to = receiver;
    message.size = parameter_message_size(sender, receiver, agent.step, PayloadKind::kParameters,
                                          snapshot->size());
    message.kind = static_cast<std::uint32_t>(PayloadKind::kParameters);
    message.round = agent.step;
    message.payload = snapshot;
    network_.send(std::move(message));
  }
  agent.sent = true;
  try_update(j);
}

void SynchronousCdsgd::deliver(Message&& message) {
  const std::size_t j = message.to.value;
  Agent& agent = agents_.at(j);
  if (message.round != agent.step && message.round != agent.step + 1) {
    throw std::logic_error("SynchronousCdsgd: agent " + std::to_string(j) + " at step " +
                           std::to_string(agent.step) + " received parameters of step " +
                           std::to_string(message.round));
  }
  const auto position = std::lower_bound(agent.neighbors.begin(), agent.neighbors.end(),
                                         static_cast<std::size_t>(message.from.value));
  if (position == agent.neighbors.end() || *position != message.from.value) {
    throw std::logic_error("SynchronousCdsgd: agent " + std::to_string(j) +
                           " received parameters from non-neighbour " + std::to_string(message.from.value));
  }
  Inbox& inbox = agent.inbox[message.round % 2];
  auto& slot = inbox.by_neighbor[static_cast<std::size_t>(position - agent.neighbors.begin())];
  if (slot) throw std::logic_error("SynchronousCdsgd: duplicate parameters for one step");
  slot = std::move(message.payload);
  ++inbox.received;
  if (message.round == agent.step) try_update(j);
}

void SynchronousCdsgd::try_update(std::size_t j) {
  Agent& agent = agents_[j];
  Inbox& inbox = agent.inbox[agent.step % 2];
  if (!agent.sent || inbox.received < agent.neighbors.size()) return;

  // Mix in the mixing row's fixed (ascending column) order, so the rounding is fixed too.
  std::vector<WeightedParameters> inputs;
  inputs.reserve(agent.neighbors.size() + 1);
  std::size_t next_neighbor = 0;
  for (const MixingMatrix::Entry& entry : mixing_.row(j)) {
    if (entry.column == j) {
      inputs.push_back({entry.weight, agent.parameters});
    } else {
      inputs.push_back({entry.weight, *inbox.by_neighbor[next_neighbor++]});
    }
  }
  cdsgd_update(inputs, agent.gradient, algorithm_.learning_rate, agent.next);
  agent.parameters.swap(agent.next);
  for (auto& slot : inbox.by_neighbor) slot.reset();
  inbox.received = 0;
  agent.sent = false;
  ++agent.step;
  if (is_observed(agent.step)) record(j);
  if (agent.step < options_.total_steps) begin_step(j);
}

bool SynchronousCdsgd::is_observed(std::int64_t step) const {
  return step == options_.total_steps || step % options_.observe_every_steps == 0;
}

void SynchronousCdsgd::record(std::size_t j) {
  const std::int64_t step = agents_[j].step;
  PendingObservation& observation = pending_[step];
  if (observation.parameters.empty()) observation.parameters.resize(agents_.size());
  observation.parameters[j] = agents_[j].parameters;
  if (++observation.agents_done < agents_.size()) return;
  if (observer_) {
    const NetworkStats& stats = network_.stats();
    observer_(StepSnapshot{step, simulation_.now(), stats.bytes_sent, stats.messages_sent,
                           observation.parameters});
  }
  pending_.erase(step);
}

}  // namespace cdsim
