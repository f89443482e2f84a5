#include "core/data_loader.h"

#include <algorithm>

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

bool is_idx_source(const std::string& source) {
  return source == "fashion_mnist" || source == "mnist_digits" || source == "idx";
}

CifarKind cifar_kind(const std::string& source) {
  return source == "cifar10" ? CifarKind::kCifar10 : CifarKind::kCifar100;
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
  } else if (is_idx_source(spec.source)) {
    data = load_idx_directory(path_for(spec), spec.source, spec.normalize, spec.max_train_samples,
                              spec.max_test_samples);
  } else if (spec.source == "cifar10" || spec.source == "cifar100") {
    data = load_cifar_directory(path_for(spec), cifar_kind(spec.source), spec.normalize,
                                spec.max_train_samples, spec.max_test_samples);
  }
  keep_first(data.train, spec.max_train_samples);
  keep_first(data.test, spec.max_test_samples);
  return data;
}

DataShape probe_data(const DataSpec& spec) {
  validate(spec);
  DataShape shape;
  const auto kept = [](std::size_t count, std::size_t cap) { return cap > 0 ? std::min(count, cap) : count; };
  if (is_idx_source(spec.source)) {
    const std::string directory = path_for(spec);
    const IdxDirectory files = find_idx_directory(directory);
    const IdxPairShape train = check_idx_pair(files.train_images, files.train_labels, spec.max_train_samples);
    const IdxPairShape test = check_idx_pair(files.test_images, files.test_labels, spec.max_test_samples);
    if (train.rows != test.rows || train.columns != test.columns)
      throw InvalidInput("/path", directory + ": train and test images have different sizes");
    shape.train_samples = train.samples;
    shape.test_samples = test.samples;
    shape.sample_shape = {1, static_cast<int>(train.rows), static_cast<int>(train.columns)};
    shape.dimension = train.rows * train.columns;
    shape.num_classes = static_cast<int>(std::max(train.max_label, test.max_label)) + 1;
  } else if (spec.source == "cifar10" || spec.source == "cifar100") {
    const CifarKind kind = cifar_kind(spec.source);
    const CifarFiles files = find_cifar_files(path_for(spec), kind);
    shape.train_samples = kept(count_cifar_records(files.train, kind), spec.max_train_samples);
    shape.test_samples = kept(count_cifar_records(files.test, kind), spec.max_test_samples);
    shape.sample_shape = {3, 32, 32};
    shape.dimension = kCifarPixels;
    shape.num_classes = kind == CifarKind::kCifar10 ? 10 : 100;
  } else {
    // Synthetic sets are generated exactly as big as asked.
    shape.train_samples = kept(spec.train_samples, spec.max_train_samples);
    shape.test_samples = kept(spec.test_samples, spec.max_test_samples);
    shape.dimension = spec.dimension;
    shape.sample_shape = {static_cast<int>(spec.dimension)};
    shape.num_classes = spec.source == "synthetic_linear"     ? 0
                        : spec.source == "synthetic_logistic" ? 2
                                                              : static_cast<int>(spec.classes);
  }
  return shape;
}

}  // namespace cdsim
