#include <doctest/doctest.h>

#include <cmath>
#include <numeric>

#include "core/data_loader.h"
#include "core/invalid_input.h"
#include "core/model.h"
#include "core/softmax_cross_entropy.h"
#include "tests/core/gradient_check.h"

using namespace cdsim;

namespace {

TrainTestData mixture(std::size_t dimension, std::size_t classes, std::size_t samples = 64,
                      double noise_std = 1.0) {
  DataSpec spec;
  spec.source = "gaussian_mixture";
  spec.dimension = dimension;
  spec.classes = classes;
  spec.train_samples = samples;
  spec.test_samples = 200;
  spec.noise_std = noise_std;
  return load_data(spec, 8);
}

std::vector<float> initialized(const Model& model, std::uint64_t seed = 1) {
  std::vector<float> parameters(model.parameter_count());
  Rng rng(seed, 0, RngPurpose::kInitialization);
  model.initialize(parameters, rng);
  return parameters;
}

std::vector<std::size_t> first(std::size_t n) {
  std::vector<std::size_t> indices(n);
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  return indices;
}

// An independent, naive double-precision forward pass over the documented parameter layout
// (per layer: kernel inputs x outputs row-major, then bias), returning the mean
// cross-entropy over `batch`.
double reference_loss(const std::vector<double>& parameters, const std::vector<std::size_t>& sizes,
                      bool relu, const Dataset& data, const std::vector<std::size_t>& batch) {
  double total = 0;
  for (std::size_t sample : batch) {
    std::vector<double> a(sizes[0]);
    for (std::size_t i = 0; i < sizes[0]; ++i)
      a[i] = data.features(static_cast<Eigen::Index>(sample), static_cast<Eigen::Index>(i));
    std::size_t offset = 0;
    for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
      std::vector<double> z(sizes[l + 1]);
      for (std::size_t o = 0; o < sizes[l + 1]; ++o) {
        z[o] = parameters[offset + sizes[l] * sizes[l + 1] + o];
        for (std::size_t i = 0; i < sizes[l]; ++i)
          z[o] += a[i] * parameters[offset + i * sizes[l + 1] + o];
        if (l + 2 < sizes.size()) z[o] = relu ? std::max(z[o], 0.0) : std::tanh(z[o]);
      }
      offset += sizes[l] * sizes[l + 1] + sizes[l + 1];
      a = z;
    }
    total += testing::reference_cross_entropy(a, data.labels[sample]);
  }
  return total / static_cast<double>(batch.size());
}

}  // namespace

TEST_CASE("the deep relu fcn gradient matches finite differences of a double-precision reference") {
  // Single coordinates of a 20-layer ReLU net move the float32 loss by less than float32
  // resolves, so the finite differences are taken on an independent double implementation.
  const TrainTestData data = mixture(7, 4);
  ModelSpec spec;
  spec.kind = "paper_fcn";
  std::unique_ptr<Model> model = make_model(spec, data.train);
  std::vector<std::size_t> sizes = {7};
  for (int l = 0; l < 20; ++l) sizes.push_back(50);
  sizes.push_back(4);
  const std::vector<float> parameters = initialized(*model);
  const std::vector<std::size_t> batch = {1, 4, 9, 16, 25, 36, 49, 50};
  std::vector<float> gradient(model->parameter_count());
  Rng unused(0, 0, RngPurpose::kDropout);
  const double loss = model->loss_and_gradient(parameters, data.train, batch, gradient, unused);
  std::vector<double> x(parameters.begin(), parameters.end());
  CHECK(loss == doctest::Approx(reference_loss(x, sizes, true, data.train, batch)).epsilon(1e-5));
  Rng pick(3, 0, RngPurpose::kSampling);
  std::vector<std::size_t> coordinates;
  for (int k = 0; k < 100; ++k) coordinates.push_back(pick.uniform_index(x.size()));
  const testing::GradientCheck check = testing::check_against_reference(
      [&](const std::vector<double>& p) {
        return reference_loss(p, sizes, true, data.train, batch);
      },
      x, gradient, coordinates);
  CHECK(check.gradient_norm > 1e-4);
  CHECK(check.relative_error < 1e-3);
}

TEST_CASE("softmax cross-entropy is stable for huge logits and matches the closed form") {
  const std::vector<float> logits = {1000.0f, 0.0f, -1000.0f, 1.0f, 2.0f, 3.0f};
  const std::vector<std::int32_t> labels = {1, 2};
  std::vector<float> gradient(6);
  const CrossEntropySums sums =
      softmax_cross_entropy(logits.data(), 2, 3, 3, labels, gradient.data(), 1.0f);
  const double second = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  CHECK(sums.loss_sum == doctest::Approx(1000.0 + second));
  CHECK(sums.correct == 1);
  CHECK(gradient[0] == doctest::Approx(1.0));
  CHECK(gradient[1] == doctest::Approx(-1.0));
  CHECK(gradient[5] ==
        doctest::Approx(std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 1.0));
  CHECK(std::isfinite(gradient[2]));
}

TEST_CASE("softmax regression and mlp (relu, tanh) gradients match finite differences") {
  const TrainTestData data = mixture(7, 4);
  struct Case {
    ModelSpec spec;
    double step;
  };
  ModelSpec softmax;
  softmax.kind = "softmax_regression";
  ModelSpec relu;
  relu.kind = "mlp";
  relu.hidden = {9, 5};
  ModelSpec tanh = relu;
  tanh.activation = "tanh";
  ModelSpec deep_tanh = tanh;
  deep_tanh.hidden = std::vector<std::size_t>(20, 50);
  for (const Case& c :
       {Case{softmax, 1e-2}, Case{relu, 1e-3}, Case{tanh, 1e-2}, Case{deep_tanh, 1e-2}}) {
    CAPTURE(c.spec.kind);
    CAPTURE(c.spec.activation);
    std::unique_ptr<Model> model = make_model(c.spec, data.train);
    std::vector<float> parameters = initialized(*model);
    const testing::GradientCheck check = testing::check_gradient(
        *model, parameters, data.train, {1, 4, 9, 16, 25, 36, 49, 50}, c.step, 120);
    CHECK(check.gradient_norm > 1e-3);
    CHECK(check.relative_error < 1e-3);
  }
}

TEST_CASE("dense models report their parameter counts and shapes") {
  Dataset images;
  images.features.resize(1, 784);
  images.num_classes = 10;
  images.labels = {0};
  ModelSpec spec;
  spec.kind = "mlp";
  spec.hidden = {128};
  std::unique_ptr<Model> mlp = make_model(spec, images);
  CHECK(mlp->parameter_count() == 101770);
  CHECK(mlp->describe() == "mlp 784-128-10 relu (101,770 parameters)");
  spec.kind = "paper_fcn";
  CHECK(make_model(spec, images)->parameter_count() ==
        784 * 50 + 50 + 19 * (50 * 50 + 50) + 50 * 10 + 10);
  spec.kind = "softmax_regression";
  std::unique_ptr<Model> softmax = make_model(spec, images);
  CHECK(softmax->parameter_count() == 7850);
  CHECK(softmax->flops_per_sample() == doctest::Approx(4.0 * 7840 + 60));
}

TEST_CASE("evaluation over chunks agrees with the batch loss, and accuracy counts argmax hits") {
  const TrainTestData data = mixture(5, 3, 1100);
  ModelSpec spec;
  spec.kind = "mlp";
  spec.hidden = {6};
  std::unique_ptr<Model> model = make_model(spec, data.train);
  const std::vector<float> parameters = initialized(*model);
  std::vector<float> gradient(model->parameter_count());
  Rng unused(0, 0, RngPurpose::kDropout);
  const double loss =
      model->loss_and_gradient(parameters, data.train, first(1100), gradient, unused);
  const Evaluation eval = model->evaluate(parameters, data.train);
  CHECK(eval.loss == doctest::Approx(loss).epsilon(1e-5));
  CHECK(eval.accuracy >= 0.0);
  CHECK(eval.accuracy <= 1.0);
}

TEST_CASE(
    "a smaller batch after a larger one reuses the scratch and gives the same result as a fresh "
    "model") {
  const TrainTestData data = mixture(5, 3);
  ModelSpec spec;
  spec.kind = "mlp";
  spec.hidden = {8};
  std::unique_ptr<Model> used = make_model(spec, data.train);
  std::unique_ptr<Model> fresh = make_model(spec, data.train);
  const std::vector<float> parameters = initialized(*used);
  std::vector<float> g1(used->parameter_count()), g2(used->parameter_count());
  Rng unused(0, 0, RngPurpose::kDropout);
  used->loss_and_gradient(parameters, data.train, first(64), g1, unused);
  const std::vector<std::size_t> small = {3, 2, 1};
  const double a = used->loss_and_gradient(parameters, data.train, small, g1, unused);
  const double b = fresh->loss_and_gradient(parameters, data.train, small, g2, unused);
  CHECK(a == b);
  CHECK(g1 == g2);
}

TEST_CASE("sgd on softmax regression and an mlp learns a gaussian mixture") {
  const TrainTestData data = mixture(10, 5, 2000, 0.6);
  for (const std::string kind : {"softmax_regression", "mlp"}) {
    ModelSpec spec;
    spec.kind = kind;
    spec.hidden = {32};
    std::unique_ptr<Model> model = make_model(spec, data.train);
    std::vector<float> parameters = initialized(*model);
    const double before = model->evaluate(parameters, data.test).accuracy;
    std::vector<float> gradient(model->parameter_count());
    Rng unused(0, 0, RngPurpose::kDropout);
    for (int epoch = 0; epoch < 3; ++epoch)
      for (std::size_t start = 0; start < 2000; start += 50) {
        std::vector<std::size_t> batch(50);
        std::iota(batch.begin(), batch.end(), start);
        model->loss_and_gradient(parameters, data.train, batch, gradient, unused);
        for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i] -= 0.1f * gradient[i];
      }
    const double after = model->evaluate(parameters, data.test).accuracy;
    CAPTURE(kind);
    CHECK(before < 0.6);
    CHECK(after > 0.9);
  }
}

TEST_CASE("make_model validates dense model specs") {
  const TrainTestData data = mixture(3, 3);
  ModelSpec spec;
  spec.kind = "mlp";
  CHECK_THROWS_AS(make_model(spec, data.train), InvalidInput);  // no hidden sizes
  spec.hidden = {4, 0};
  try {
    make_model(spec, data.train);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    CHECK(e.field() == "/hidden/1");
  }
  spec.hidden = {4};
  spec.activation = "sigmoid";
  CHECK_THROWS_AS(make_model(spec, data.train), InvalidInput);
  spec.activation = "relu";
  spec.init = "zeros";
  CHECK_THROWS_AS(make_model(spec, data.train), InvalidInput);
  spec.kind = "logistic_regression";
  CHECK_THROWS_AS(make_model(spec, data.train), InvalidInput);  // 3 classes
  DataSpec linear;
  spec.kind = "softmax_regression";
  CHECK_THROWS_AS(make_model(spec, load_data(linear, 1).train), InvalidInput);
}

TEST_CASE("model specs are validated before any data exists") {
  ModelSpec spec;
  CHECK_NOTHROW(validate(spec));
  spec.kind = "paper_cnn";
  CHECK_NOTHROW(validate(spec));
  spec.dropout = -0.1;
  CHECK_THROWS_AS(validate(spec), InvalidInput);
  spec = ModelSpec{};
  spec.kind = "paper_fcn";
  spec.activation = "tanh";
  CHECK_THROWS_AS(validate(spec), InvalidInput);
  spec.kind = "softmax_regression";
  spec.init = "zeros";
  CHECK_NOTHROW(validate(spec));
  spec.kind = "mlp";
  spec.hidden = {3};
  spec.activation = "relu";
  try {
    validate(spec);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    CHECK(e.field() == "/init");
  }
}
