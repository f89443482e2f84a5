#include "sim/protocols/parameter_server.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/consensus.h"
#include "core/error_feedback.h"
#include "core/invalid_input.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {

OptimizerSpec data_parallel_optimizer(const AlgorithmSpec& algorithm) {
  if (algorithm.kind != "sgd" && algorithm.kind != "msgd") {
    throw InvalidInput("/kind", "\"" + algorithm.kind + "\" is not a centralized algorithm; expected sgd or msgd");
  }
  OptimizerSpec spec;
  spec.kind = algorithm.kind == "sgd" ? "sgd" : "nesterov";
  spec.learning_rate = algorithm.learning_rate;
  spec.momentum = algorithm.momentum;
  spec.weight_decay = algorithm.weight_decay;
  spec.schedule = algorithm.schedule;
  validate(spec);
  return spec;
}

ParameterServer::ParameterServer(ProtocolContext context)
    : context_(std::move(context)),
      server_{static_cast<std::uint32_t>(context_.learners.size())},
      optimizer_(data_parallel_optimizer(context_.algorithm), checked_dimension(context_, "ParameterServer")),
      global_(context_.initial_parameters),
      mean_gradient_(global_.size(), 0.0f),
      compressor_(algorithm_compressor(context_.algorithm)),
      recorder_(context_),
      outages_(context_.agent_changes, context_.learners.size()),
      agent_math_(context_.workers, context_.learners.size()) {
  if (context_.algorithm.communication != "parameter_server") {
    throw InvalidInput("/communication", "the parameter server protocol runs with communication "
                                         "\"parameter_server\", found \"" + context_.algorithm.communication + "\"");
  }
  const std::size_t worker_count = context_.learners.size();
  if (worker_count == 0) throw std::logic_error("ParameterServer: no workers");
  if (context_.network.node_count() <= worker_count) {
    throw std::logic_error("ParameterServer: the network has no server node " + std::to_string(worker_count));
  }
  if (!compressor_.is_lossless() && global_.empty() && context_.wire_parameters > 0) {
    throw InvalidInput("/compression", "a communication-only replay has no gradients to compress");
  }
  auto initial = std::make_shared<const std::vector<float>>(global_);
  workers_.reserve(worker_count);
  for (std::size_t j = 0; j < worker_count; ++j) {
    Worker& worker = workers_.emplace_back(context_.simulation.rng(j, RngPurpose::kCompression));
    worker.parameters = initial;
    if (!compressor_.is_lossless()) worker.residual.assign(global_.size(), 0.0f);
  }
  gradients_.resize(worker_count);
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void ParameterServer::start() {
  recorder_.report(0, std::vector<std::vector<float>>(workers_.size(), global_));
  if (context_.total_steps <= 0) return;
  outages_.schedule(context_.simulation, [this](std::size_t j, bool up) {
    Worker& worker = workers_[j];
    if (up) {
      if (worker.step < context_.total_steps) begin_step(j);
      return;
    }
    agent_math_.finish(j);  // the gradient in flight is dropped
    worker.gradient.reset();
    ++worker.job;
    outages_.catch_up([this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
  });
  for (std::size_t j = 0; j < workers_.size(); ++j) {
    if (outages_.up(j)) begin_step(j);
  }
  arm_deadline();
}

void ParameterServer::crashed_step(std::size_t c, std::int64_t step) {
  workers_[c].step = step;
  recorder_.agent_finished(c, step, *workers_[c].parameters);
}

void ParameterServer::arm_deadline() {
  if (server_step_ >= context_.total_steps) return;
  round_deadline_.arm(context_.simulation, context_.algorithm.timeout, [this, step = server_step_] {
    if (server_step_ != step) return;
    ++deadline_.rounds_closed_by_deadline;
    deadline_.missing_answers += workers_.size() - gradients_received_;
    close_step();
  });
}

std::int64_t ParameterServer::completed_steps() const {
  std::int64_t least = context_.total_steps;
  for (const Worker& worker : workers_) least = std::min(least, worker.step);
  return least;
}

void ParameterServer::begin_step(std::size_t j) {
  Worker& worker = workers_[j];
  // The gradient math starts now, on the worker pool; the simulated clock charges the
  // compute time for it, and send_gradient takes the result.
  agent_math_.finish(j);  // a gradient still in flight for an earlier step is dropped
  worker.gradient = buffers_.acquire(global_.size());
  // Plain pointers into the pool thread: worker.parameters and worker.gradient keep both
  // alive until send_gradient has waited for the result, and the reference counts
  // buffers_ reads change on the engine thread only.
  agent_math_.start(j, [this, j, parameters = worker.parameters.get(), gradient = worker.gradient.get()] {
    context_.learners[j]->compute_gradient(*parameters, *gradient);
  });
  context_.simulation.schedule_after(context_.compute.next_step_time(j), [this, j, job = ++worker.job] {
    if (workers_[j].job == job) send_gradient(j);
  });
}

void ParameterServer::send_gradient(std::size_t j) {
  Worker& worker = workers_[j];
  agent_math_.finish(j);
  if (!compressor_.is_lossless()) {
    std::shared_ptr<std::vector<float>> decoded = buffers_.acquire(global_.size());  // fully written below
    compress_with_feedback(compressor_, *worker.gradient, worker.residual, context_.algorithm.error_feedback,
                           worker.rng, *decoded, compressed_, corrected_);
    context_.network.send(compressed_payload_message(AgentId{static_cast<std::uint32_t>(j)}, server_, worker.step,
                                                     PayloadKind::kGradient, compressed_, std::move(decoded)));
    worker.gradient.reset();
    return;
  }
  context_.network.send(payload_message(AgentId{static_cast<std::uint32_t>(j)}, server_, worker.step,
                                        PayloadKind::kGradient, context_.wire_parameters, std::move(worker.gradient)));
}

void ParameterServer::deliver(Message&& message) {
  if (message.to == server_) {
    receive_gradient(std::move(message));
  } else {
    receive_parameters(std::move(message));
  }
}

void ParameterServer::receive_gradient(Message&& message) {
  const std::size_t j = message.from.value;
  if (message.round < server_step_ && context_.algorithm.timeout > SimTime::zero()) {
    ++deadline_.late_messages;  // its step was closed without it
    return;
  }
  if (j >= workers_.size() || message.round != server_step_ || gradients_[j]) {
    throw std::logic_error("ParameterServer: unexpected gradient from worker " + std::to_string(j) +
                           " for step " + std::to_string(message.round) + " at server step " +
                           std::to_string(server_step_));
  }
  gradients_[j] = std::move(message.payload);
  if (++gradients_received_ < workers_.size()) return;
  close_step();
}

void ParameterServer::close_step() {
  round_deadline_.cancel(context_.simulation);
  // Mean gradient summed in worker order, so the rounding is fixed; then one optimizer step.
  if (gradients_received_ > 0) {
    const double weight = 1.0 / static_cast<double>(gradients_received_);
    mean_inputs_.clear();
    for (const auto& gradient : gradients_) {
      if (gradient) mean_inputs_.push_back({weight, *gradient});
    }
    mix(mean_inputs_, mean_gradient_);
    optimizer_.step(global_, mean_gradient_);
  }
  for (auto& gradient : gradients_) gradient.reset();
  gradients_received_ = 0;
  ++server_step_;

  // One snapshot, shared by the N messages down.
  std::shared_ptr<const std::vector<float>> snapshot = buffers_.copy_of(global_.begin(), global_.end());
  for (std::size_t worker = 0; worker < workers_.size(); ++worker) {
    context_.network.send(payload_message(server_, AgentId{static_cast<std::uint32_t>(worker)}, server_step_,
                                          PayloadKind::kParameters, context_.wire_parameters, snapshot));
  }
  arm_deadline();
}

void ParameterServer::receive_parameters(Message&& message) {
  const std::size_t j = message.to.value;
  Worker& worker = workers_.at(j);
  if (!outages_.up(j)) return;  // the network loses these already
  // With faults a broadcast may be lost (the worker then takes the next one) or overtaken
  // by a crashed worker's count (stale, dropped).
  const bool faults = context_.algorithm.timeout > SimTime::zero() || outages_.any();
  if (faults && message.from == server_ && message.round <= worker.step) return;
  if (message.from != server_ || (message.round != worker.step + 1 && !(faults && message.round > worker.step))) {
    throw std::logic_error("ParameterServer: worker " + std::to_string(j) + " at step " +
                           std::to_string(worker.step) + " received parameters of step " +
                           std::to_string(message.round));
  }
  worker.parameters = std::move(message.payload);
  while (worker.step < message.round) {
    ++worker.step;
    recorder_.agent_finished(j, worker.step, *worker.parameters);
    if (outages_.any()) {
      outages_.finished(j, worker.step, [this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
    }
  }
  if (worker.step < context_.total_steps) begin_step(j);
}

}  // namespace cdsim
