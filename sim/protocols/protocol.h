// The common shape of every training protocol: it is handed the simulation, the network,
// the agents' learners and the run's length, schedules its agents' work as events, and
// reports observed steps through the StepObserver. make_protocol picks the class for an
// algorithm kind; protocol_links says which links that protocol's traffic needs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "core/compressor.h"
#include "core/worker_pool.h"
#include "sim/agent_id.h"
#include "sim/faulty_network.h"
#include "sim/network.h"
#include "sim/protocols/algorithm_spec.h"
#include "sim/protocols/compute_model.h"
#include "sim/protocols/local_learner.h"
#include "sim/protocols/step_observer.h"
#include "sim/simulation.h"
#include "topologies/graph.h"
#include "topologies/mixing_matrix.h"
#include "topologies/mixing_schedule.h"

namespace cdsim {

// Everything a protocol borrows; all references must outlive the protocol.
//
// Messages are sized for `wire_parameters` values (a whole model or gradient; chunks of it
// for all-reduce), never from the vectors they carry. Normally the vectors hold exactly
// that many values; in a communication-only replay (model.kind "none") every vector is
// empty, so the update rules run over nothing while every message still has the size, the
// timing and the count it would have for a model of wire_parameters parameters.
struct ProtocolContext {
  Simulation& simulation;
  Network& network;
  const MixingMatrix& mixing;  // consensus protocols only
  std::vector<std::unique_ptr<LocalLearner>>& learners;  // one per agent, in agent order
  const std::vector<float>& initial_parameters;          // every agent starts here
  std::size_t wire_parameters;                            // values a full message carries
  const AlgorithmSpec& algorithm;
  ComputeModel& compute;
  std::int64_t total_steps = 0;          // gradient steps, or rounds for FedAvg
  std::int64_t observe_every_steps = 1;  // step 0 and the last step are always observed
  StepObserver observer;
  SimTime observe_every_time = SimTime::zero();  // > 0: also observe the first step after each multiple
  std::function<void(std::int64_t step)> on_step_complete = nullptr;  // every step, for progress displays
  // A time-varying topology: gossip round r mixes with schedule->at(r) instead of `mixing`.
  // Synchronous consensus only (make_protocol rejects it for the others).
  const MixingSchedule* schedule = nullptr;
  // Agent `agent` has finished `step` (its update applied), at the current time; for traces.
  std::function<void(std::size_t agent, std::int64_t step)> on_agent_finished = nullptr;
  // false: observed snapshots carry no parameters (an empty span), for observers that read
  // only the step, time and traffic (a replay, evaluation "off"); saves copying N vectors.
  bool observe_parameters = true;
  // Where the agents' gradients (and other pure math the engine has decided on) are
  // computed; null: on the engine's thread, at once. Results do not depend on it.
  WorkerPool* workers = nullptr;
  // Agents crash and recover at these times (the list the FaultyNetwork applies to their
  // messages); protocols that cannot run with crashes reject a non-empty list. A crashed
  // agent computes and sends nothing; its step count follows the slowest up agent with its
  // parameters frozen (see agent_outages.h); on recovery it resumes from those parameters.
  std::vector<AgentStateChange> agent_changes = {};
};

// A server-based protocol's rounds under algorithm.timeout (the round deadline): rounds
// the deadline closed before every answer came, the answers it went without, and answers
// that arrived after their round and were dropped.
struct DeadlineStats {
  std::uint64_t rounds_closed_by_deadline = 0;
  std::uint64_t missing_answers = 0;
  std::uint64_t late_messages = 0;
};

// A synchronous gossip protocol's waits under algorithm.timeout (consensus, CHOCO-SGD,
// SGP): simulated time agents spent ready to mix but waiting for neighbours, summed over
// agents; rounds an agent mixed without every neighbour; messages that arrived after their
// round was mixed.
struct WaitingStats {
  SimTime agent_wait = SimTime::zero();
  std::uint64_t timeouts = 0;
  std::uint64_t late_messages = 0;
};

class Protocol {
 public:
  virtual ~Protocol() = default;
  // Reports step 0 and schedules the first events at the current time.
  virtual void start() = 0;
  // Steps (or rounds) completed by every agent.
  virtual std::int64_t completed_steps() const = 0;
};

// The length of every agent's parameter vector: initial_parameters.size(). Throws
// std::logic_error, naming `protocol`, when a learner's parameter count differs from it or
// when the vectors are neither wire_parameters long nor empty (a replay).
std::size_t checked_dimension(const ProtocolContext& context, const char* protocol);

// The compressor algorithm.compression describes; throws InvalidInput("/compression/...").
Compressor algorithm_compressor(const AlgorithmSpec& algorithm);

// Throws InvalidInput("/kind", ...) for an algorithm no protocol implements.
std::unique_ptr<Protocol> make_protocol(ProtocolContext context);

// The nodes and links the algorithm's traffic needs: consensus methods use the topology's
// edges among the N agents; a parameter server and FedAvg add node N (the server) linked
// to every agent; ring all-reduce links agent j to agent j + 1 mod N.
struct ProtocolLinks {
  std::size_t node_count = 0;
  std::vector<std::pair<AgentId, AgentId>> edges;
};
ProtocolLinks protocol_links(const AlgorithmSpec& algorithm, const Graph& topology);

// The share of an epoch one protocol step represents. An epoch is the training set seen
// once by the agents together: for step-based protocols 1 / ceil(train / (N * batch));
// for FedAvg, where a step is a round of m = max(1, round(C N)) clients making E local
// epochs each, m / N * E.
double epochs_per_step(const AlgorithmSpec& algorithm, std::size_t train_samples, std::size_t agents);

// Whether the algorithm mixes over the topology (and so uses the mixing matrix).
bool is_consensus_algorithm(const AlgorithmSpec& algorithm);

// Whether the algorithm trains one model on the whole training set (sgd / msgd with
// communication "none"): one learner, no network, whatever the scenario's agent count.
bool is_single_model(const AlgorithmSpec& algorithm);

}  // namespace cdsim
