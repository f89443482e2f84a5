#include "sim/protocols/ring_all_reduce.h"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/error_feedback.h"
#include "core/invalid_input.h"
#include "sim/protocols/parameter_server.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {

// A message's `round` is step * 2(N - 1) + hop, so one number on the wire says which step
// and which transfer of the chunk it is; the chunk is then (sender - hop) mod N, because
// chunk c starts its journey at agent c.

RingAllReduce::RingAllReduce(ProtocolContext context)
    : context_(std::move(context)),
      compressor_(algorithm_compressor(context_.algorithm)),
      recorder_(context_),
      agent_math_(context_.workers, context_.learners.size()) {
  if (context_.algorithm.communication != "all_reduce") {
    throw InvalidInput("/communication", "the ring all-reduce protocol runs with communication \"all_reduce\", "
                                         "found \"" + context_.algorithm.communication + "\"");
  }
  const OptimizerSpec optimizer = data_parallel_optimizer(context_.algorithm);
  const std::size_t agent_count = context_.learners.size();
  if (agent_count == 0) throw std::logic_error("RingAllReduce: no agents");
  const std::size_t dimension = checked_dimension(context_, "RingAllReduce");
  if (!compressor_.is_lossless() && dimension == 0 && context_.wire_parameters > 0) {
    throw InvalidInput("/compression", "a communication-only replay has no gradients to compress");
  }
  hops_ = 2 * (static_cast<std::int64_t>(agent_count) - 1);
  for (std::size_t j = 0; j < agent_count; ++j) {
    agents_.push_back(Agent{.parameters = context_.initial_parameters,
                            .gradient = std::vector<float>(dimension, 0.0f),
                            .optimizer = Optimizer(optimizer, dimension),
                            .rng = context_.simulation.rng(j, RngPurpose::kCompression)});
    if (!compressor_.is_lossless()) {
      agents_.back().residual.assign(dimension, 0.0f);
      agents_.back().decoded.assign((dimension + agent_count - 1) / agent_count, 0.0f);
    }
  }
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

std::pair<std::size_t, std::size_t> RingAllReduce::chunk_range(std::size_t chunk) const {
  return chunk_of(chunk, context_.wire_parameters);
}

std::pair<std::size_t, std::size_t> RingAllReduce::chunk_of(std::size_t chunk, std::size_t dimension) const {
  const std::size_t chunk_values = (dimension + agents_.size() - 1) / agents_.size();
  return {std::min(chunk * chunk_values, dimension), std::min((chunk + 1) * chunk_values, dimension)};
}

void RingAllReduce::start() {
  std::vector<std::vector<float>> initial;
  for (const Agent& agent : agents_) initial.push_back(agent.parameters);
  recorder_.report(0, initial);
  if (context_.total_steps <= 0) return;
  for (std::size_t j = 0; j < agents_.size(); ++j) begin_step(j);
}

std::int64_t RingAllReduce::completed_steps() const {
  std::int64_t least = context_.total_steps;
  for (const Agent& agent : agents_) least = std::min(least, agent.step);
  return least;
}

void RingAllReduce::begin_step(std::size_t j) {
  Agent& agent = agents_[j];
  // The gradient math starts now, on the worker pool, at parameters that stay unchanged
  // until finish_compute takes the result; the simulated clock charges the compute time.
  agent_math_.start(j, [this, j] {
    Agent& self = agents_[j];
    context_.learners[j]->compute_gradient(self.parameters, self.gradient);
  });
  agent.computed = false;
  agent.chunks_summed = 0;
  context_.simulation.schedule_after(context_.compute.next_step_time(j), [this, j] { finish_compute(j); });
}

void RingAllReduce::finish_compute(std::size_t j) {
  Agent& agent = agents_[j];
  agent_math_.finish(j);
  agent.computed = true;
  const std::size_t n = agents_.size();
  if (n == 1) {
    finish_step(j);
    return;
  }
  // Chunk j starts here; then whatever of this step arrived while computing.
  send_chunk(j, j, 0);
  const std::int64_t step = agent.step;
  std::vector<Message> waiting;
  waiting.swap(agent.early);
  for (Message& message : waiting) {
    if (message.round / hops_ == step) {
      receive_chunk(j, message);
    } else {
      agent.early.push_back(std::move(message));
    }
  }
}

void RingAllReduce::send_chunk(std::size_t j, std::size_t chunk, std::int64_t hop) {
  // Hops up to the first gather hop carry the sender's own gradient: compressed there.
  if (!compressor_.is_lossless() && hop < static_cast<std::int64_t>(agents_.size())) {
    send_compressed_chunk(j, chunk, hop);
    return;
  }
  const Agent& agent = agents_[j];
  const auto [first, last] = chunk_of(chunk, agent.gradient.size());
  std::shared_ptr<const std::vector<float>> values = buffers_.copy_of(
      agent.gradient.begin() + static_cast<std::ptrdiff_t>(first), agent.gradient.begin() + static_cast<std::ptrdiff_t>(last));
  const auto [wire_first, wire_last] = chunk_range(chunk);
  context_.network.send(payload_message(AgentId{static_cast<std::uint32_t>(j)},
                                        AgentId{static_cast<std::uint32_t>((j + 1) % agents_.size())},
                                        agent.step * hops_ + hop, PayloadKind::kGradient, wire_last - wire_first,
                                        std::move(values)));
}

void RingAllReduce::send_compressed_chunk(std::size_t j, std::size_t chunk, std::int64_t hop) {
  Agent& agent = agents_[j];
  const auto [first, last] = chunk_of(chunk, agent.gradient.size());
  const AgentId from{static_cast<std::uint32_t>(j)};
  const AgentId to{static_cast<std::uint32_t>((j + 1) % agents_.size())};
  const std::int64_t round = agent.step * hops_ + hop;
  if (first == last) {  // an empty chunk has nothing to compress
    context_.network.send(payload_message(from, to, round, PayloadKind::kGradient, 0,
                                          std::make_shared<const std::vector<float>>()));
    return;
  }
  const std::span<float> values(agent.gradient.data() + first, last - first);
  const std::span<float> decoded(agent.decoded.data(), last - first);
  const CompressedVector compressed =
      compress_with_feedback(compressor_, values, std::span<float>(agent.residual.data() + first, last - first),
                             context_.algorithm.error_feedback, agent.rng, decoded);
  // From here the chunk is what the ring knows of it (for the agent completing the sum:
  // the sum every agent will apply).
  std::copy(decoded.begin(), decoded.end(), values.begin());
  context_.network.send(compressed_payload_message(from, to, round, PayloadKind::kGradient, compressed,
                                                   std::make_shared<const std::vector<float>>(values.begin(), values.end())));
}

void RingAllReduce::deliver(Message&& message) {
  const std::size_t j = message.to.value;
  Agent& agent = agents_.at(j);
  if (message.from.value != (j + agents_.size() - 1) % agents_.size() || message.round / hops_ < agent.step) {
    throw std::logic_error("RingAllReduce: agent " + std::to_string(j) + " at step " + std::to_string(agent.step) +
                           " received round " + std::to_string(message.round) + " from " +
                           std::to_string(message.from.value));
  }
  if (!agent.computed || message.round / hops_ != agent.step) {
    agent.early.push_back(std::move(message));
    return;
  }
  receive_chunk(j, message);
}

void RingAllReduce::receive_chunk(std::size_t j, const Message& message) {
  Agent& agent = agents_[j];
  const std::size_t n = agents_.size();
  const std::int64_t hop = message.round % hops_;
  const std::size_t chunk = (message.from.value + n - static_cast<std::size_t>(hop) % n) % n;
  const auto [first, last] = chunk_of(chunk, agent.gradient.size());
  const std::vector<float>& values = *message.payload;
  const std::int64_t last_reduce_hop = static_cast<std::int64_t>(n) - 2;
  if (hop <= last_reduce_hop) {
    // Reduce-scatter: the sum so far plus this agent's gradient, in ring order.
    for (std::size_t i = first; i < last; ++i) agent.gradient[i] = values[i - first] + agent.gradient[i];
  } else {
    // All-gather: a finished sum, copied.
    std::copy(values.begin(), values.end(), agent.gradient.begin() + static_cast<std::ptrdiff_t>(first));
  }
  if (hop >= last_reduce_hop) ++agent.chunks_summed;
  // Pass it on, unless the next agent is where the chunk's sum was completed; a compressed
  // finished sum goes on as it came, at its compressed size.
  if (hop + 1 < hops_ && hop > last_reduce_hop && !compressor_.is_lossless()) {
    Message forward = message;
    forward.from = message.to;
    forward.to = AgentId{static_cast<std::uint32_t>((j + 1) % n)};
    forward.round = message.round + 1;
    context_.network.send(std::move(forward));
  } else if (hop + 1 < hops_) {
    send_chunk(j, chunk, hop + 1);
  }
  if (agent.chunks_summed == n) finish_step(j);
}

void RingAllReduce::finish_step(std::size_t j) {
  Agent& agent = agents_[j];
  // Every agent holds the same sums, so every agent takes the same step.
  const float count = static_cast<float>(agents_.size());
  for (float& value : agent.gradient) value /= count;
  agent.optimizer.step(agent.parameters, agent.gradient);
  ++agent.step;
  recorder_.agent_finished(j, agent.step, agent.parameters);
  if (agent.step < context_.total_steps) begin_step(j);
}

}  // namespace cdsim
