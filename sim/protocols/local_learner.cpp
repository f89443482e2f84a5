#include "sim/protocols/local_learner.h"

namespace cdsim {

ModelLearner::ModelLearner(std::unique_ptr<Model> model, const Dataset& train,
                           MinibatchSampler sampler, Rng dropout_rng)
    : model_(std::move(model)), train_(train), sampler_(std::move(sampler)), dropout_rng_(dropout_rng) {}

double ModelLearner::compute_gradient(std::span<const float> parameters, std::span<float> gradient) {
  return model_->loss_and_gradient(parameters, train_, sampler_.next(), gradient, dropout_rng_);
}

}  // namespace cdsim
