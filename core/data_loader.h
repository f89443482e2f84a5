// Turns a DataSpec into train and test sets: synthetic problems are generated from the
// seed, real data sets are read from disk (IDX, CIFAR binary). This is the one entry point
// the scenario layer calls; errors are InvalidInput naming the field ("/source", "/path")
// and, for files, the file.
#pragma once

#include <cstdint>

#include "core/data_spec.h"
#include "core/dataset.h"

namespace cdsim {

TrainTestData load_data(const DataSpec& spec, std::uint64_t seed);

}  // namespace cdsim
