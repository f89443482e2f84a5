#include "core/synthetic_data.h"

#include <doctest/doctest.h>

#include <Eigen/QR>
#include <cmath>

#include "core/data_loader.h"
#include "core/invalid_input.h"

using namespace cdsim;

TEST_CASE("synthetic data is reproduced exactly by its seed and changes with it") {
  DataSpec spec;
  spec.train_samples = 50;
  spec.test_samples = 20;
  spec.dimension = 4;
  for (const char* source : {"synthetic_linear", "synthetic_logistic", "gaussian_mixture"}) {
    spec.source = source;
    const TrainTestData a = load_data(spec, 3);
    const TrainTestData b = load_data(spec, 3);
    const TrainTestData c = load_data(spec, 4);
    CHECK(a.train.features == b.train.features);
    CHECK(a.test.features == b.test.features);
    CHECK(a.train.labels == b.train.labels);
    CHECK(a.train.targets == b.train.targets);
    CHECK(a.train.features != c.train.features);
    CHECK(a.train.size() == 50);
    CHECK(a.test.size() == 20);
    CHECK(a.train.dimension() == 4);
  }
}

TEST_CASE("the test set does not depend on the number of training samples") {
  DataSpec spec;
  spec.train_samples = 30;
  const TrainTestData small = load_data(spec, 1);
  spec.train_samples = 60;
  const TrainTestData large = load_data(spec, 1);
  CHECK(small.test.features == large.test.features);
  CHECK(small.test.targets == large.test.targets);
  CHECK(small.train.features == large.train.features.topRows(30));
}

TEST_CASE("synthetic linear targets follow one linear model up to the stated noise") {
  DataSpec spec;
  spec.train_samples = 400;
  spec.dimension = 5;
  spec.noise_std = 0.1;
  const Dataset train = load_data(spec, 9).train;
  // Least squares with an intercept recovers a fit whose residual spread is the noise.
  Eigen::MatrixXd x(train.size(), spec.dimension + 1);
  x.leftCols(spec.dimension) = train.features.cast<double>();
  x.col(spec.dimension).setOnes();
  const Eigen::VectorXd y = train.targets.cast<double>();
  const Eigen::VectorXd coef = x.colPivHouseholderQr().solve(y);
  const double residual_std =
      std::sqrt((x * coef - y).squaredNorm() / static_cast<double>(train.size()));
  CHECK(residual_std == doctest::Approx(0.1).epsilon(0.15));
  CHECK(train.num_classes == 0);
  CHECK(train.labels.empty());
}

TEST_CASE("gaussian mixture labels cover every class and samples sit near their class mean") {
  DataSpec spec;
  spec.source = "gaussian_mixture";
  spec.classes = 5;
  spec.dimension = 8;
  spec.train_samples = 500;
  const Dataset train = load_data(spec, 2).train;
  CHECK(train.num_classes == 5);
  std::vector<std::size_t> all(train.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  for (std::size_t count : label_histogram(train, all)) CHECK(count > 60);
  // Class means are estimated from the samples; every sample is closest to its own mean.
  Eigen::MatrixXd means = Eigen::MatrixXd::Zero(5, 8);
  std::vector<double> counts(5, 0);
  for (std::size_t i = 0; i < train.size(); ++i) {
    means.row(train.labels[i]) += train.features.row(static_cast<Eigen::Index>(i)).cast<double>();
    counts[static_cast<std::size_t>(train.labels[i])] += 1;
  }
  for (int c = 0; c < 5; ++c) means.row(c) /= counts[static_cast<std::size_t>(c)];
  int misplaced = 0;
  for (std::size_t i = 0; i < train.size(); ++i) {
    Eigen::Index nearest = 0;
    (means.rowwise() - train.features.row(static_cast<Eigen::Index>(i)).cast<double>())
        .rowwise()
        .squaredNorm()
        .minCoeff(&nearest);
    misplaced += nearest != train.labels[i];
  }
  CHECK(misplaced == 0);
}

TEST_CASE("max_train_samples keeps the first samples") {
  DataSpec spec;
  spec.source = "synthetic_logistic";
  const TrainTestData full = load_data(spec, 5);
  spec.max_train_samples = 10;
  spec.max_test_samples = 7;
  const TrainTestData cut = load_data(spec, 5);
  CHECK(cut.train.size() == 10);
  CHECK(cut.test.size() == 7);
  CHECK(cut.train.features == full.train.features.topRows(10));
  CHECK(cut.train.labels ==
        std::vector<std::int32_t>(full.train.labels.begin(), full.train.labels.begin() + 10));
}

TEST_CASE("bad synthetic specs are rejected naming the field") {
  DataSpec spec;
  spec.dimension = 0;
  CHECK_THROWS_AS(load_data(spec, 1), InvalidInput);
  spec = DataSpec{};
  spec.source = "nonsense";
  try {
    load_data(spec, 1);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    CHECK(e.field() == "/source");
  }
  spec = DataSpec{};
  spec.source = "gaussian_mixture";
  spec.classes = 1;
  CHECK_THROWS_AS(load_data(spec, 1), InvalidInput);
}

TEST_CASE("data specs are validated before anything is read or generated") {
  DataSpec spec;
  CHECK_NOTHROW(validate(spec));
  spec.source = "idx";
  CHECK_THROWS_AS(validate(spec), InvalidInput);
  spec.path = "/somewhere";
  CHECK_NOTHROW(validate(spec));
  spec.source = "fashion_mnist";
  CHECK_NOTHROW(validate(spec));
  spec.source = "gaussian_mixture";
  spec.train_samples = 0;
  try {
    validate(spec);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    CHECK(e.field() == "/train_samples");
  }
}
