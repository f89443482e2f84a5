// Centralized SGD as the paper and most of the literature run it: ONE model trained on the
// whole training set with minibatches of B, ceil(n / B) steps an epoch, no network at all.
// (Data-parallel large-batch SGD through a parameter server or an all-reduce is a different
// baseline: N workers, batch N B.) Each step computes the gradient at the current
// parameters (charging the compute time of agent 0) and applies the optimizer of
// data_parallel_optimizer: plain SGD for sgd, Keras-style Nesterov for msgd.
#pragma once

#include <cstdint>
#include <vector>

#include "core/optimizer.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/step_recorder.h"

namespace cdsim {

class CentralizedSgd final : public Protocol {
 public:
  // Needs exactly one learner (the whole training set). Sends nothing.
  explicit CentralizedSgd(ProtocolContext context);

  void start() override;
  std::int64_t completed_steps() const override { return step_; }
  const std::vector<float>& parameters() const { return parameters_; }

 private:
  void begin_step();
  void finish_step();

  ProtocolContext context_;
  Optimizer optimizer_;
  std::vector<float> parameters_;
  std::vector<float> gradient_;
  std::int64_t step_ = 0;
  StepRecorder recorder_;
};

}  // namespace cdsim
