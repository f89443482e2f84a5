// What a scenario says about its data: which source, how many samples, where the files
// are. Plain values with defaults; the scenario loader fills them from JSON and
// load_data (core/data_loader.h) turns them into a TrainTestData.
#pragma once

#include <cstddef>
#include <string>

namespace cdsim {

struct DataSpec {
  // synthetic_linear, synthetic_logistic, gaussian_mixture, fashion_mnist, mnist_digits,
  // idx, cifar10, cifar100
  std::string source = "synthetic_linear";
  std::size_t train_samples = 4000;  // synthetic only
  std::size_t test_samples = 1000;   // synthetic only
  std::size_t dimension = 20;        // synthetic only
  std::size_t classes = 2;           // gaussian_mixture (synthetic_logistic is 2 classes)
  double noise_std = 0.1;            // synthetic_linear label noise; mixture spread
  // idx: directory holding train-images-idx3-ubyte[.gz] etc.; cifar: directory of the
  // binary batches; fashion_mnist/mnist_digits: optional override of the default location
  std::string path;
  std::size_t max_train_samples = 0;  // 0 = all; otherwise the first n
  std::size_t max_test_samples = 0;
  bool normalize = true;  // images scaled to [0, 1]
};

// Checks what can be checked without reading files (the source name, synthetic sizes);
// throws InvalidInput with the field ("/source", "/dimension", ...). load_data calls it too.
void validate(const DataSpec& spec);

}  // namespace cdsim
