// A test learner with a closed-form gradient: agent j minimizes 0.5 ||x - b_j||^2, so its
// gradient is x - b_j and the network-wide optimum is the mean of the b_j. Its shard size
// is a label only (FedAvg weighs by it); the gradient does not depend on the data.
#pragma once

#include <span>
#include <vector>

#include "sim/protocols/local_learner.h"

namespace cdsim::testing {

class QuadraticLearner final : public LocalLearner {
 public:
  explicit QuadraticLearner(std::vector<float> target, std::size_t shard_size = 1)
      : target_(std::move(target)), shard_size_(shard_size) {}
  std::size_t parameter_count() const override { return target_.size(); }
  std::size_t steps_per_epoch() const override { return 1; }
  std::size_t shard_size() const override { return shard_size_; }
  double compute_gradient(std::span<const float> parameters, std::span<float> gradient) override {
    double loss = 0.0;
    for (std::size_t i = 0; i < target_.size(); ++i) {
      gradient[i] = parameters[i] - target_[i];
      loss += 0.5 * gradient[i] * gradient[i];
    }
    ++calls_;
    return loss;
  }
  int calls() const { return calls_; }

 private:
  std::vector<float> target_;
  std::size_t shard_size_;
  int calls_ = 0;
};

}  // namespace cdsim::testing
