#include <doctest/doctest.h>

#include <cstring>
#include <thread>

#include "core/data_loader.h"
#include "core/minibatch_sampler.h"
#include "core/model.h"
#include "core/optimizer.h"
#include "core/partition.h"

using namespace cdsim;

namespace {

// 4 classes of 4x4 one-channel "images" drawn from a Gaussian mixture.
Dataset mixture_images(std::size_t samples) {
  DataSpec spec;
  spec.source = "gaussian_mixture";
  spec.dimension = 16;
  spec.classes = 4;
  spec.train_samples = samples;
  Dataset data = load_data(spec, 3).train;
  data.sample_shape = {1, 4, 4};
  return data;
}

// Trains agent `agent` of `shards` for a few steps with its own model, sampler and
// dropout streams; returns its final parameters.
std::vector<float> train_agent(const ModelSpec& spec, const Dataset& data, const Shards& shards,
                               std::size_t agent) {
  std::unique_ptr<Model> model = make_model(spec, data);
  std::vector<float> parameters(model->parameter_count()), gradient(parameters.size());
  Rng init(7, 0, RngPurpose::kInitialization);  // the same initial weights on every agent
  model->initialize(parameters, init);
  OptimizerSpec optimizer_spec;
  optimizer_spec.kind = "nesterov";
  Optimizer optimizer(optimizer_spec, parameters.size());
  MinibatchSampler sampler(shards[agent], 16, Rng(7, agent, RngPurpose::kMinibatch));
  Rng dropout(7, agent, RngPurpose::kDropout);
  for (int step = 0; step < 6; ++step) {
    model->loss_and_gradient(parameters, data, sampler.next(), gradient, dropout);
    optimizer.step(parameters, gradient);
  }
  return parameters;
}

}  // namespace

TEST_CASE(
    "agents trained concurrently on threads end bit-identical to agents trained one after "
    "another") {
  const Dataset data = mixture_images(240);
  const Shards shards = partition(data, 3, PartitionSpec{}, 3);
  ModelSpec mlp;
  mlp.kind = "mlp";
  mlp.hidden = {12, 12};
  ModelSpec cnn;
  cnn.kind = "paper_cnn";
  ModelSpec softmax;
  softmax.kind = "softmax_regression";
  for (const ModelSpec& spec : {mlp, cnn, softmax}) {
    CAPTURE(spec.kind);
    std::vector<std::vector<float>> sequential, concurrent(3);
    for (std::size_t a = 0; a < 3; ++a) sequential.push_back(train_agent(spec, data, shards, a));
    std::vector<std::thread> threads;
    for (std::size_t a = 0; a < 3; ++a)
      threads.emplace_back([&, a] { concurrent[a] = train_agent(spec, data, shards, a); });
    for (std::thread& thread : threads) thread.join();
    CHECK(sequential == concurrent);
    CHECK(sequential[0] != sequential[1]);  // different shards and minibatches
  }
}

TEST_CASE("losses and gradients do not depend on where the caller's buffers sit in memory") {
  const Dataset images = mixture_images(64);
  DataSpec linear_spec;
  linear_spec.dimension = 13;
  const Dataset regression = load_data(linear_spec, 3).train;
  std::vector<std::pair<ModelSpec, const Dataset*>> cases;
  for (const char* kind : {"linear_regression", "softmax_regression", "mlp", "paper_cnn"}) {
    ModelSpec spec;
    spec.kind = kind;
    spec.hidden = {12, 12};
    cases.emplace_back(spec, std::string(kind) == "linear_regression" ? &regression : &images);
  }
  const std::vector<std::size_t> batch = {1, 5, 9, 13, 17, 21, 25, 29, 33, 37, 41};
  for (const auto& [spec, data] : cases) {
    CAPTURE(spec.kind);
    std::unique_ptr<Model> model = make_model(spec, *data);
    const std::size_t p = model->parameter_count();
    std::vector<float> initial(p);
    Rng init(7, 0, RngPurpose::kInitialization);
    model->initialize(initial, init);
    std::vector<float> reference;
    double reference_loss = 0;
    int mismatches = 0;
    // Offsets of 0..7 floats put the spans at every alignment modulo 32 bytes.
    for (std::size_t offset = 0; offset < 8; ++offset) {
      std::vector<float> parameter_buffer(p + 8), gradient_buffer(p + 8);
      std::memcpy(parameter_buffer.data() + offset, initial.data(), p * sizeof(float));
      Rng dropout(1, 0, RngPurpose::kDropout);
      const double loss = model->loss_and_gradient(
          std::span<const float>(parameter_buffer.data() + offset, p), *data, batch,
          std::span<float>(gradient_buffer.data() + offset, p), dropout);
      const std::vector<float> gradient(
          gradient_buffer.begin() + static_cast<std::ptrdiff_t>(offset),
          gradient_buffer.begin() + static_cast<std::ptrdiff_t>(offset + p));
      if (offset == 0) {
        reference = gradient;
        reference_loss = loss;
      }
      mismatches += gradient != reference || loss != reference_loss;
    }
    CHECK(mismatches == 0);
  }
}
