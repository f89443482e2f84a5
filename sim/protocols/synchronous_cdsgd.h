// Synchronous CDSGD (D-PSGD) as a protocol on the simulated network. Each step every
// agent computes its gradient at its own parameters (taking the configured compute time),
// sends its parameters to every neighbour, waits for all neighbours' parameters of that
// step, then sets x_j <- sum_l Pi[j][l] x_l - alpha g_j. Owns the agents' state; borrows
// the simulation, network, mixing matrix and learners.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "sim/message.h"
#include "sim/network.h"
#include "sim/protocols/algorithm_spec.h"
#include "sim/protocols/compute_spec.h"
#include "sim/protocols/local_learner.h"
#include "sim/protocols/step_observer.h"
#include "sim/simulation.h"
#include "topologies/mixing_matrix.h"

namespace cdsim {

class SynchronousCdsgd {
 public:
  struct Options {
    std::int64_t total_steps = 0;
    std::int64_t observe_every_steps = 1;  // step 0 and the last step are always observed
  };

  // The learners (one per agent, in agent order) and the others must outlive the protocol.
  // All agents start from `initial_parameters`. The network's delivery handler is taken
  // over by this protocol.
  SynchronousCdsgd(Simulation& simulation, Network& network, const MixingMatrix& mixing,
                   std::vector<std::unique_ptr<LocalLearner>>& learners,
                   const std::vector<float>& initial_parameters, const AlgorithmSpec& algorithm,
                   const ComputeSpec& compute, Options options, StepObserver observer);

  // Reports step 0 and schedules every agent's first step at the current time.
  void start();

  // Steps every agent has completed (total_steps once the simulation has run dry).
  std::int64_t completed_steps() const;
  const std::vector<float>& parameters(std::size_t agent) const { return agents_[agent].parameters; }

 private:
  struct Inbox {
    std::vector<std::shared_ptr<const std::vector<float>>> by_neighbor;  // in mixing-row order
    std::size_t received = 0;
  };
  struct Agent {
    std::vector<float> parameters;   // x_j(step)
    std::vector<float> gradient;     // g_j at x_j(step)
    std::vector<float> next;         // scratch for x_j(step + 1)
    std::vector<std::size_t> neighbors;  // mixing-row columns other than j, ascending
    std::int64_t step = 0;
    bool sent = false;               // parameters of `step` are on their way
    Inbox inbox[2];                  // indexed by round parity: a neighbour may be one step ahead
  };
  struct PendingObservation {
    std::vector<std::vector<float>> parameters;
    std::size_t agents_done = 0;
  };

  void begin_step(std::size_t agent);
  void finish_compute(std::size_t agent);
  void deliver(Message&& message);
  void try_update(std::size_t agent);
  bool is_observed(std::int64_t step) const;
  void record(std::size_t agent);

  Simulation& simulation_;
  Network& network_;
  const MixingMatrix& mixing_;
  std::vector<std::unique_ptr<LocalLearner>>& learners_;
  AlgorithmSpec algorithm_;
  ComputeSpec compute_;
  Options options_;
  StepObserver observer_;
  std::vector<Agent> agents_;
  std::map<std::int64_t, PendingObservation> pending_;
};

}  // namespace cdsim
