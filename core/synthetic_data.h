// Seeded synthetic problems: linear regression, logistic regression (2 classes) and
// Gaussian mixtures of any dimension and class count. The ground truth, the training
// samples and the test samples come from separate RNG streams, so changing the number of
// training samples does not change the test set.
#pragma once

#include <cstdint>

#include "core/data_spec.h"
#include "core/dataset.h"

namespace cdsim {

// Throws InvalidInput("/train_samples", "/dimension", "/noise_std", "/classes") for sizes
// that are zero or too large (over 500 million floats).
void check_synthetic_spec(const DataSpec& spec);

// y = x.w* + b* + noise_std * N(0,1), x ~ N(0, I); w* ~ N(0, I/d), b* ~ N(0, 1).
TrainTestData make_synthetic_linear(const DataSpec& spec, std::uint64_t seed);
// label = 1 with probability sigmoid(x.w* + b*), x ~ N(0, I); w* ~ N(0, 4I/d), b* ~ N(0, 0.25).
TrainTestData make_synthetic_logistic(const DataSpec& spec, std::uint64_t seed);
// `classes` equally likely classes with means ~ N(0, I) and x = mean + noise_std * N(0, I).
TrainTestData make_gaussian_mixture(const DataSpec& spec, std::uint64_t seed);

}  // namespace cdsim
