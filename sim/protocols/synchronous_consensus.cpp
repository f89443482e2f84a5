#include "sim/protocols/synchronous_consensus.h"

#include <algorithm>
#include <atomic>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/consensus.h"
#include "core/invalid_input.h"
#include "sim/protocols/wire_size.h"

namespace cdsim {
namespace {
// How many of an agent's tasks may be outstanding before the engine waits for the oldest
// (a step is a gradient and an update, plus a mixing per extra round): the engine runs at
// most a few steps ahead of the math, which bounds the snapshots the tasks in flight hold.
constexpr std::size_t kTasksInFlight = 8;
}  // namespace

SynchronousConsensus::SynchronousConsensus(ProtocolContext context)
    : context_(std::move(context)),
      recorder_(context_),
      outages_(context_.agent_changes, context_.learners.size()),
      agent_math_(context_.workers, context_.learners.size()) {
  tolerant_ = context_.algorithm.timeout > SimTime::zero() || outages_.any();
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
  std::vector<std::size_t> widest(agent_count, 0);
  for (const MixingMatrix& matrix : mixings_) {
    if (agent_count != matrix.size()) {
      throw std::logic_error("SynchronousConsensus: " + std::to_string(agent_count) +
                             " learners for a mixing matrix of size " + std::to_string(matrix.size()));
    }
    Neighborhoods hood;
    std::vector<std::vector<std::uint32_t>> out(agent_count);
    for (std::size_t j = 0; j < agent_count; ++j) {
      hood.in_first.push_back(hood.in.size());
      for (const MixingMatrix::Entry& entry : matrix.row(j)) {
        if (entry.column == j) continue;
        hood.in.push_back(static_cast<std::uint32_t>(entry.column));
        out[entry.column].push_back(static_cast<std::uint32_t>(j));  // rows in ascending order: stays sorted
      }
      widest[j] = std::max(widest[j], hood.in.size() - hood.in_first.back());
    }
    hood.in_first.push_back(hood.in.size());
    for (std::size_t j = 0; j < agent_count; ++j) {
      hood.out_first.push_back(hood.out.size());
      hood.out.insert(hood.out.end(), out[j].begin(), out[j].end());
    }
    hood.out_first.push_back(hood.out.size());
    neighborhoods_.push_back(std::move(hood));
  }
  const std::size_t dimension = checked_dimension(context_, "SynchronousConsensus");
  dimension_ = dimension;
  agents_.resize(agent_count);
  vectors_.resize(agent_count);
  patience_.resize(agent_count);
  std::size_t slots = 0;
  for (std::size_t j = 0; j < agent_count; ++j) {
    Vectors& vectors = vectors_[j];
    vectors.parameters = context_.initial_parameters;
    vectors.gradient.assign(dimension, 0.0f);
    vectors.scratch.assign(dimension, 0.0f);
    // Two-sequence CDMSGD starts with v(0) = x(0); Nesterov with a zero velocity.
    vectors.momentum = rule_ == Rule::kCdmsgdTwoSequence ? context_.initial_parameters
                                                         : std::vector<float>(dimension, 0.0f);
    agents_[j].first_slot = static_cast<std::uint32_t>(slots);
    agents_[j].slots = static_cast<std::uint32_t>(widest[j]);
    slots += widest[j];
    if (slots > std::numeric_limits<std::uint32_t>::max()) {
      throw std::logic_error("SynchronousConsensus: more than 2^32 inbox slots");
    }
  }
  if (dimension > 0) {
    for (auto& inbox : inbox_) inbox.resize(slots);
  }
  if (dimension > 0 && context_.workers != nullptr) {
    for (std::size_t j = 0; j < agent_count; ++j) {
      // Never resized: running tasks point into it.
      vectors_[j].mixing_jobs.resize(kTasksInFlight + 1);
      for (MixingJob& job : vectors_[j].mixing_jobs) job.agent = j;
    }
  }
  filled_.assign(2 * slots, 0);
  context_.network.set_delivery_handler([this](Message&& message) { deliver(std::move(message)); });
}

void SynchronousConsensus::start() {
  std::vector<std::vector<float>> initial;
  for (const Vectors& vectors : vectors_) initial.push_back(vectors.parameters);
  recorder_.report(0, initial);
  if (context_.total_steps <= 0) return;
  outages_.schedule(context_.simulation, [this](std::size_t j, bool up) { up ? recover(j) : crash(j); });
  for (std::size_t j = 0; j < agents_.size(); ++j) {
    if (outages_.up(j)) begin_step(j, false);
  }
}

void SynchronousConsensus::crash(std::size_t j) {
  Agent& agent = agents_[j];
  agent_math_.finish(j);  // the gradient in flight is dropped
  context_.simulation.cancel(agent.timeout_event);
  agent.timeout_event = EventHandle{};
  if (agent.waiting_round >= 0) waiting_.agent_wait += context_.simulation.now() - agent.waiting_since;
  agent.waiting_round = -1;
  agent.timed_out = false;
  patience_[j].early.clear();
  clear_inbox(j, 0);
  clear_inbox(j, 1);
  agent.computed = false;
  agent.round_sent = false;
  agent.round = 0;
  outages_.catch_up([this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
}

void SynchronousConsensus::crashed_step(std::size_t c, std::int64_t step) {
  agents_[c].step = step;
  recorder_.agent_finished(c, step, vectors_[c].parameters);
}

void SynchronousConsensus::recover(std::size_t j) {
  if (agents_[j].step < context_.total_steps) begin_step(j, false);
}

void SynchronousConsensus::step_finished(std::size_t j) {
  Agent& agent = agents_[j];
  if (recorder_.wants_parameters(agent.step)) agent_math_.finish(j);  // x_j(step) is read now
  recorder_.agent_finished(j, agent.step, vectors_[j].parameters);
  if (!outages_.any()) return;
  outages_.finished(j, agent.step, [this](std::size_t c, std::int64_t step) { crashed_step(c, step); });
}

std::int64_t SynchronousConsensus::completed_steps() const {
  std::int64_t least = context_.total_steps;
  for (const Agent& agent : agents_) least = std::min(least, agent.step);
  return least;
}

void SynchronousConsensus::begin_step(std::size_t j, bool snapshot_taken) {
  Agent& agent = agents_[j];
  Vectors& vectors = vectors_[j];
  // The gradient math starts now, on the worker pool, at x_j(step) once the update giving it
  // has run; x_j(step) stays unchanged until the next update, which runs after this task.
  // The simulated clock charges the compute time for it. (A replay computes nothing.)
  if (dimension_ > 0) {
    const WorkerPool::Dependency after[] = {vectors.update_done};
    vectors.gradient_done = agent_math_.start_after(
        j,
        [this, j] {
          Vectors& own = vectors_[j];
          compute_gradient_with_decay(*context_.learners[j], own.parameters, own.gradient,
                                      context_.algorithm.weight_decay);
        },
        after);
  }
  agent.computed = false;
  agent.round = 0;
  if (!snapshot_taken) share_snapshot(j, vectors.parameters);
  release_early(j);
  context_.simulation.schedule_after(context_.compute.next_step_time(j), [this, j, life = outages_.life(j)] {
    if (outages_.life(j) == life) finish_compute(j);
  });
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
  const Neighborhoods& hood = neighborhoods_[matrix_index(round)];
  const std::shared_ptr<const std::vector<float>>& shared = dimension_ > 0 ? vectors_[j].mixing : no_payload_;
  // One message, sent to each neighbour in turn: its size does not depend on the receiver.
  Message message =
      payload_message(sender, sender, round, PayloadKind::kParameters, context_.wire_parameters, shared);
  for (std::size_t k = hood.out_first[j]; k < hood.out_first[j + 1]; ++k) {
    message.to = AgentId{hood.out[k]};
    context_.network.send(message);
  }
  agent.round_sent = true;
  try_advance(j);
}

void SynchronousConsensus::deliver(Message&& message) {
  const std::size_t j = message.to.value;
  Agent& agent = agents_.at(j);
  if (!outages_.up(j)) return;  // the network loses these; nothing reaches a crashed agent
  const std::int64_t current = global_round(agent);
  if ((context_.schedule != nullptr || tolerant_) && message.round > current + 1) {
    patience_[j].early.push_back(std::move(message));
    return;
  }
  if (tolerant_ && message.round < current) {
    ++waiting_.late_messages;  // its round was mixed without it
    return;
  }
  if (message.round != current && message.round != current + 1) {
    throw std::logic_error("SynchronousConsensus: agent " + std::to_string(j) + " in round " +
                           std::to_string(current) + " received parameters of round " +
                           std::to_string(message.round));
  }
  const Neighborhoods& hood = neighborhoods_[matrix_index(message.round)];
  const auto [first_in, last_in] = in_neighbors(j, agent, hood);
  const auto first = hood.in.begin() + static_cast<std::ptrdiff_t>(first_in);
  const auto last = hood.in.begin() + static_cast<std::ptrdiff_t>(last_in);
  const auto position = std::lower_bound(first, last, message.from.value);
  if (position == last || *position != message.from.value) {
    throw std::logic_error("SynchronousConsensus: agent " + std::to_string(j) +
                           " received parameters from non-neighbour " + std::to_string(message.from.value));
  }
  const std::size_t parity = static_cast<std::size_t>(message.round % 2);
  const std::size_t index = agent.first_slot + static_cast<std::size_t>(position - first);
  std::uint8_t& arrived = filled(index, parity);
  if (arrived != 0) throw std::logic_error("SynchronousConsensus: duplicate parameters for one round");
  arrived = 1;
  if (message.payload) inbox_[parity][index] = std::move(message.payload);
  ++agent.received[parity];
  if (message.round == current) try_advance(j);
}

void SynchronousConsensus::clear_inbox(std::size_t j, std::size_t parity) {
  Agent& agent = agents_[j];
  for (std::size_t k = agent.first_slot; k < agent.first_slot + agent.slots; ++k) {
    if (dimension_ > 0 && inbox_[parity][k]) inbox_[parity][k].reset();
    filled(k, parity) = 0;
  }
  agent.received[parity] = 0;
}

void SynchronousConsensus::try_advance(std::size_t j) {
  Agent& agent = agents_[j];
  if (!agent.round_sent) return;
  const std::int64_t round = global_round(agent);
  const std::size_t parity = static_cast<std::size_t>(round % 2);
  const bool last_round = agent.round + 1 == context_.algorithm.consensus_steps;
  if (last_round && !agent.computed) return;
  const SimTime now = context_.simulation.now();
  if (agent.waiting_round != round) {  // ready to mix from now on
    agent.waiting_round = round;
    agent.waiting_since = now;
    agent.timed_out = false;
  }
  const Neighborhoods& hood = neighborhoods_[matrix_index(round)];
  const auto [first_in, last_in] = in_neighbors(j, agent, hood);
  if (agent.received[parity] < last_in - first_in && !agent.timed_out) {
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
    if (dimension_ > 0) start_mixing(j, parity, false);  // a replay has no math
    clear_inbox(j, parity);
    ++agent.round;
    agent.round_sent = false;
    release_early(j);
    // Without overlap the gradient is already computed; with overlap the exchange goes on
    // regardless of it. Either way the next round starts now.
    send_round(j);
    return;
  }
  apply_update(j, parity);
}

void SynchronousConsensus::release_early_messages(std::size_t j) {
  std::vector<Message>& early = patience_[j].early;
  const std::int64_t next = global_round(agents_[j]) + 1;
  std::vector<Message> later;
  std::vector<Message> due;
  for (Message& message : early) (message.round <= next ? due : later).push_back(std::move(message));
  early = std::move(later);
  // round_sent is false here, so delivering does not advance the agent yet.
  for (Message& message : due) deliver(std::move(message));
}

void SynchronousConsensus::share_snapshot(std::size_t j, const std::vector<float>& values) {
  if (dimension_ == 0) return;  // a replay's snapshots stay null
  Vectors& vectors = vectors_[j];
  vectors.mixing.reset();
  Snapshot& snapshot = free_snapshot(j);
  snapshot.buffer->assign(values.begin(), values.end());  // same size: no allocation
  snapshot.writer = {};
  vectors.mixing = snapshot.buffer;
}

SynchronousConsensus::Snapshot& SynchronousConsensus::free_snapshot(std::size_t j) {
  // A buffer only the pool holds is in no message, inbox or task any more: overwrite it. Only
  // the engine thread copies these pointers; a task drops its copies once it has run, and the
  // fence orders that task's reads before whatever writes the buffer next.
  std::vector<Snapshot>& pool = vectors_[j].snapshots;
  for (Snapshot& snapshot : pool) {
    if (snapshot.buffer.use_count() == 1) {
      std::atomic_thread_fence(std::memory_order_acquire);
      return snapshot;
    }
  }
  pool.push_back({std::make_shared<std::vector<float>>(dimension_), {}});
  return pool.back();
}

std::span<const WeightedParameters> SynchronousConsensus::mixing_inputs(std::size_t j, std::size_t parity) {
  const Agent& agent = agents_[j];
  // The mixing row's fixed (ascending column) order fixes the float rounding too.
  inputs_.clear();
  held_.clear();
  after_.clear();
  auto values = [this](std::size_t sender, const std::shared_ptr<const std::vector<float>>& snapshot) {
    if (!snapshot) return std::span<const float>();
    held_.push_back(snapshot);
    for (const Snapshot& own : vectors_[sender].snapshots) {
      if (own.buffer.get() == snapshot.get()) after_.push_back(own.writer);
    }
    return std::span<const float>(*snapshot);
  };
  const MixingMatrix& matrix = mixings_[matrix_index(global_round(agent))];
  // A neighbour that timed out lends its weight to the agent itself.
  double missing = 0.0;
  std::size_t slot = agent.first_slot;
  for (const MixingMatrix::Entry& entry : matrix.row(j)) {
    if (entry.column != j && filled(slot++, parity) == 0) missing += entry.weight;
  }
  std::size_t next_neighbor = agent.first_slot;
  for (const MixingMatrix::Entry& entry : matrix.row(j)) {
    if (entry.column == j) {
      inputs_.push_back({entry.weight + missing, values(j, vectors_[j].mixing)});
      continue;
    }
    const std::size_t k = next_neighbor++;
    if (filled(k, parity) != 0) inputs_.push_back({entry.weight, values(entry.column, inbox_[parity][k])});
  }
  return inputs_;
}

void SynchronousConsensus::apply_update(std::size_t j, std::size_t parity) {
  Agent& agent = agents_[j];
  if (dimension_ > 0) start_mixing(j, parity, true);  // a replay has nothing to mix or update
  clear_inbox(j, parity);
  agent.round_sent = false;
  ++agent.step;
  if (agent.step == context_.total_steps) agent_math_.finish(j);  // parameters() is final
  step_finished(j);
  if (agent.step < context_.total_steps) begin_step(j, dimension_ > 0);
}

void SynchronousConsensus::start_mixing(std::size_t j, std::size_t parity, bool update) {
  Agent& agent = agents_[j];
  agent_math_.limit(j, kTasksInFlight);
  const std::span<const WeightedParameters> inputs = mixing_inputs(j, parity);
  Vectors& vectors = vectors_[j];
  if (update) {
    after_.push_back(vectors.gradient_done);
    after_.push_back(vectors.update_done);
  }
  const AlgorithmSpec& algorithm = context_.algorithm;
  const double alpha = update ? algorithm.learning_rate * step_size(algorithm.schedule, agent.step) : 0.0;
  Snapshot& out = free_snapshot(j);
  if (context_.workers == nullptr) {
    mixing_math(j, inputs, update, alpha, *out.buffer);  // inline: reuses the engine's buffers
    out.writer = {};
  } else {
    // The task's record keeps the snapshots it reads and writes, so none is reused before
    // it has run; the task drops them when done. The record is the agent's next in turn:
    // the one it last served was started more than kTasksInFlight of the agent's tasks ago,
    // and limit() above has waited for all of those, so it is free (and its vectors keep
    // their capacity: starting a task allocates nothing).
    MixingJob& job = vectors.mixing_jobs[vectors.next_mixing_job];
    vectors.next_mixing_job = (vectors.next_mixing_job + 1) % vectors.mixing_jobs.size();
    job.update = update;
    job.alpha = alpha;
    job.target = out.buffer;
    job.inputs.assign(inputs.begin(), inputs.end());
    job.held.swap(held_);
    out.writer = agent_math_.start_after(
        j,
        [this, record = &job] {
          mixing_math(record->agent, record->inputs, record->update, record->alpha, *record->target);
          record->held.clear();
          record->target.reset();
        },
        after_);
    if (update) vectors.update_done = out.writer;
  }
  held_.clear();
  vectors.mixing = out.buffer;
}

void SynchronousConsensus::mixing_math(std::size_t j, std::span<const WeightedParameters> inputs, bool update,
                                       double alpha, std::vector<float>& out) {
  if (!update) {
    mix(inputs, out);
    return;
  }
  Vectors& vectors = vectors_[j];
  const AlgorithmSpec& algorithm = context_.algorithm;
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
  std::copy(vectors.parameters.begin(), vectors.parameters.end(), out.begin());
}

}  // namespace cdsim
