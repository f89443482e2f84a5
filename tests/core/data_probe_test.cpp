// Reading only what is kept, and knowing a data set's shape without reading it: the
// headers are checked against the file sizes, max_train_samples stops the reader early,
// and an empty set is an error naming the data path.
#include <doctest/doctest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/cifar_reader.h"
#include "core/data_loader.h"
#include "core/idx_reader.h"
#include "core/invalid_input.h"
#include "tests/core/temp_dir.h"

using namespace cdsim;
using cdsim::testing::TempDir;

namespace {

IdxArray images(std::uint32_t n) {
  IdxArray array{{n, 2, 3}, {}};
  for (std::uint32_t i = 0; i < n * 6; ++i) array.data.push_back(static_cast<std::uint8_t>((i * 37) % 256));
  return array;
}

IdxArray labels(std::uint32_t n, std::uint8_t classes) {
  IdxArray array{{n}, {}};
  for (std::uint32_t i = 0; i < n; ++i) array.data.push_back(static_cast<std::uint8_t>(i % classes));
  return array;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void gzip_bytes(const std::string& bytes, const std::string& to) {
  gzFile out = gzopen(to.c_str(), "wb");
  REQUIRE(out != nullptr);
  gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(out);
}

// An IDX folder of `train` and `test` samples (3 and 4 label values), and its DataSpec.
DataSpec write_idx_set(const TempDir& dir, std::uint32_t train, std::uint32_t test) {
  write_idx(dir.file("train-images-idx3-ubyte"), images(train));
  write_idx(dir.file("train-labels-idx1-ubyte"), labels(train, 3));
  write_idx(dir.file("t10k-images-idx3-ubyte"), images(test));
  write_idx(dir.file("t10k-labels-idx1-ubyte"), labels(test, 4));
  DataSpec spec;
  spec.source = "idx";
  spec.path = dir.path();
  return spec;
}

std::string path_error(const DataSpec& spec) {
  try {
    probe_data(spec);
  } catch (const InvalidInput& error) {
    CHECK(error.field() == "/path");
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("read_idx with a cap returns exactly the first items of the full read") {
  TempDir dir;
  write_idx(dir.file("a-idx3-ubyte"), images(50));
  const IdxArray full = read_idx(dir.file("a-idx3-ubyte"));
  const IdxArray first = read_idx(dir.file("a-idx3-ubyte"), 7);
  CHECK(first.dims == std::vector<std::uint32_t>{7, 2, 3});
  CHECK(std::vector<std::uint8_t>(full.data.begin(), full.data.begin() + 7 * 6) == first.data);
  CHECK(read_idx(dir.file("a-idx3-ubyte"), 500).dims[0] == 50);  // a cap above the count keeps all
}

TEST_CASE("a capped gzip read stops before damage that lies past the kept items") {
  TempDir dir;
  // Incompressible pixels, so the damaged byte near the end of the compressed stream lies
  // far beyond the part that holds the first items.
  IdxArray noisy{{4000, 2, 3}, {}};
  std::uint32_t state = 12345;
  for (std::uint32_t i = 0; i < 4000 * 6; ++i) {
    state = state * 1664525u + 1013904223u;
    noisy.data.push_back(static_cast<std::uint8_t>(state >> 24));
  }
  write_idx(dir.file("raw"), noisy);
  gzip_bytes(read_bytes(dir.file("raw")), dir.file("a.gz"));
  std::string compressed = read_bytes(dir.file("a.gz"));
  compressed[compressed.size() * 9 / 10] ^= 0x5A;  // before the 8-byte trailer
  std::ofstream(dir.file("a.gz"), std::ios::binary | std::ios::trunc) << compressed;
  CHECK_THROWS_AS(read_idx(dir.file("a.gz")), InvalidInput);  // the whole read meets the damage
  const IdxArray first = read_idx(dir.file("a.gz"), 10);
  CHECK(first.data == std::vector<std::uint8_t>(noisy.data.begin(), noisy.data.begin() + 60));
}

TEST_CASE("load_data with max_train_samples gives the first samples of the full load") {
  TempDir dir;
  DataSpec spec = write_idx_set(dir, 40, 12);
  const TrainTestData full = load_data(spec, 1);
  spec.max_train_samples = 9;
  spec.max_test_samples = 5;
  const TrainTestData kept = load_data(spec, 1);
  REQUIRE(kept.train.size() == 9);
  REQUIRE(kept.test.size() == 5);
  CHECK(kept.train.features == full.train.features.topRows(9));
  CHECK(kept.test.features == full.test.features.topRows(5));
  CHECK(std::vector<std::int32_t>(full.train.labels.begin(), full.train.labels.begin() + 9) == kept.train.labels);
}

TEST_CASE("probe_data gives the shape load_data gives, from the headers") {
  TempDir dir;
  DataSpec spec = write_idx_set(dir, 40, 12);
  spec.max_train_samples = 30;
  const DataShape shape = probe_data(spec);
  const TrainTestData data = load_data(spec, 1);
  CHECK(shape.train_samples == data.train.size());
  CHECK(shape.test_samples == data.test.size());
  CHECK(shape.dimension == data.train.dimension());
  CHECK(shape.sample_shape == data.train.sample_shape);
  CHECK(shape.num_classes == data.train.num_classes);
  CHECK(shape.num_classes == 4);  // the larger of the train (3) and test (4) label ranges
}

TEST_CASE("probe_data rejects a truncated image file and an empty test set by the data path") {
  TempDir dir;
  DataSpec spec = write_idx_set(dir, 40, 12);
  const std::string bytes = read_bytes(dir.file("train-images-idx3-ubyte"));
  std::ofstream(dir.file("train-images-idx3-ubyte"), std::ios::binary | std::ios::trunc)
      << bytes.substr(0, bytes.size() - 10);
  CHECK(path_error(spec).find("truncated") != std::string::npos);
  write_idx_set(dir, 40, 0);
  const std::string empty = path_error(spec);
  CHECK(empty.find("t10k-images") != std::string::npos);
  CHECK(empty.find("no images") != std::string::npos);
  // Loading says the same, so a run without validation stops there too.
  CHECK_THROWS_AS(load_data(spec, 1), InvalidInput);
}

TEST_CASE("CIFAR record counts come from the file sizes and max samples read only the first records") {
  TempDir dir;
  const std::size_t record = 1 + kCifarPixels;
  for (int i = 1; i <= 5; ++i) {
    std::string bytes;
    for (int r = 0; r < 3; ++r) {
      bytes += static_cast<char>((i + r) % 10);
      bytes += std::string(kCifarPixels, static_cast<char>(i * 10 + r));
    }
    std::ofstream(dir.file("data_batch_" + std::to_string(i) + ".bin"), std::ios::binary) << bytes;
  }
  std::ofstream(dir.file("test_batch.bin"), std::ios::binary) << std::string(2 * record, '\x01');
  DataSpec spec;
  spec.source = "cifar10";
  spec.path = dir.path();
  const DataShape shape = probe_data(spec);
  CHECK(shape.train_samples == 15);
  CHECK(shape.test_samples == 2);
  CHECK(shape.num_classes == 10);
  spec.max_train_samples = 4;  // all of batch 1 and the first record of batch 2
  const TrainTestData kept = load_data(spec, 1);
  REQUIRE(kept.train.size() == 4);
  CHECK(kept.train.labels == std::vector<std::int32_t>{1, 2, 3, 2});
  CHECK(kept.train.features(3, 0) == doctest::Approx(20.0 / 255.0));
}
