// Synchronous consensus SGD on the simulated network: CDSGD (D-PSGD), CDMSGD in the
// Keras-Nesterov form the paper ran and in the paper's two-sequence form, with tau mixing
// rounds per gradient step (Pi^tau), a consensus weight omega (omega Pi + (1 - omega) I),
// and optional overlap of communication with computation. Each step every agent computes
// its gradient at its own parameters, exchanges parameters with its neighbours (tau
// rounds), and applies the update rule of core/consensus.h. Owns the agents' state.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/consensus.h"
#include "sim/message.h"
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

 private:
  enum class Rule { kCdsgd, kCdmsgdNesterov, kCdmsgdTwoSequence };
  // What every message to or from the agent touches, kept small and apart from the vectors.
  struct Agent {
    // y: the vector exchanged in the current round, one immutable snapshot shared by the
    // messages to every neighbour and by this agent's own mixing term; null when the
    // vectors are empty (a replay), so that messages carry no payload and no reference count.
    std::shared_ptr<const std::vector<float>> mixing;
    std::int64_t step = 0;
    std::uint32_t round = 0;          // mixing round within the step, 0..tau-1
    std::uint32_t received[2] = {};   // inbox entries filled, by global round parity
    bool computed = false;            // the gradient of `step` is ready
    bool round_sent = false;          // the current round's parameters are on their way
  };
  // The agent's part of the math.
  struct Vectors {
    std::vector<float> parameters;  // x_j(step)
    std::vector<float> gradient;    // g_j at x_j(step)
    std::vector<float> scratch;
    std::vector<float> momentum;    // m (Nesterov) or v(k) (two-sequence)
  };
  std::int64_t global_round(const Agent& agent) const;
  void begin_step(std::size_t agent);
  void finish_compute(std::size_t agent);
  void send_round(std::size_t agent);
  void deliver(Message&& message);
  void try_advance(std::size_t agent);
  void apply_update(std::size_t agent, std::size_t parity);
  // Drops the vectors received for the rounds of `parity`.
  void clear_inbox(std::size_t agent, std::size_t parity);
  // The agent's own vector and its neighbours' of the current round, with their weights;
  // valid until the next call (it reuses one buffer, so an update allocates nothing).
  std::span<const WeightedParameters> mixing_inputs(std::size_t agent, std::size_t parity);
  // An immutable copy of `values` to share; null for an empty vector (a replay's).
  static std::shared_ptr<const std::vector<float>> snapshot_of(const std::vector<float>& values);

  ProtocolContext context_;
  MixingMatrix mixing_;  // omega-blended copy of the scenario's matrix
  Rule rule_;
  std::vector<Agent> agents_;
  std::vector<Vectors> vectors_;
  // Dense neighbour index, built once: agent j's neighbours (its mixing-row columns other
  // than j, ascending) are neighbors_[first_neighbor_[j] .. first_neighbor_[j + 1]), and
  // inbox_[p] holds at the same places the vectors received for the rounds of parity p (a
  // neighbour may be one round ahead; null payloads are a replay's empty vectors) and
  // filled_[p] whether each has arrived.
  std::vector<std::size_t> first_neighbor_;
  std::vector<std::uint32_t> neighbors_;
  std::vector<std::shared_ptr<const std::vector<float>>> inbox_[2];
  std::vector<std::uint8_t> filled_[2];
  std::vector<WeightedParameters> inputs_;  // mixing_inputs' buffer
  StepRecorder recorder_;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
