// Reader for the CIFAR-10 and CIFAR-100 binary formats: fixed-size records of label
// byte(s) followed by 3 x 32 x 32 pixel bytes (red, green, blue planes). File sizes are
// checked to be whole records before anything is allocated; errors name the file.
#pragma once

#include <string>
#include <vector>

#include "core/dataset.h"

namespace cdsim {

enum class CifarKind { kCifar10, kCifar100 };

inline constexpr std::size_t kCifarPixels = 3 * 32 * 32;

// Reads and concatenates `files` (CIFAR-100 uses the fine label). sample_shape {3, 32, 32};
// features in channel-major order as stored; scaled to [0, 1] when `normalize`.
// max_records > 0 keeps (and reads) only the first max_records records.
// Throws InvalidInput("/path", "<file>: ...").
Dataset read_cifar_files(const std::vector<std::string>& files, CifarKind kind,
                         const std::string& name, bool normalize, std::size_t max_records = 0);
// The records `files` hold, from their sizes alone (each must be whole records).
std::size_t count_cifar_records(const std::vector<std::string>& files, CifarKind kind);

// CIFAR-10: data_batch_1..5.bin and test_batch.bin; CIFAR-100: train.bin and test.bin,
// in `directory` (e.g. cifar-10-batches-bin/ or cifar-100-binary/).
struct CifarFiles {
  std::vector<std::string> train;
  std::vector<std::string> test;
};
CifarFiles find_cifar_files(const std::string& directory, CifarKind kind);
TrainTestData load_cifar_directory(const std::string& directory, CifarKind kind, bool normalize,
                                   std::size_t max_train = 0, std::size_t max_test = 0);

}  // namespace cdsim
