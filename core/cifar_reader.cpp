#include "core/cifar_reader.h"

#include <filesystem>
#include <fstream>
#include <algorithm>

#include "core/invalid_input.h"

namespace cdsim {

namespace {

std::size_t record_bytes(CifarKind kind) { return (kind == CifarKind::kCifar10 ? 1 : 2) + kCifarPixels; }

// Records per file, from the file sizes alone; a size that is not whole records is an error.
std::vector<std::uintmax_t> records_per_file(const std::vector<std::string>& files, CifarKind kind) {
  const std::size_t record = record_bytes(kind);
  std::vector<std::uintmax_t> records(files.size());
  for (std::size_t f = 0; f < files.size(); ++f) {
    std::error_code error;
    if (std::filesystem::is_directory(files[f], error))
      throw InvalidInput("/path", files[f] + ": is a directory; expected a CIFAR binary batch file");
    const std::uintmax_t size = std::filesystem::file_size(files[f], error);
    if (error) throw InvalidInput("/path", files[f] + ": cannot open (" + error.message() + ")");
    if (size == 0 || size % record != 0)
      throw InvalidInput("/path", files[f] + ": size " + std::to_string(size) +
                                      " is not a whole number of " + std::to_string(record) +
                                      "-byte CIFAR records (truncated or not a CIFAR file)");
    records[f] = size / record;
  }
  return records;
}

}  // namespace

std::size_t count_cifar_records(const std::vector<std::string>& files, CifarKind kind) {
  std::uintmax_t total = 0;
  for (std::uintmax_t records : records_per_file(files, kind)) total += records;
  return static_cast<std::size_t>(total);
}

Dataset read_cifar_files(const std::vector<std::string>& files, CifarKind kind,
                         const std::string& name, bool normalize, std::size_t max_records) {
  const std::size_t label_bytes = kind == CifarKind::kCifar10 ? 1 : 2;
  const std::size_t record = record_bytes(kind);
  const int classes = kind == CifarKind::kCifar10 ? 10 : 100;
  std::vector<std::uintmax_t> records = records_per_file(files, kind);
  std::uintmax_t total = 0;
  for (std::uintmax_t& count : records) {
    // Keep (and read) only the first max_records records over all the files.
    if (max_records > 0) count = std::min<std::uintmax_t>(count, max_records - total);
    total += count;
  }
  Dataset data;
  data.name = name;
  data.num_classes = classes;
  data.sample_shape = {3, 32, 32};
  data.features.resize(static_cast<Eigen::Index>(total), static_cast<Eigen::Index>(kCifarPixels));
  data.labels.resize(total);
  const float scale = normalize ? 1.0f / 255.0f : 1.0f;
  std::vector<unsigned char> buffer(record);
  std::size_t row = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    std::ifstream in(files[f], std::ios::binary);
    for (std::uintmax_t r = 0; r < records[f]; ++r, ++row) {
      in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(record));
      if (!in)
        throw InvalidInput("/path", files[f] + ": read error at record " + std::to_string(r));
      const int label = buffer[label_bytes - 1];  // CIFAR-100: byte 0 coarse, byte 1 fine
      if (label >= classes)
        throw InvalidInput("/path", files[f] + ": record " + std::to_string(r) + " has label " +
                                        std::to_string(label) + "; expected 0 to " +
                                        std::to_string(classes - 1));
      data.labels[row] = label;
      float* out = data.features.row(static_cast<Eigen::Index>(row)).data();
      for (std::size_t i = 0; i < kCifarPixels; ++i)
        out[i] = static_cast<float>(buffer[label_bytes + i]) * scale;
    }
  }
  return data;
}

CifarFiles find_cifar_files(const std::string& directory, CifarKind kind) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error))
    throw InvalidInput("/path",
                       directory + ": not a directory (expected the CIFAR binary batches)");
  const std::filesystem::path dir(directory);
  CifarFiles files;
  if (kind == CifarKind::kCifar10) {
    for (int i = 1; i <= 5; ++i)
      files.train.push_back((dir / ("data_batch_" + std::to_string(i) + ".bin")).string());
    files.test.push_back((dir / "test_batch.bin").string());
  } else {
    files.train.push_back((dir / "train.bin").string());
    files.test.push_back((dir / "test.bin").string());
  }
  return files;
}

TrainTestData load_cifar_directory(const std::string& directory, CifarKind kind, bool normalize,
                                   std::size_t max_train, std::size_t max_test) {
  const CifarFiles files = find_cifar_files(directory, kind);
  const std::string name = kind == CifarKind::kCifar10 ? "cifar10" : "cifar100";
  std::vector<std::string> all_files = files.train;
  all_files.insert(all_files.end(), files.test.begin(), files.test.end());
  return {read_cifar_files(files.train, kind, name + "/train", normalize, max_train),
          read_cifar_files(files.test, kind, name + "/test", normalize, max_test), all_files};
}

}  // namespace cdsim
