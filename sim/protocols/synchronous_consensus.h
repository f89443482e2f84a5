// Synchronous consensus SGD on the simulated network: CDSGD (D-PSGD), CDMSGD in the
// Keras-Nesterov form the paper ran and in the paper's two-sequence form, with tau mixing
// rounds per gradient step (Pi^tau), a consensus weight omega (omega Pi + (1 - omega) I),
// and optional overlap of communication with computation. Each step every agent computes
// its gradient at its own parameters, exchanges parameters with its neighbours (tau
// rounds), and applies the update rule of core/consensus.h. Owns the agents' state.
// On a time-varying topology (ProtocolContext::schedule) global round r = step * tau +
// round mixes with the schedule's matrix of round r: an agent sends to the agents whose
// row of that matrix holds it and waits for the agents its own row holds.
// With algorithm.timeout > 0 an agent ready to mix (its vector sent, its gradient done)
// waits at most that long (inclusive); then it mixes over the vectors it has and puts the
// weight of each missing neighbour on itself, x_j <- (W_jj + sum_missing W_jl) x_j +
// sum_received W_jl x_l (rows stay stochastic; columns do not, so the network average may
// drift). A vector arriving after its round is dropped and counted.
// A crashed agent (ProtocolContext::agent_changes) drops the step it was in (its gradient,
// its inbox, its wait), computes and sends nothing, and its step count follows the slowest
// up agent with x_j frozen; its neighbours time out on it as on a lost vector. On recovery
// it starts the step of its count from the x_j it had. Vectors of rounds more than one
// ahead (a neighbour that timed out and ran on) wait for their round.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "core/consensus.h"
#include "sim/message.h"
#include "sim/protocols/agent_outages.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/step_recorder.h"

namespace cdsim {

class SynchronousConsensus final : public Protocol {
 public:
  // Takes over the network's delivery handler.
  explicit SynchronousConsensus(ProtocolContext context);

  void start() override;
  std::int64_t completed_steps() const override;
  const std::vector<float>& parameters(std::size_t agent) const { return vectors_[agent].parameters; }
  const WaitingStats& waiting() const { return waiting_; }

 private:
  enum class Rule { kCdsgd, kCdmsgdNesterov, kCdmsgdTwoSequence };
  // What every message to or from the agent touches, in one cache line apart from the
  // vectors (a million-agent replay is bound by the misses on this state).
  struct alignas(64) Agent {
    std::int64_t step = 0;
    // Ready to mix in round waiting_round since waiting_since (-1: not ready); timed_out
    // once the timeout fired for that round.
    std::int64_t waiting_round = -1;
    SimTime waiting_since;
    EventHandle timeout_event;
    std::uint32_t round = 0;          // mixing round within the step, 0..tau-1
    std::uint32_t received[2] = {};   // inbox entries filled, by global round parity
    std::uint32_t first_slot = 0;     // the agent's inbox slots: first_slot .. + slots
    std::uint32_t slots = 0;
    bool computed = false;            // the gradient of `step` is ready
    bool round_sent = false;          // the current round's parameters are on their way
    bool timed_out = false;
  };
  // A buffer of the agent's snapshot pool and the task that writes its current contents
  // (complete when the engine wrote them).
  struct Snapshot {
    std::shared_ptr<std::vector<float>> buffer;
    WorkerPool::Dependency writer;
  };
  // What one mixing or update task on the pool reads, kept out of its closure so that
  // starting it allocates nothing. The engine fills it; the task drops the snapshots when
  // it has run.
  struct MixingJob {
    std::size_t agent = 0;
    bool update = false;
    double alpha = 0.0;
    std::shared_ptr<std::vector<float>> target;  // the snapshot it writes
    std::vector<WeightedParameters> inputs;      // views into `held`
    std::vector<std::shared_ptr<const std::vector<float>>> held;
  };
  // The agent's part of the math. The first four are touched only by the agent's tasks on
  // the pool (and by the engine when none is outstanding); the engine keeps the rest.
  struct Vectors {
    // y: the vector exchanged in the current round, one immutable snapshot shared by the
    // messages to every neighbour and by this agent's own mixing term; null when the
    // vectors are empty (a replay), so that messages carry no payload and no reference count.
    std::shared_ptr<const std::vector<float>> mixing;
    std::vector<float> parameters;  // x_j(step)
    std::vector<float> gradient;    // g_j at x_j(step)
    std::vector<float> scratch;
    std::vector<float> momentum;    // m (Nesterov) or v(k) (two-sequence)
    std::vector<Snapshot> snapshots;     // the buffers agent.mixing is taken from
    WorkerPool::Dependency gradient_done;  // the task computing `gradient`
    WorkerPool::Dependency update_done;    // the last task applying the update rule
    // With a pool: the records of its mixing tasks, used in turn (kTasksInFlight + 1 of
    // them, so the one reused has always run).
    std::vector<MixingJob> mixing_jobs;
    std::size_t next_mixing_job = 0;
  };
  // Rarely touched: rounds far ahead.
  struct Patience {
    // Time-varying topologies only: parameters of rounds beyond the next one (a sender that
    // does not wait for this agent can run further ahead), in arrival order.
    std::vector<Message> early;
  };
  // One mixing matrix's neighbourhoods, dense: agent j hears from in[in_first[j] ..
  // in_first[j + 1]) (its row's columns other than j, ascending) and sends to
  // out[out_first[j] .. out_first[j + 1]) (the rows holding j, ascending).
  struct Neighborhoods {
    std::vector<std::size_t> in_first;
    std::vector<std::uint32_t> in;
    std::vector<std::size_t> out_first;
    std::vector<std::uint32_t> out;
  };
  std::int64_t global_round(const Agent& agent) const {
    return agent.step * static_cast<std::int64_t>(context_.algorithm.consensus_steps) +
           static_cast<std::int64_t>(agent.round);
  }
  // Starts the agent's step; `snapshot_taken`: agent.mixing already is (or will be, once
  // its writer has run) x_j(step), else it is copied from the parameters now.
  void begin_step(std::size_t agent, bool snapshot_taken);
  void finish_compute(std::size_t agent);
  void send_round(std::size_t agent);
  void deliver(Message&& message);
  void try_advance(std::size_t agent);
  // Moves the early messages of the current and next round into the inbox.
  void release_early(std::size_t agent) {
    // Only a time-varying topology or a tolerant run keeps early messages: no look per step.
    if ((tolerant_ || context_.schedule != nullptr) && !patience_[agent].early.empty()) release_early_messages(agent);
  }
  void release_early_messages(std::size_t agent);
  void apply_update(std::size_t agent, std::size_t parity);
  void crash(std::size_t agent);
  void recover(std::size_t agent);
  // A step of `agent` is done: the recorder, the outages' step counts, the crashed agents.
  void step_finished(std::size_t agent);
  // Crashed agent `agent` finishes `step` with its parameters frozen.
  void crashed_step(std::size_t agent, std::int64_t step);
  // Drops the vectors received for the rounds of `parity`.
  void clear_inbox(std::size_t agent, std::size_t parity);
  // The agent's own vector and its neighbours' of the current round, with their weights;
  // valid until the next call (it reuses one buffer, so an update allocates nothing). Also
  // fills held_ with the snapshots themselves and after_ with the tasks writing them.
  std::span<const WeightedParameters> mixing_inputs(std::size_t agent, std::size_t parity);
  // Starts the math of the agent's current round on the pool (at once without one): the
  // mixing of an intermediate round into a new snapshot, or (`update`) the update rule into
  // x_j(step + 1) and a snapshot of it. Either way agent.mixing becomes that snapshot. The
  // task runs after the tasks writing its inputs, so the engine goes on without waiting.
  void start_mixing(std::size_t agent, std::size_t parity, bool update);
  // The pure math start_mixing starts: the mixed or updated vector into `out`.
  void mixing_math(std::size_t agent, std::span<const WeightedParameters> inputs, bool update, double alpha,
                   std::vector<float>& out);
  // A buffer of the agent's pool that nothing holds any more (no message, inbox, snapshot
  // or task), or a new one of the model's size.
  Snapshot& free_snapshot(std::size_t agent);
  // Makes agent.mixing an immutable copy of `values` to share (null for an empty vector, a
  // replay's), in a buffer of the agent's pool that no message holds any more, so that
  // once the pool has as many buffers as rounds in flight a step allocates nothing.
  void share_snapshot(std::size_t agent, const std::vector<float>& values);
  // The matrix (and neighbourhoods) of global round r. (A fixed topology has one: no
  // 64-bit division on every message.)
  std::size_t matrix_index(std::int64_t round) const {
    if (mixings_.size() == 1) return 0;
    return static_cast<std::size_t>(round % static_cast<std::int64_t>(mixings_.size()));
  }
  // Agent j's in-neighbours in `hood` are hood.in[first .. last). With one matrix they line
  // up with the agent's inbox slots, read from the agent's own cache line: a million-agent
  // replay then misses the cache once less per message.
  std::pair<std::size_t, std::size_t> in_neighbors(std::size_t j, const Agent& agent, const Neighborhoods& hood) const {
    if (mixings_.size() == 1) return {agent.first_slot, std::size_t{agent.first_slot} + agent.slots};
    return {hood.in_first[j], hood.in_first[j + 1]};
  }

  ProtocolContext context_;
  std::vector<MixingMatrix> mixings_;  // omega-blended: the scenario's matrix, or one per scheduled round
  std::vector<Neighborhoods> neighborhoods_;  // per matrix
  Rule rule_;
  std::vector<Agent> agents_;
  std::vector<Vectors> vectors_;
  std::vector<Patience> patience_;
  // inbox_[p][first_slot + k] holds the vector agent j received for the rounds of parity p
  // from the k-th neighbour its row of that round lists (a neighbour may be one round
  // ahead; a replay's are null and never stored), and filled_[2 (first_slot + k) + p]
  // whether it has arrived; agent j has as many slots as its widest row over the matrices.
  std::vector<std::shared_ptr<const std::vector<float>>> inbox_[2];
  std::vector<std::uint8_t> filled_;
  std::uint8_t& filled(std::size_t slot, std::size_t parity) { return filled_[2 * slot + parity]; }
  std::vector<WeightedParameters> inputs_;  // mixing_inputs' buffer
  std::vector<std::shared_ptr<const std::vector<float>>> held_;  // the snapshots inputs_ views
  std::vector<WorkerPool::Dependency> after_;                     // and the tasks writing them
  std::size_t dimension_ = 0;  // 0 in a replay: no math at all
  const std::shared_ptr<const std::vector<float>> no_payload_;  // a replay's messages carry none
  StepRecorder recorder_;
  AgentOutages outages_;
  bool tolerant_ = false;  // timeouts or crashes: late vectors are dropped, early ones kept
  WaitingStats waiting_;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
