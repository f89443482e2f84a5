#include "core/synthetic_data.h"

#include <cmath>
#include <string>

#include "core/invalid_input.h"
#include "core/rng.h"

namespace cdsim {
namespace {

// Stream ids within RngPurpose::kData.
constexpr std::uint64_t kTruthStream = 0;
constexpr std::uint64_t kTrainStream = 1;
constexpr std::uint64_t kTestStream = 2;

Dataset empty_like(const std::string& name, std::size_t samples, std::size_t dimension) {
  Dataset data;
  data.name = name;
  data.features.resize(static_cast<Eigen::Index>(samples), static_cast<Eigen::Index>(dimension));
  data.sample_shape = {static_cast<int>(dimension)};
  return data;
}

void fill_normal(FeatureMatrix& features, Rng& rng) {
  for (Eigen::Index r = 0; r < features.rows(); ++r)
    for (Eigen::Index c = 0; c < features.cols(); ++c)
      features(r, c) = static_cast<float>(rng.normal());
}

Eigen::VectorXd normal_vector(std::size_t size, double scale, Rng& rng) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(size));
  for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = scale * rng.normal();
  return v;
}

double dot(const FeatureMatrix& features, Eigen::Index row, const Eigen::VectorXd& w) {
  double sum = 0.0;
  for (Eigen::Index c = 0; c < features.cols(); ++c)
    sum += static_cast<double>(features(row, c)) * w[c];
  return sum;
}

}  // namespace

void check_synthetic_spec(const DataSpec& spec) {
  if (spec.train_samples == 0)
    throw InvalidInput("/train_samples", "train_samples is 0; expected at least 1");
  if (spec.test_samples == 0)
    throw InvalidInput("/test_samples", "test_samples is 0; expected at least 1");
  if (spec.dimension == 0) throw InvalidInput("/dimension", "dimension is 0; expected at least 1");
  if (spec.dimension > 1'000'000)
    throw InvalidInput("/dimension", "dimension " + std::to_string(spec.dimension) +
                                         " is too large (at most 1000000)");
  constexpr std::size_t kMaxFloats = 500'000'000;
  if (spec.train_samples > kMaxFloats / spec.dimension ||
      spec.test_samples > kMaxFloats / spec.dimension)
    throw InvalidInput("/train_samples", "samples x dimension exceeds 500 million floats");
  if (!(spec.noise_std >= 0.0) || !std::isfinite(spec.noise_std))
    throw InvalidInput("/noise_std", "noise_std must be a finite number >= 0");
  if (spec.source == "gaussian_mixture" && (spec.classes < 2 || spec.classes > 100'000))
    throw InvalidInput("/classes",
                       "classes is " + std::to_string(spec.classes) + "; expected 2 to 100000");
}

TrainTestData make_synthetic_linear(const DataSpec& spec, std::uint64_t seed) {
  check_synthetic_spec(spec);
  Rng truth(seed, kTruthStream, RngPurpose::kData);
  const Eigen::VectorXd w =
      normal_vector(spec.dimension, 1.0 / std::sqrt(static_cast<double>(spec.dimension)), truth);
  const double b = truth.normal();
  auto make = [&](std::size_t samples, std::uint64_t stream, const char* name) {
    Rng rng(seed, stream, RngPurpose::kData);
    Dataset data = empty_like(name, samples, spec.dimension);
    fill_normal(data.features, rng);
    data.targets.resize(data.features.rows());
    for (Eigen::Index r = 0; r < data.features.rows(); ++r)
      data.targets[r] =
          static_cast<float>(dot(data.features, r, w) + b + spec.noise_std * rng.normal());
    return data;
  };
  return {make(spec.train_samples, kTrainStream, "synthetic_linear/train"),
          make(spec.test_samples, kTestStream, "synthetic_linear/test"), {}};
}

TrainTestData make_synthetic_logistic(const DataSpec& spec, std::uint64_t seed) {
  check_synthetic_spec(spec);
  Rng truth(seed, kTruthStream, RngPurpose::kData);
  const Eigen::VectorXd w =
      normal_vector(spec.dimension, 2.0 / std::sqrt(static_cast<double>(spec.dimension)), truth);
  const double b = 0.5 * truth.normal();
  auto make = [&](std::size_t samples, std::uint64_t stream, const char* name) {
    Rng rng(seed, stream, RngPurpose::kData);
    Dataset data = empty_like(name, samples, spec.dimension);
    fill_normal(data.features, rng);
    data.num_classes = 2;
    data.labels.resize(samples);
    for (Eigen::Index r = 0; r < data.features.rows(); ++r) {
      const double p = 1.0 / (1.0 + std::exp(-(dot(data.features, r, w) + b)));
      data.labels[static_cast<std::size_t>(r)] = rng.uniform01() < p ? 1 : 0;
    }
    return data;
  };
  return {make(spec.train_samples, kTrainStream, "synthetic_logistic/train"),
          make(spec.test_samples, kTestStream, "synthetic_logistic/test"), {}};
}

TrainTestData make_gaussian_mixture(const DataSpec& spec, std::uint64_t seed) {
  check_synthetic_spec(spec);
  Rng truth(seed, kTruthStream, RngPurpose::kData);
  std::vector<Eigen::VectorXd> means;
  for (std::size_t c = 0; c < spec.classes; ++c)
    means.push_back(normal_vector(spec.dimension, 1.0, truth));
  auto make = [&](std::size_t samples, std::uint64_t stream, const char* name) {
    Rng rng(seed, stream, RngPurpose::kData);
    Dataset data = empty_like(name, samples, spec.dimension);
    data.num_classes = static_cast<int>(spec.classes);
    data.labels.resize(samples);
    for (Eigen::Index r = 0; r < data.features.rows(); ++r) {
      const auto label = static_cast<std::size_t>(rng.uniform_index(spec.classes));
      data.labels[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(label);
      for (Eigen::Index c = 0; c < data.features.cols(); ++c)
        data.features(r, c) = static_cast<float>(means[label][c] + spec.noise_std * rng.normal());
    }
    return data;
  };
  return {make(spec.train_samples, kTrainStream, "gaussian_mixture/train"),
          make(spec.test_samples, kTestStream, "gaussian_mixture/test"), {}};
}

}  // namespace cdsim
