#include "core/data_loader.h"

#include "core/cifar_reader.h"
#include "core/data_sources.h"
#include "core/idx_reader.h"
#include "core/invalid_input.h"
#include "core/synthetic_data.h"

namespace cdsim {
namespace {

std::string path_for(const DataSpec& spec) {
  if (!spec.path.empty()) return spec.path;
  std::string path = default_data_path(spec.source);
  if (path.empty()) throw InvalidInput("/path", "data source \"" + spec.source + "\" needs a path");
  return path;
}

}  // namespace

void validate(const DataSpec& spec) {
  const std::string& source = spec.source;
  if (source == "synthetic_linear" || source == "synthetic_logistic" ||
      source == "gaussian_mixture") {
    check_synthetic_spec(spec);
    return;
  }
  if (source == "fashion_mnist" || source == "mnist_digits" || source == "cifar10" ||
      source == "cifar100")
    return;
  if (source == "idx") {
    if (spec.path.empty())
      throw InvalidInput("/path", "data source \"idx\" needs a path (a directory of IDX files)");
    return;
  }
  throw InvalidInput(
      "/source", "unknown data source \"" + source +
                     "\"; expected one of synthetic_linear, synthetic_logistic, gaussian_mixture, "
                     "fashion_mnist, mnist_digits, idx, cifar10, cifar100");
}

TrainTestData load_data(const DataSpec& spec, std::uint64_t seed) {
  validate(spec);
  TrainTestData data;
  if (spec.source == "synthetic_linear") {
    data = make_synthetic_linear(spec, seed);
  } else if (spec.source == "synthetic_logistic") {
    data = make_synthetic_logistic(spec, seed);
  } else if (spec.source == "gaussian_mixture") {
    data = make_gaussian_mixture(spec, seed);
  } else if (spec.source == "fashion_mnist" || spec.source == "mnist_digits" ||
             spec.source == "idx") {
    data = load_idx_directory(path_for(spec), spec.source, spec.normalize);
  } else if (spec.source == "cifar10") {
    data = load_cifar_directory(path_for(spec), CifarKind::kCifar10, spec.normalize);
  } else if (spec.source == "cifar100") {
    data = load_cifar_directory(path_for(spec), CifarKind::kCifar100, spec.normalize);
  }
  keep_first(data.train, spec.max_train_samples);
  keep_first(data.test, spec.max_test_samples);
  return data;
}

}  // namespace cdsim
