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
#include "sim/protocols/protocol.h"
#include "sim/protocols/step_recorder.h"

namespace cdsim {

class SynchronousConsensus final : public Protocol {
 public:
  // Takes over the network's delivery handler.
  explicit SynchronousConsensus(ProtocolContext context);

  void start() override;
  std::int64_t completed_steps() const override;
  const std::vector<float>& parameters(std::size_t agent) const { return agents_[agent].parameters; }

 private:
  enum class Rule { kCdsgd, kCdmsgdNesterov, kCdmsgdTwoSequence };
  struct Inbox {
    std::vector<std::shared_ptr<const std::vector<float>>> by_neighbor;  // mixing-row order
    std::size_t received = 0;
  };
  struct Agent {
    std::vector<float> parameters;   // x_j(step)
    // y: the vector exchanged in the current round, one immutable snapshot shared by the
    // messages to every neighbour and by this agent's own mixing term.
    std::shared_ptr<const std::vector<float>> mixing;
    std::vector<float> gradient;     // g_j at x_j(step)
    std::vector<float> scratch;
    std::vector<float> momentum;     // m (Nesterov) or v(k) (two-sequence)
    std::vector<std::size_t> neighbors;  // mixing-row columns other than j, ascending
    std::int64_t step = 0;
    std::size_t round = 0;           // mixing round within the step, 0..tau-1
    bool computed = false;           // the gradient of `step` is ready
    bool round_sent = false;         // the current round's parameters are on their way
    Inbox inbox[2];                  // by global round parity: a neighbour may be a round ahead
  };
  std::int64_t global_round(const Agent& agent) const;
  void begin_step(std::size_t agent);
  void finish_compute(std::size_t agent);
  void send_round(std::size_t agent);
  void deliver(Message&& message);
  void try_advance(std::size_t agent);
  void apply_update(std::size_t agent, Inbox& inbox);
  // The agent's own vector and its neighbours' of the current round, with their weights;
  // valid until the next call (it reuses one buffer, so an update allocates nothing).
  std::span<const WeightedParameters> mixing_inputs(std::size_t agent, const Inbox& inbox);
  // An immutable copy of `values` to share; every empty vector (a replay's) shares one.
  std::shared_ptr<const std::vector<float>> snapshot_of(const std::vector<float>& values) const;

  ProtocolContext context_;
  MixingMatrix mixing_;  // omega-blended copy of the scenario's matrix
  Rule rule_;
  std::vector<Agent> agents_;
  std::vector<WeightedParameters> inputs_;  // mixing_inputs' buffer
  std::shared_ptr<const std::vector<float>> empty_snapshot_ = std::make_shared<const std::vector<float>>();
  StepRecorder recorder_;
};

}  // namespace cdsim
