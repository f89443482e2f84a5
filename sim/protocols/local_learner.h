// What a protocol asks of one agent's learning: a gradient at given parameters on the
// agent's next minibatch. The protocol decides when this runs and what is sent; the
// learner (model, data shard, sampler) decides how the gradient is computed.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "core/dataset.h"
#include "core/minibatch_sampler.h"
#include "core/model.h"
#include "core/rng.h"

namespace cdsim {

class LocalLearner {
 public:
  virtual ~LocalLearner() = default;
  virtual std::size_t parameter_count() const = 0;
  // Steps (minibatches) in one pass over the agent's shard.
  virtual std::size_t steps_per_epoch() const = 0;
  // Training samples in the agent's shard (FedAvg weighs clients by it).
  virtual std::size_t shard_size() const = 0;
  // Draws the next minibatch, writes the gradient of its mean loss at `parameters`, and
  // returns that loss.
  virtual double compute_gradient(std::span<const float> parameters, std::span<float> gradient) = 0;
};

// learner.compute_gradient, plus weight_decay * parameters (an L2 term) when the decay is
// not zero; returns the learner's loss.
double compute_gradient_with_decay(LocalLearner& learner, std::span<const float> parameters, std::span<float> gradient,
                                   double weight_decay);

// The learner every scenario uses: a core Model trained on the agent's shard of `train`.
class ModelLearner final : public LocalLearner {
 public:
  // `train` must outlive the learner.
  ModelLearner(std::unique_ptr<Model> model, const Dataset& train, MinibatchSampler sampler,
               Rng dropout_rng);

  std::size_t parameter_count() const override { return model_->parameter_count(); }
  std::size_t steps_per_epoch() const override { return sampler_.batches_per_epoch(); }
  std::size_t shard_size() const override { return sampler_.shard_size(); }
  double compute_gradient(std::span<const float> parameters, std::span<float> gradient) override;

 private:
  std::unique_ptr<Model> model_;
  const Dataset& train_;
  MinibatchSampler sampler_;
  Rng dropout_rng_;
};

// The learner of a communication-only replay (model.kind "none"): no parameters, no data,
// no math. Each agent stands for one batch of data, so an epoch is one step (and a FedAvg
// client's local epoch one local step); the protocol charges the compute time as usual.
class ReplayLearner final : public LocalLearner {
 public:
  explicit ReplayLearner(std::size_t batch_size) : batch_size_(batch_size) {}
  std::size_t parameter_count() const override { return 0; }
  std::size_t steps_per_epoch() const override { return 1; }
  std::size_t shard_size() const override { return batch_size_; }
  double compute_gradient(std::span<const float>, std::span<float>) override { return 0.0; }

 private:
  std::size_t batch_size_;
};

}  // namespace cdsim
