#include "sim/protocols/federated_averaging.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/consensus.h"
#include "core/error_feedback.h"
#include "core/invalid_input.h"
#include "core/optimizer.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {
namespace {

void validate_fedavg(const AlgorithmSpec& algorithm) {
  if (algorithm.kind != "fedavg") throw InvalidInput("/kind", "\"" + algorithm.kind + "\" is not fedavg");
  if (!(algorithm.client_fraction > 0.0 && algorithm.client_fraction <= 1.0)) {
    throw InvalidInput("/client_fraction",
                       "expected a fraction in (0, 1], found " + std::to_string(algorithm.client_fraction));
  }
  if (!(algorithm.local_epochs > 0.0) || !std::isfinite(algorithm.local_epochs)) {
    throw InvalidInput("/local_epochs", "expected a number > 0, found " + std::to_string(algorithm.local_epochs));
  }
  if (algorithm.batch_size == 0) throw InvalidInput("/batch_size", "expected a batch of at least 1 sample");
  // Clients run plain SGD; the optimizer's checks cover the step size and weight decay.
  OptimizerSpec local;
  local.learning_rate = algorithm.learning_rate;
  local.weight_decay = algorithm.weight_decay;
  local.schedule = algorithm.schedule;
  validate(local);
}

}  // namespace

FederatedAveraging::FederatedAveraging(ProtocolContext context)
    : context_(std::move(context)),
      compressor_(algorithm_compressor(context_.algorithm)),
      server_{static_cast<std::uint32_t>(context_.learners.size())},
      clients_per_round_(0),
      global_(context_.initial_parameters),
      recorder_(context_),
      outages_(context_.agent_changes, context_.learners.size()),
      agent_math_(context_.workers, context_.learners.size()) {
  const AlgorithmSpec& algorithm = context_.algorithm;
  validate_fedavg(algorithm);
  const std::size_t client_count = context_.learners.size();
  if (client_count == 0) throw std::logic_error("FederatedAveraging: no clients");
  if (context_.network.node_count() <= client_count) {
    throw std::logic_error("FederatedAveraging: the network has no server node " + std::to_string(client_count));
  }
  clients_per_round_ = std::max<std::size_t>(
      1, static_cast<std::size_t>(std::llround(algorithm.client_fraction * static_cast<double>(client_count))));
  const std::size_t dimension = checked_dimension(context_, "FederatedAveraging");
  if (!compressor_.is_lossless() && dimension == 0 && context_.wire_parameters > 0) {
    throw InvalidInput("/compression", "a communication-only replay has no model updates to compress");
  }
  for (const auto& learner : context_.learners) {
    Client client;
    client.rng = context_.simulation.rng(clients_.size(), RngPurpose::kCompression);
    if (!compressor_.is_lossless()) client.residual.assign(dimension, 0.0f);
    client.gradient.assign(global_.size(), 0.0f);
    client.shard_size = learner->shard_size();
    if (client.shard_size == 0) throw std::logic_error("FederatedAveraging: a client with an empty shard");
    // E n_j / B local steps, rounded up; the slack keeps e.g. 0.1 * 30 / 1 at 3, not 4.
    const double steps = algorithm.local_epochs * static_cast<double>(client.shard_size) /
                         static_cast<double>(algorithm.batch_size);
    client.local_steps = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(steps - 1e-9)));
    clients_.push_back(std::move(client));
  }
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

std::vector<std::size_t> FederatedAveraging::sample_clients(std::int64_t round) const {
  // A partial Fisher-Yates shuffle: the first m places get m distinct clients.
  std::vector<std::size_t> order(clients_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng = context_.simulation.rng(static_cast<std::uint64_t>(round), RngPurpose::kSampling);
  for (std::size_t i = 0; i < clients_per_round_; ++i) {
    const std::size_t pick = i + static_cast<std::size_t>(rng.uniform_index(order.size() - i));
    std::swap(order[i], order[pick]);
  }
  order.resize(clients_per_round_);
  std::sort(order.begin(), order.end());
  return order;
}

void FederatedAveraging::start() {
  if (recorder_.is_observed(0)) recorder_.report(0, std::vector<std::vector<float>>(clients_.size(), global_));
  if (context_.total_steps > 0) {
    outages_.schedule(context_.simulation, [this](std::size_t j, bool up) {
      if (!up) drop_training(j);
    });
  }
  begin_round();
}

void FederatedAveraging::drop_training(std::size_t j) {
  Client& client = clients_[j];
  if (!client.training) return;
  agent_math_.finish(j);
  client.training = false;
  ++client.job;
}

void FederatedAveraging::begin_round() {
  if (round_ >= context_.total_steps) return;
  sampled_ = sample_clients(round_);
  returned_.assign(sampled_.size(), nullptr);
  returned_count_ = 0;
  // One snapshot of the global model, shared by the messages down.
  std::shared_ptr<const std::vector<float>> snapshot = model_buffers_.copy_of(global_.begin(), global_.end());
  for (std::size_t client : sampled_) send(server_, AgentId{static_cast<std::uint32_t>(client)}, snapshot);
  round_deadline_.arm(context_.simulation, context_.algorithm.timeout, [this, round = round_] {
    if (round_ != round) return;
    ++deadline_.rounds_closed_by_deadline;
    deadline_.missing_answers += sampled_.size() - returned_count_;
    close_round();
  });
}

void FederatedAveraging::send(AgentId from, AgentId to, std::shared_ptr<const std::vector<float>> model) {
  context_.network.send(
      payload_message(from, to, round_, PayloadKind::kParameters, context_.wire_parameters, std::move(model)));
}

void FederatedAveraging::deliver(Message&& message) {
  if (message.round < round_ && context_.algorithm.timeout > SimTime::zero()) {
    ++deadline_.late_messages;  // its round was closed without it
    return;
  }
  if (message.round != round_) {
    throw std::logic_error("FederatedAveraging: a message of round " + std::to_string(message.round) +
                           " arrived in round " + std::to_string(round_));
  }
  if (message.to == server_) {
    receive_client_model(std::move(message));
    return;
  }
  const std::size_t j = message.to.value;
  if (!outages_.up(j)) return;  // the network loses these already
  // A client still training for a round the deadline closed drops that training.
  drop_training(j);
  train(j, *message.payload);
}

void FederatedAveraging::train(std::size_t j, const std::vector<float>& global) {
  Client& client = clients_.at(j);
  const AlgorithmSpec& algorithm = context_.algorithm;
  // The step size follows the schedule by round: every local step of round r uses alpha_r.
  const float alpha = static_cast<float>(algorithm.learning_rate * step_size(algorithm.schedule, round_));
  const float decay = static_cast<float>(algorithm.weight_decay);
  client.parameters = global;
  client.training = true;
  const std::uint64_t job = ++client.job;
  // The local math starts now, on the worker pool, and is taken when the client is done;
  // the simulated clock charges each local step's compute time, with the smaller last batch
  // of a pass over the shard where the compute model cares.
  agent_math_.start(j, [this, j, alpha, decay] {
    Client& self = clients_[j];
    for (std::int64_t step = 0; step < self.local_steps; ++step) {
      context_.learners[j]->compute_gradient(self.parameters, self.gradient);
      for (std::size_t i = 0; i < self.parameters.size(); ++i) {
        self.parameters[i] -= alpha * (self.gradient[i] + decay * self.parameters[i]);
      }
    }
  });
  SimTime busy = SimTime::zero();
  for (std::int64_t step = 0; step < client.local_steps; ++step) {
    const std::size_t samples = std::min(algorithm.batch_size, client.shard_size - client.epoch_position);
    client.epoch_position = (client.epoch_position + samples) % client.shard_size;
    busy += context_.compute.next_step_time(j, samples);
  }
  const AgentId self{static_cast<std::uint32_t>(j)};
  context_.simulation.schedule_after(busy, [this, self, job] {
    Client& done = clients_[self.value];
    if (done.job != job) return;  // dropped: a crash, or a newer round
    done.training = false;
    agent_math_.finish(self.value);
    upload(self.value);
  });
}

void FederatedAveraging::upload(std::size_t j) {
  const AgentId self{static_cast<std::uint32_t>(j)};
  Client& client = clients_[j];
  if (compressor_.is_lossless()) {
    // A copy of the model in a pooled buffer (the server keeps the message's copy for the
    // round's observation); the client keeps its vector, which the next round overwrites
    // with the global model without allocating.
    send(self, server_, model_buffers_.copy_of(client.parameters.begin(), client.parameters.end()));
    return;
  }
  // The update against the global model the client started from (the server's, unchanged
  // until every sampled client has returned), compressed with the client's residual; the
  // client keeps its model for the round's observation.
  update_.resize(client.parameters.size());
  for (std::size_t i = 0; i < update_.size(); ++i) update_[i] = client.parameters[i] - global_[i];
  std::shared_ptr<std::vector<float>> decoded = decoded_buffers_.acquire(update_.size());  // fully written below
  compress_with_feedback(compressor_, update_, client.residual, context_.algorithm.error_feedback, client.rng,
                         *decoded, compressed_, corrected_);
  context_.network.send(compressed_payload_message(self, server_, round_, PayloadKind::kModelUpdate, compressed_,
                                                   std::move(decoded)));
}

void FederatedAveraging::receive_client_model(Message&& message) {
  const auto position = std::lower_bound(sampled_.begin(), sampled_.end(), std::size_t{message.from.value});
  if (position == sampled_.end() || *position != message.from.value) {
    throw std::logic_error("FederatedAveraging: a model from client " + std::to_string(message.from.value) +
                           ", which was not sampled in round " + std::to_string(round_));
  }
  auto& slot = returned_[static_cast<std::size_t>(position - sampled_.begin())];
  if (slot) throw std::logic_error("FederatedAveraging: two models from one client in one round");
  slot = std::move(message.payload);
  if (++returned_count_ < sampled_.size()) return;
  close_round();
}

void FederatedAveraging::close_round() {
  round_deadline_.cancel(context_.simulation);
  // The average weighted by shard size over the models returned, summed in client-id order
  // so the rounding is fixed; with none returned the global model stays.
  double samples = 0.0;
  for (std::size_t i = 0; i < sampled_.size(); ++i) {
    if (returned_[i]) samples += static_cast<double>(clients_[sampled_[i]].shard_size);
  }
  const bool observed = recorder_.is_observed(round_ + 1);
  std::vector<std::vector<float>> local_models;  // of the clients that returned, in client order
  if (observed) {
    for (std::size_t i = 0; i < sampled_.size(); ++i) {
      if (!returned_[i]) continue;
      local_models.push_back(compressor_.is_lossless() ? *returned_[i] : clients_[sampled_[i]].parameters);
    }
  }
  if (returned_count_ > 0) {
    std::vector<WeightedParameters> inputs;
    inputs.reserve(returned_count_);
    for (std::size_t i = 0; i < sampled_.size(); ++i) {
      if (returned_[i]) inputs.push_back({static_cast<double>(clients_[sampled_[i]].shard_size) / samples, *returned_[i]});
    }
    if (compressor_.is_lossless()) {
      mix(inputs, global_);
    } else {
      // x <- x + sum_j (n_j / n) Q(update_j), the decoded updates summed in client order.
      std::vector<float> mean_update(global_.size());
      mix(inputs, mean_update);
      for (std::size_t i = 0; i < global_.size(); ++i) global_[i] += mean_update[i];
    }
  }
  returned_.clear();
  ++round_;
  if (observed) {
    recorder_.report(round_, std::vector<std::vector<float>>(clients_.size(), global_), local_models);
  }
  recorder_.all_finished(round_);
  begin_round();
}

}  // namespace cdsim
