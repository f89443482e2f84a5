#include "sim/protocols/centralized_sgd.h"

#include <stdexcept>
#include <string>

#include "core/invalid_input.h"
#include "sim/protocols/parameter_server.h"

namespace cdsim {

CentralizedSgd::CentralizedSgd(ProtocolContext context)
    : context_(std::move(context)),
      optimizer_(data_parallel_optimizer(context_.algorithm), context_.initial_parameters.size()),
      parameters_(context_.initial_parameters),
      gradient_(parameters_.size(), 0.0f),
      recorder_(context_) {
  if (context_.learners.size() != 1) {
    throw std::logic_error("CentralizedSgd: one model needs one learner, found " +
                           std::to_string(context_.learners.size()));
  }
  checked_dimension(context_, "CentralizedSgd");
  if (context_.algorithm.compression.kind != "identity") {
    throw InvalidInput("/compression", "communication \"none\" sends nothing, so there is nothing to compress");
  }
}

void CentralizedSgd::start() {
  recorder_.report(0, std::vector<std::vector<float>>{parameters_});
  if (context_.total_steps > 0) begin_step();
}

void CentralizedSgd::begin_step() {
  // The gradient math runs now; the simulated clock charges the compute time for it.
  context_.learners[0]->compute_gradient(parameters_, gradient_);
  context_.simulation.schedule_after(context_.compute.next_step_time(0), [this] { finish_step(); });
}

void CentralizedSgd::finish_step() {
  optimizer_.step(parameters_, gradient_);
  ++step_;
  recorder_.agent_finished(0, step_, parameters_);
  if (step_ < context_.total_steps) begin_step();
}

}  // namespace cdsim
