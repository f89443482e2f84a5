// What a scenario says about the training algorithm every agent runs: which protocol
// (CDSGD, CDMSGD, ...), its step size and momentum, and the minibatch size.
#pragma once

#include <cstddef>
#include <string>

namespace cdsim {

struct AlgorithmSpec {
  // One of: cdsgd (the only one the walking skeleton runs), cdmsgd.
  std::string kind = "cdsgd";
  double learning_rate = 0.01;  // alpha; the paper's fixed step
  double momentum = 0.95;       // mu; used by momentum methods only
  std::size_t batch_size = 32;  // minibatch per agent per step
};

}  // namespace cdsim
