#include "sim/protocols/local_learner.h"

namespace cdsim {

ModelLearner::ModelLearner(std::unique_ptr<Model> model, const Dataset& train,
                           MinibatchSampler sampler, Rng dropout_rng)
    : model_(std::move(model)), train_(train), sampler_(std::move(sampler)), dropout_rng_(dropout_rng) {}

double compute_gradient_with_decay(LocalLearner& learner, std::span<const float> parameters, std::span<float> gradient,
                                   double weight_decay) {
  const double loss = learner.compute_gradient(parameters, gradient);
  if (weight_decay != 0.0) {
    const float decay = static_cast<float>(weight_decay);
    for (std::size_t i = 0; i < gradient.size(); ++i) gradient[i] += decay * parameters[i];
  }
  return loss;
}

double ModelLearner::compute_gradient(std::span<const float> parameters, std::span<float> gradient) {
  return model_->loss_and_gradient(parameters, train_, sampler_.next(), gradient, dropout_rng_);
}

}  // namespace cdsim
