// Reader and writer for the IDX format of MNIST, Fashion-MNIST and EMNIST (unsigned-byte
// arrays with a big-endian header), raw or gzip-compressed (detected from the content).
// The header is validated against the file size before anything is allocated, so a
// truncated, corrupt or absurd file is a clear error naming the file, never a crash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/dataset.h"

namespace cdsim {

struct IdxArray {
  std::vector<std::uint32_t> dims;  // e.g. {60000, 28, 28}
  std::vector<std::uint8_t> data;   // product(dims) bytes, row-major
};

// Throws InvalidInput("/path", "<file>: ...") on a missing, truncated or malformed file.
// With max_items > 0, only the first max_items items (along the first dimension) are read
// and kept: the file, gzip or raw, is read that far and no further.
IdxArray read_idx(const std::string& path, std::size_t max_items = 0);
// Only the dimensions, checked against the file's size (the header and, for gzip, the
// trailer are read; nothing else).
std::vector<std::uint32_t> read_idx_dims(const std::string& path);
// Writes a raw (uncompressed) IDX file of unsigned bytes; throws std::runtime_error on I/O failure.
void write_idx(const std::string& path, const IdxArray& array);

// Images (n x rows x cols) and labels (n) as a Dataset with sample_shape {1, rows, cols};
// pixels scaled to [0, 1] when `normalize`, else raw 0..255. num_classes = max label + 1.
// max_items > 0 keeps (and reads) only the first max_items samples. An empty pair is an error.
Dataset read_idx_dataset(const std::string& images_path, const std::string& labels_path,
                         const std::string& name, bool normalize, std::size_t max_items = 0);

// What an image/label pair holds, from the headers and the (small) label file alone.
struct IdxPairShape {
  std::size_t samples = 0;  // after max_items
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::uint8_t max_label = 0;
};
IdxPairShape check_idx_pair(const std::string& images_path, const std::string& labels_path,
                            std::size_t max_items = 0);

// The IDX file in `directory` whose name ends in `suffix` + "" or ".gz" (e.g.
// "train-images-idx3-ubyte", which also finds EMNIST's "emnist-digits-train-images-idx3-ubyte").
// Throws InvalidInput("/path", ...) when there is none or more than one.
std::string find_idx_file(const std::string& directory, const std::string& suffix);

// The four files of an IDX data set folder: *train-{images,labels} and *t10k-{images,labels}
// (or EMNIST's *test-...).
struct IdxDirectory {
  std::string train_images, train_labels, test_images, test_labels;
};
IdxDirectory find_idx_directory(const std::string& directory);

// The data set of find_idx_directory(directory); num_classes is the larger of the two
// sets' so both agree. max_train / max_test > 0 read only that many samples.
TrainTestData load_idx_directory(const std::string& directory, const std::string& name,
                                 bool normalize, std::size_t max_train = 0, std::size_t max_test = 0);

}  // namespace cdsim
