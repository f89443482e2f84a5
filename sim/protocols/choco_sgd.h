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
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/compressor.h"
#include "core/consensus.h"
#include "core/rng.h"
#include "sim/message.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/shared_buffers.h"
#include "sim/protocols/step_recorder.h"

namespace cdsim {

class ChocoSgd final : public Protocol {
 public:
  // Takes over the network's delivery handler. Throws InvalidInput("/kind",
  // "/consensus_step_size", "/compression/...") for bad settings. On the wire q_j of step k
  // carries round k and kind kPublicCopyUpdate.
  explicit ChocoSgd(ProtocolContext context);

  void start() override;
  std::int64_t completed_steps() const override;
  const std::vector<float>& parameters(std::size_t agent) const { return agents_[agent].parameters; }

 private:
  using Snapshot = std::shared_ptr<const std::vector<float>>;
  struct Inbox {
    std::vector<Snapshot> by_neighbor;  // x_hat_l after step's update, in `neighbors` order
    std::size_t received = 0;
  };
  struct Agent {
    explicit Agent(Rng stream) : rng(stream) {}
    std::vector<float> parameters;   // x_j(step)
    Snapshot own_public;                 // x_hat_j, as sent to the neighbours
    std::vector<Snapshot> neighbor_public;  // x_hat_l, in `neighbors` order
    std::vector<float> gradient;     // g_j at x_j(step)
    std::vector<float> scratch;
    std::vector<float> decoded;      // Q(x_j - x_hat_j) as the receivers decode it
    std::vector<std::size_t> neighbors;  // mixing-row columns other than j, ascending
    Rng rng;                             // the compressor's stream (agent j, kCompression)
    CompressedVector outgoing;           // q_j of the step, encoded
    std::int64_t step = 0;
    bool computed = false;
    bool sent = false;
    Inbox inbox[2];  // by step parity: a neighbour may be a step ahead
  };
  void begin_step(std::size_t agent);
  void finish_compute(std::size_t agent);
  void send(std::size_t agent);
  void deliver(Message&& message);
  void try_advance(std::size_t agent);

  ProtocolContext context_;
  Compressor compressor_;
  SharedBuffers public_copies_;  // the agents' x_hat, shared with their messages and neighbours
  std::vector<Agent> agents_;
  StepRecorder recorder_;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
