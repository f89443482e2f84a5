// Stochastic gradient push (SGP; Assran, Loizou, Ballas and Rabbat 2019) on the simulated
// network: decentralized SGD over push-sum (core/push_sum.h), for directed and time-varying
// graphs. Agent j keeps a numerator x_j and a weight w_j (1 at the start) and works at its
// de-biased estimate z_j = x_j / w_j. Each step k it computes its gradient at z_j, takes
// x_j <- x_j - alpha g_j, then splits (x_j, w_j) evenly among itself and its out-neighbours
// of round k (the agents whose mixing row of round k holds j): column-stochastic shares
// 1 / (1 + out-degree), whatever weights the matrix gives. Once it holds the shares of its
// in-neighbours of round k (its own row's columns) it sums them, x_j = sum_l a_jl x_l and
// w_j = sum_l a_jl w_l, and re-de-biases. Observed parameters are the z_j. The rows' support
// says who talks to whom, so an asymmetric matrix is a directed graph, and a schedule
// (ProtocolContext::schedule) gives round k's matrix. Owns the agents' state.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "core/push_sum.h"
#include "sim/message.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/step_recorder.h"

namespace cdsim {

class StochasticGradientPush final : public Protocol {
 public:
  // Takes over the network's delivery handler. Throws InvalidInput("/kind") when the kind is
  // not "sgp". On the wire the share of step k carries round k, kind kPushSumShare, the
  // numerator's values and the weight (sim/protocols/wire_size.h).
  explicit StochasticGradientPush(ProtocolContext context);

  void start() override;
  std::int64_t completed_steps() const override;
  // z_j, the de-biased estimate.
  const std::vector<float>& parameters(std::size_t agent) const { return agents_[agent].estimate; }
  double weight(std::size_t agent) const { return agents_[agent].weight; }

 private:
  using Snapshot = std::shared_ptr<const std::vector<float>>;
  // Who talks to whom in one matrix: agent j hears from in[in_first[j] .. in_first[j + 1])
  // (its row's columns other than j with weight > 0, ascending) and sends to
  // out[out_first[j] .. out_first[j + 1]) (the rows that hold j, ascending).
  struct Directions {
    std::vector<std::size_t> in_first;
    std::vector<std::uint32_t> in;
    std::vector<std::size_t> out_first;
    std::vector<std::uint32_t> out;
    double share(std::size_t agent) const {
      return 1.0 / static_cast<double>(1 + out_first[agent + 1] - out_first[agent]);
    }
  };
  // The shares received for one step, by in-neighbour position.
  struct Inbox {
    std::vector<Snapshot> numerators;
    std::vector<double> weights;
    std::size_t received = 0;
  };
  // A share sent: its weight (which travels beside the numerator) until every receiver has
  // taken it.
  struct Sent {
    double weight;
    std::size_t receivers_left;
  };
  struct Agent {
    std::vector<float> numerator;  // x_j
    double weight = 1.0;           // w_j
    std::vector<float> estimate;   // z_j = x_j / w_j
    std::vector<float> gradient;   // g_j at z_j
    Snapshot outgoing;             // x_j after the gradient step, shared with the receivers
    std::int64_t step = 0;
    bool sent = false;
    std::map<std::int64_t, Inbox> inbox;  // by step: a sender may be many steps ahead
    std::deque<Sent> sent_weights;         // of steps first_sent_step, first_sent_step + 1, ...
    std::int64_t first_sent_step = 0;
  };
  const Directions& directions(std::int64_t step) const {
    return directions_[static_cast<std::size_t>(step % static_cast<std::int64_t>(directions_.size()))];
  }
  void begin_step(std::size_t agent);
  void finish_compute(std::size_t agent);
  void deliver(Message&& message);
  void try_advance(std::size_t agent);
  // Forgets the sender's oldest weights once every receiver has taken them.
  static void drop_delivered(Agent& sender);

  ProtocolContext context_;
  std::vector<Directions> directions_;  // one per matrix: the scenario's, or one per scheduled round
  std::vector<Agent> agents_;
  std::vector<PushSumShare> shares_;    // the combine's inputs, reused
  StepRecorder recorder_;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
