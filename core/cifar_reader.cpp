#include "core/cifar_reader.h"

#include <filesystem>
#include <fstream>

#include "core/invalid_input.h"

namespace cdsim {

Dataset read_cifar_files(const std::vector<std::string>& files, CifarKind kind,
                         const std::string& name, bool normalize) {
  const std::size_t label_bytes = kind == CifarKind::kCifar10 ? 1 : 2;
  const std::size_t record = label_bytes + kCifarPixels;
  const int classes = kind == CifarKind::kCifar10 ? 10 : 100;
  std::vector<std::uintmax_t> records(files.size());
  std::uintmax_t total = 0;
  for (std::size_t f = 0; f < files.size(); ++f) {
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(files[f], error);
    if (error) throw InvalidInput("/path", files[f] + ": cannot open (" + error.message() + ")");
    if (size == 0 || size % record != 0)
      throw InvalidInput("/path", files[f] + ": size " + std::to_string(size) +
                                      " is not a whole number of " + std::to_string(record) +
                                      "-byte CIFAR records (truncated or not a CIFAR file)");
    records[f] = size / record;
    total += records[f];
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

TrainTestData load_cifar_directory(const std::string& directory, CifarKind kind, bool normalize) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error))
    throw InvalidInput("/path",
                       directory + ": not a directory (expected the CIFAR binary batches)");
  const std::filesystem::path dir(directory);
  std::vector<std::string> train_files;
  std::string test_file;
  std::string name;
  if (kind == CifarKind::kCifar10) {
    for (int i = 1; i <= 5; ++i)
      train_files.push_back((dir / ("data_batch_" + std::to_string(i) + ".bin")).string());
    test_file = (dir / "test_batch.bin").string();
    name = "cifar10";
  } else {
    train_files.push_back((dir / "train.bin").string());
    test_file = (dir / "test.bin").string();
    name = "cifar100";
  }
  std::vector<std::string> all_files = train_files;
  all_files.push_back(test_file);
  return {read_cifar_files(train_files, kind, name + "/train", normalize),
          read_cifar_files({test_file}, kind, name + "/test", normalize), all_files};
}

}  // namespace cdsim
