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
// With algorithm.timeout > 0 or crashes (a run with faults) the shares go as running sums
// (core/push_sum.h, Hadjicostis, Vaidya and Dominguez-Garcia 2016): the sender of each
// directed link keeps the cumulative sum sigma of the shares it pushed on it and sends
// sigma (float32 values, the weight as a double, the same message size); the receiver
// adds sigma - rho, rho the last sum it took on that link, so the mass of a lost message
// comes with the next one that arrives and sum_j (x_j, w_j) plus the links' sigma - rho is
// conserved. An agent ready to combine (its shares sent) waits at most algorithm.timeout
// for the in-neighbours of the step whose message of the step has not come, then combines
// what it has: at step k it takes, on every in-link, the latest sum of a step <= k not yet
// taken (a late one too). A crashed agent drops its step, keeps its (x_j, w_j) frozen (the
// shares it pushed before crashing are in the links) and sends nothing; the mass sent to it
// waits in the links and arrives with the first message after its recovery.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/push_sum.h"
#include "sim/message.h"
#include "sim/protocols/agent_outages.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/step_recorder.h"
#include "sim/protocols/step_wait.h"

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
  // sum_j w_j, plus (running sums) the weight in the links not yet taken by their receivers.
  double total_weight() const;
  const WaitingStats& waiting() const { return waiting_; }

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
  // Running sums: agent j's out-link to `to`, and its in-link from `from`.
  struct OutLink {
    std::uint32_t to = 0;
    RunningSum sent;  // sigma
  };
  struct InLink {
    std::uint32_t from = 0;
    std::vector<float> last;  // rho: the last sum taken
    double last_weight = 0.0;
    std::int64_t last_step = -1;  // the step of that sum
    std::vector<std::pair<std::int64_t, Snapshot>> arrived;  // sums not yet taken, by step, ascending
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
    // Running sums (robust_): the links, ascending by the other end, and the wait.
    std::vector<OutLink> out_links;
    std::vector<InLink> in_links;
    StepWait wait;  // algorithm.timeout
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
  // The running-sum variant's steps.
  void push_running_sums(std::size_t agent);
  void deliver_running_sum(Message&& message);
  void try_combine_running_sums(std::size_t agent);
  void crash(std::size_t agent);
  void crashed_step(std::size_t agent, std::int64_t step);
  void step_finished(std::size_t agent);

  ProtocolContext context_;
  std::vector<Directions> directions_;  // one per matrix: the scenario's, or one per scheduled round
  std::vector<Agent> agents_;
  std::vector<PushSumShare> shares_;    // the combine's inputs, reused
  StepRecorder recorder_;
  AgentOutages outages_;
  bool robust_ = false;  // running sums, timeouts and crashes
  WaitingStats waiting_;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
