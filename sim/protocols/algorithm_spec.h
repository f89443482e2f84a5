// What a scenario says about the training algorithm: which protocol the agents run
// (consensus methods, centralized baselines, FedAvg), its step size and momentum, and the
// protocol's own knobs. Plain values with the defaults a scenario gets when it is silent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/compressor_spec.h"
#include "core/step_size.h"
#include "sim/time.h"

namespace cdsim {

struct AlgorithmSpec {
  // cdsgd, cdmsgd (Keras-style Nesterov, as the paper's experiments ran it),
  // cdmsgd_two_sequence (the paper's v/x form), async_cdsgd, choco_sgd (compressed
  // decentralized SGD), sgp (stochastic gradient push), sgd and msgd (centralized data-parallel; see `communication`),
  // fedavg.
  std::string kind = "cdsgd";
  double learning_rate = 0.01;   // alpha (base; scaled by `schedule`)
  double momentum = 0.95;        // mu; momentum methods only
  double weight_decay = 0.0;     // L2 coefficient added to every gradient
  std::size_t batch_size = 32;   // minibatch per agent per step
  StepSizeSchedule schedule;     // alpha_k = learning_rate * step_size(schedule, k)

  // Consensus methods.
  std::size_t consensus_steps = 1;   // tau: mixing rounds per gradient step (Pi^tau)
  double consensus_weight = 1.0;     // omega: x <- omega Pi x + (1 - omega) x_j, in [0, 1]
  bool overlap_communication = false;  // send, compute meanwhile, mix on arrival
  // Synchronous consensus: how long an agent ready to mix waits for a neighbour's vector
  // before it mixes over what it has, the missing weight on itself (0: wait for ever).
  SimTime timeout = SimTime::zero();

  // Compression of what goes on the wire: CHOCO-SGD's differences q = Q(x - x_hat), the
  // workers' gradients through a parameter server (with error feedback unless turned off).
  CompressorSpec compression;
  bool error_feedback = true;
  double consensus_step_size = 1.0;  // CHOCO-SGD's gamma, in (0, 1]

  // Centralized sgd/msgd: "parameter_server" (gradients up, parameters down),
  // "all_reduce" (ring all-reduce of gradients, 2(N-1) chunk transfers per step), or "none"
  // (one model on the whole training set, batch B, no traffic: centralized SGD proper).
  std::string communication = "parameter_server";

  // FedAvg (McMahan et al.).
  double client_fraction = 1.0;      // C: share of clients sampled each round
  double local_epochs = 1.0;         // E: passes over its shard a client makes per round
};

}  // namespace cdsim
