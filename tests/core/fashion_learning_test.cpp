#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>

#include "core/data_loader.h"
#include "core/minibatch_sampler.h"
#include "core/model.h"
#include "core/optimizer.h"
#include "core/partition.h"
#include "tests/core/slow_tests.h"

using namespace cdsim;

namespace {

// Plain SGD (constant step, batch 32) on the first `train_samples` Fashion-MNIST images;
// returns the test accuracy on all 10,000 test images.
double train_fashion(const ModelSpec& model_spec, std::size_t train_samples, int epochs,
                     double learning_rate) {
  DataSpec data_spec;
  data_spec.source = "fashion_mnist";
  data_spec.max_train_samples = train_samples;
  const TrainTestData data = load_data(data_spec, 0);
  std::unique_ptr<Model> model = make_model(model_spec, data.train);
  std::vector<float> parameters(model->parameter_count()), gradient(model->parameter_count());
  Rng init(1, 0, RngPurpose::kInitialization);
  model->initialize(parameters, init);
  OptimizerSpec optimizer_spec;
  optimizer_spec.learning_rate = learning_rate;
  Optimizer optimizer(optimizer_spec, parameters.size());
  const Shards shards = partition(data.train, 1, PartitionSpec{}, 1);
  MinibatchSampler sampler(shards[0], 32, Rng(1, 0, RngPurpose::kMinibatch));
  Rng dropout(1, 0, RngPurpose::kDropout);
  const auto start = std::chrono::steady_clock::now();
  while (sampler.epoch() < static_cast<std::size_t>(epochs)) {
    model->loss_and_gradient(parameters, data.train, sampler.next(), gradient, dropout);
    optimizer.step(parameters, gradient);
  }
  const double accuracy = model->evaluate(parameters, data.test).accuracy;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  MESSAGE(model->describe() << ": test accuracy " << accuracy << " after " << epochs
                            << " epochs on " << train_samples << " images (" << seconds << " s)");
  return accuracy;
}

}  // namespace

TEST_CASE(
    "softmax regression reaches 80% test accuracy on fashion-mnist with plain sgd, and an mlp "
    "trained the same way beats it" *
    doctest::skip(testing::kSkipSlow)) {
  ModelSpec softmax;
  softmax.kind = "softmax_regression";
  const double softmax_accuracy = train_fashion(softmax, 60000, 3, 0.1);
  CHECK(softmax_accuracy >= 0.80);
  ModelSpec mlp;
  mlp.kind = "mlp";
  mlp.hidden = {128};
  const double mlp_accuracy = train_fashion(mlp, 60000, 3, 0.1);
  CHECK(mlp_accuracy > softmax_accuracy);
}
