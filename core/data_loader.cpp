#include "core/data_loader.h"

#include "core/invalid_input.h"
#include "core/synthetic_data.h"

namespace cdsim {

TrainTestData load_data(const DataSpec& spec, std::uint64_t seed) {
  TrainTestData data;
  if (spec.source == "synthetic_linear") {
    data = make_synthetic_linear(spec, seed);
  } else if (spec.source == "synthetic_logistic") {
    data = make_synthetic_logistic(spec, seed);
  } else if (spec.source == "gaussian_mixture") {
    data = make_gaussian_mixture(spec, seed);
  } else {
    throw InvalidInput("/source", "unknown data source \"" + spec.source +
                                      "\"; expected one of synthetic_linear, synthetic_logistic, gaussian_mixture");
  }
  truncate(data.train, spec.max_train_samples);
  truncate(data.test, spec.max_test_samples);
  return data;
}

}  // namespace cdsim
