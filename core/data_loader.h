// Turns a DataSpec into train and test sets: synthetic problems are generated from the
// seed, real data sets are read from disk (IDX, CIFAR binary). This is the one entry point
// the scenario layer calls; errors are InvalidInput naming the field ("/source", "/path")
// and, for files, the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/data_spec.h"
#include "core/dataset.h"

namespace cdsim {

// Reads only the samples kept by max_train_samples / max_test_samples.
TrainTestData load_data(const DataSpec& spec, std::uint64_t seed);

// What load_data would give, found cheaply: for files, the headers are read and checked
// against the file sizes, and the (small) label files read for the class count; nothing
// is generated. Sample counts are after max_train_samples / max_test_samples. Throws
// InvalidInput as load_data does (an empty train or test file set included).
struct DataShape {
  std::size_t train_samples = 0;
  std::size_t test_samples = 0;
  std::size_t dimension = 0;
  std::vector<int> sample_shape;
  int num_classes = 0;  // 0: regression
};
DataShape probe_data(const DataSpec& spec);

}  // namespace cdsim
