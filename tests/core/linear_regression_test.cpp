#include <doctest/doctest.h>

#include <cmath>

#include "core/data_loader.h"
#include "core/invalid_input.h"
#include "core/model.h"
#include "tests/core/gradient_check.h"

using namespace cdsim;

namespace {

TrainTestData small_linear(std::size_t dimension) {
  DataSpec spec;
  spec.train_samples = 64;
  spec.test_samples = 32;
  spec.dimension = dimension;
  return load_data(spec, 21);
}

}  // namespace

TEST_CASE("linear regression gradient matches central finite differences") {
  const TrainTestData data = small_linear(6);
  std::unique_ptr<Model> model = make_model(ModelSpec{}, data.train);
  REQUIRE(model->parameter_count() == 7);
  std::vector<float> parameters(7);
  Rng init(1, 0, RngPurpose::kInitialization);
  model->initialize(parameters, init);
  const testing::GradientCheck check =
      testing::check_gradient(*model, parameters, data.train, {0, 3, 5, 9, 10, 40, 63}, 1e-2, 100);
  CHECK(check.checked == 7);
  CHECK(check.gradient_norm > 0.1);
  CHECK(check.relative_error < 1e-3);
}

TEST_CASE("linear regression loss is half the mean squared residual, computed by hand") {
  Dataset data;
  data.features.resize(2, 2);
  data.features << 1, 2, 3, 4;
  data.targets.resize(2);
  data.targets << 1, -1;
  data.sample_shape = {2};
  std::unique_ptr<Model> model = make_model(ModelSpec{}, data);
  const std::vector<float> parameters = {0.5f, -1.0f, 2.0f};  // w = (0.5, -1), b = 2
  // predictions: 0.5 - 2 + 2 = 0.5 and 1.5 - 4 + 2 = -0.5; residuals -0.5 and 0.5
  std::vector<float> gradient(3);
  Rng unused(0, 0, RngPurpose::kDropout);
  const std::vector<std::size_t> batch = {0, 1};
  CHECK(model->loss_and_gradient(parameters, data, batch, gradient, unused) ==
        doctest::Approx(0.125));
  // dL/dw = mean(r x) = ((-0.5)(1,2) + 0.5(3,4)) / 2 = (0.5, 0.5); dL/db = 0
  CHECK(gradient[0] == doctest::Approx(0.5));
  CHECK(gradient[1] == doctest::Approx(0.5));
  CHECK(gradient[2] == doctest::Approx(0.0));
  const Evaluation eval = model->evaluate(parameters, data);
  CHECK(eval.loss == doctest::Approx(0.125));
  CHECK(std::isnan(eval.accuracy));
}

TEST_CASE("linear regression evaluation over many chunks equals the batch loss over all samples") {
  DataSpec spec;
  spec.train_samples = 1300;  // more than two evaluation chunks
  spec.dimension = 3;
  const Dataset train = load_data(spec, 2).train;
  std::unique_ptr<Model> model = make_model(ModelSpec{}, train);
  const std::vector<float> parameters = {0.1f, 0.2f, -0.3f, 0.4f};
  std::vector<std::size_t> all(train.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<float> gradient(4);
  Rng unused(0, 0, RngPurpose::kDropout);
  const double batch_loss = model->loss_and_gradient(parameters, train, all, gradient, unused);
  CHECK(model->evaluate(parameters, train).loss == doctest::Approx(batch_loss).epsilon(1e-5));
}

TEST_CASE("initialization is glorot uniform weights and a zero bias, reproduced by the seed") {
  const TrainTestData data = small_linear(50);
  std::unique_ptr<Model> model = make_model(ModelSpec{}, data.train);
  std::vector<float> a(51), b(51);
  Rng rng_a(3, 0, RngPurpose::kInitialization), rng_b(3, 0, RngPurpose::kInitialization);
  model->initialize(a, rng_a);
  model->initialize(b, rng_b);
  CHECK(a == b);
  const float limit = std::sqrt(6.0f / 51.0f);
  for (std::size_t i = 0; i < 50; ++i) CHECK(std::abs(a[i]) <= limit);
  CHECK(a[50] == 0.0f);
  ModelSpec zeros;
  zeros.init = "zeros";
  make_model(zeros, data.train)->initialize(a, rng_a);
  for (float v : a) CHECK(v == 0.0f);
}

TEST_CASE("plain gradient descent on linear regression reaches the noise floor") {
  const TrainTestData data = small_linear(6);
  std::unique_ptr<Model> model = make_model(ModelSpec{}, data.train);
  std::vector<float> parameters(7, 0.0f), gradient(7);
  std::vector<std::size_t> all(data.train.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  Rng unused(0, 0, RngPurpose::kDropout);
  for (int step = 0; step < 500; ++step) {
    model->loss_and_gradient(parameters, data.train, all, gradient, unused);
    for (std::size_t i = 0; i < 7; ++i) parameters[i] -= 0.3f * gradient[i];
  }
  // Noise std 0.1 gives a noise floor of 0.5 * 0.01 = 0.005 (a little more on the test set).
  CHECK(model->evaluate(parameters, data.test).loss < 0.01);
}

TEST_CASE("make_model rejects unknown kinds and regression models on labelled data") {
  const TrainTestData data = small_linear(3);
  ModelSpec spec;
  spec.kind = "transformer";
  CHECK_THROWS_AS(make_model(spec, data.train), InvalidInput);
  DataSpec labelled;
  labelled.source = "synthetic_logistic";
  CHECK_THROWS_AS(make_model(ModelSpec{}, load_data(labelled, 1).train), InvalidInput);
  spec = ModelSpec{};
  spec.init = "he";
  CHECK_THROWS_AS(make_model(spec, data.train), InvalidInput);
}
