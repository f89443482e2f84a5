// CHOCO-SGD (Koloskova, Stich and Jaggi 2019) on the simulated network: decentralized SGD
// with compressed communication. Every agent keeps public copies x_hat of itself and of its
// neighbours. Each step agent j computes its gradient at x_j, compresses the difference
// q_j = Q(x_j - x_hat_j), moves its own copy by q_j and sends q_j to every neighbour, which
// moves its copy of x_hat_j the same way; once it holds all its neighbours' q of the step
// it sets x_j <- x_j + gamma sum_l W_jl (x_hat_l - x_hat_j) - alpha g_j (core/choco.h).
// Messages are sized by q's compressed encoding (sim/protocols/wire_size.h) and carry the
// sender's new public copy, one immutable snapshot shared by every holder, which is what
// each receiver rebuilds from q (so the copies agree by construction and none is duplicated
// per neighbour). Owns the agents' state.
// Under faults each receiver's copy of x_hat_l follows core/choco.h's PublicCopyReplica: a
// missed q_l leaves it stale. With algorithm.timeout > 0 an agent ready to mix waits at
// most that long for the neighbours whose copy is not yet at this step (not for one whose
// message of the step came and could not be applied), then mixes without them, their
// weight on itself (their x_hat_l taken as its own x_hat_j). While its copy of x_hat_l is
// stale it flags its messages to l (kWholeCopyRequest in the kind); l answers at its next
// step with its whole x_hat_l (kind kPublicCopy, a dense float32 vector) instead of q_l,
// and the copies agree again. A crashed agent drops its step in progress, sends and hears
// nothing and keeps x_j and x_hat_j frozen (its step count follows the slowest up agent);
// on recovery it resumes from them, and the copies its neighbours and it missed meanwhile
// are refreshed by the same requests.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/choco.h"
#include "core/compressor.h"
#include "core/consensus.h"
#include "core/rng.h"
#include "sim/message.h"
#include "sim/protocols/agent_outages.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/shared_buffers.h"
#include "sim/protocols/step_recorder.h"
#include "sim/protocols/step_wait.h"

namespace cdsim {

// The kind bit of a CHOCO message whose sender's copy of the receiver's x_hat is stale.
inline constexpr std::uint32_t kWholeCopyRequest = 1u << 16;

class ChocoSgd final : public Protocol {
 public:
  // Takes over the network's delivery handler. Throws InvalidInput("/kind",
  // "/consensus_step_size", "/compression/...") for bad settings. On the wire q_j of step k
  // carries round k and kind kPublicCopyUpdate.
  explicit ChocoSgd(ProtocolContext context);

  void start() override;
  std::int64_t completed_steps() const override;
  const std::vector<float>& parameters(std::size_t agent) const { return agents_[agent].parameters; }
  const WaitingStats& waiting() const { return waiting_; }
  // Whole public copies sent in answer to a stale copy's request.
  std::uint64_t whole_copies_sent() const { return whole_copies_sent_; }

 private:
  using Snapshot = std::shared_ptr<const std::vector<float>>;
  // One neighbour l, as agent j sees it.
  struct Neighbor {
    std::size_t agent = 0;
    Snapshot copy;               // x_hat_l as j holds it
    PublicCopyReplica replica;   // which step of x_hat_l that is, or stale
    std::int64_t heard = -1;     // the latest step of l's messages j has taken in
    std::int64_t whole_sent_at = -1;  // the step j last sent l its whole x_hat_j
    bool owes_whole = false;     // l asked for it (l's copy of x_hat_j is stale)
  };
  struct Agent {
    explicit Agent(Rng stream) : rng(stream) {}
    std::vector<float> parameters;   // x_j(step)
    Snapshot own_public;             // x_hat_j, as sent to the neighbours
    std::vector<float> gradient;     // g_j at x_j(step)
    std::vector<float> scratch;
    std::vector<float> decoded;      // Q(x_j - x_hat_j) as the receivers decode it
    std::vector<Neighbor> neighbors;  // mixing-row columns other than j, ascending
    std::vector<Message> early;      // messages of later steps, in arrival order
    Rng rng;                         // the compressor's stream (agent j, kCompression)
    CompressedVector outgoing;       // q_j of the step, encoded
    std::int64_t step = 0;
    bool computed = false;
    bool sent = false;
    StepWait wait;  // algorithm.timeout
  };
  void begin_step(std::size_t agent);
  void finish_compute(std::size_t agent);
  void send(std::size_t agent);
  void deliver(Message&& message);
  // Applies neighbour n's message (of a step no later than the agent's) to its copy.
  void take_in(std::size_t agent, std::size_t n, Message&& message);
  // Takes in the early messages of steps up to the agent's.
  void release_early(std::size_t agent);
  void try_advance(std::size_t agent);
  void crash(std::size_t agent);
  void recover(std::size_t agent);
  // A step of `agent` is done: the recorder, the outages' step counts, the crashed agents.
  void step_finished(std::size_t agent);
  // Crashed agent `agent` finishes `step` with x_j and x_hat_j frozen.
  void crashed_step(std::size_t agent, std::int64_t step);

  ProtocolContext context_;
  Compressor compressor_;
  SharedBuffers public_copies_;  // the agents' x_hat, shared with their messages and neighbours
  std::vector<Agent> agents_;
  std::vector<WeightedParameters> copies_;  // try_advance's buffer
  StepRecorder recorder_;
  AgentOutages outages_;
  bool tolerant_ = false;  // timeouts or crashes: messages may come late or steps ahead
  WaitingStats waiting_;
  std::uint64_t whole_copies_sent_ = 0;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
