#include "core/idx_reader.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "core/data_loader.h"
#include "core/data_sources.h"
#include "core/invalid_input.h"
#include "tests/core/temp_dir.h"

using namespace cdsim;
using cdsim::testing::TempDir;

namespace {

IdxArray images(std::uint32_t n) {
  IdxArray array{{n, 2, 3}, {}};
  for (std::uint32_t i = 0; i < n * 6; ++i)
    array.data.push_back(static_cast<std::uint8_t>((i * 37) % 256));
  return array;
}

IdxArray labels(std::uint32_t n) {
  IdxArray array{{n}, {}};
  for (std::uint32_t i = 0; i < n; ++i) array.data.push_back(static_cast<std::uint8_t>(i % 4));
  return array;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

void gzip_file(const std::string& from, const std::string& to) {
  const std::string bytes = read_bytes(from);
  gzFile out = gzopen(to.c_str(), "wb");
  REQUIRE(out != nullptr);
  gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(out);
}

// The message of the InvalidInput that `load` throws ("" if none).
template <typename F>
std::string error_of(F load) {
  try {
    load();
  } catch (const InvalidInput& e) {
    CHECK(e.field() == "/path");
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("idx files round-trip, raw and gzip") {
  TempDir dir;
  write_idx(dir.file("a-idx3-ubyte"), images(5));
  CHECK(read_idx(dir.file("a-idx3-ubyte")).data == images(5).data);
  CHECK(read_idx(dir.file("a-idx3-ubyte")).dims == std::vector<std::uint32_t>{5, 2, 3});
  gzip_file(dir.file("a-idx3-ubyte"), dir.file("a-idx3-ubyte.gz"));
  CHECK(read_idx(dir.file("a-idx3-ubyte.gz")).data == images(5).data);
  CHECK(read_idx_dims(dir.file("a-idx3-ubyte.gz")) == std::vector<std::uint32_t>{5, 2, 3});
}

TEST_CASE("an idx directory loads as train and test sets with scaled pixels") {
  TempDir dir;
  write_idx(dir.file("train-images-idx3-ubyte"), images(8));
  write_idx(dir.file("train-labels-idx1-ubyte"), labels(8));
  write_idx(dir.file("t10k-images-idx3-ubyte"), images(3));
  write_idx(dir.file("t10k-labels-idx1-ubyte.tmp"), labels(3));
  gzip_file(dir.file("t10k-labels-idx1-ubyte.tmp"), dir.file("t10k-labels-idx1-ubyte.gz"));
  std::filesystem::remove(dir.file("t10k-labels-idx1-ubyte.tmp"));
  DataSpec spec;
  spec.source = "idx";
  spec.path = dir.path();
  const TrainTestData data = load_data(spec, 0);
  CHECK(data.train.size() == 8);
  CHECK(data.test.size() == 3);
  CHECK(data.train.sample_shape == std::vector<int>{1, 2, 3});
  CHECK(data.train.num_classes == 4);
  CHECK(data.test.num_classes == 4);
  CHECK(data.train.labels[5] == 1);
  CHECK(data.train.features(1, 2) == doctest::Approx(((8 * 37) % 256) / 255.0));
  spec.normalize = false;
  CHECK(load_data(spec, 0).train.features(1, 2) == static_cast<float>((8 * 37) % 256));
}

TEST_CASE("truncated, corrupt and absurd idx files are rejected with the file named") {
  TempDir dir;
  write_idx(dir.file("good"), images(4));
  const std::string good = read_bytes(dir.file("good"));

  write_bytes(dir.file("truncated"), good.substr(0, good.size() - 1));
  CHECK(error_of([&] { read_idx(dir.file("truncated")); }).find("truncated") != std::string::npos);
  CHECK(error_of([&] { read_idx(dir.file("truncated")); }).find(dir.file("truncated")) == 0);

  write_bytes(dir.file("longer"), good + "x");
  CHECK(error_of([&] { read_idx(dir.file("longer")); }).find("more") != std::string::npos);

  std::string bad_magic = good;
  bad_magic[0] = 7;
  write_bytes(dir.file("bad_magic"), bad_magic);
  CHECK(error_of([&] { read_idx(dir.file("bad_magic")); }).find("not an IDX file") !=
        std::string::npos);

  std::string float_type = good;
  float_type[2] = 0x0D;
  write_bytes(dir.file("float_type"), float_type);
  CHECK(error_of([&] { read_idx(dir.file("float_type")); }).find("not supported") !=
        std::string::npos);

  // 4 dimensions of 0xFFFFFFFF: rejected from the header, before any allocation.
  write_bytes(dir.file("absurd"), std::string("\0\0\x08\x04", 4) + std::string(16, '\xff'));
  CHECK(error_of([&] { read_idx(dir.file("absurd")); }).find("4 GiB") != std::string::npos);
  // A plausible 100 MB header in a tiny file.
  write_bytes(dir.file("big_header"), std::string("\0\0\x08\x01\x06\0\0\0", 8) + "abc");
  CHECK(error_of([&] { read_idx(dir.file("big_header")); }).find("truncated") != std::string::npos);
  gzip_file(dir.file("big_header"), dir.file("big_header.gz"));
  CHECK(error_of([&] { read_idx(dir.file("big_header.gz")); }).find("gzip") != std::string::npos);

  // A gzip file cut short.
  gzip_file(dir.file("good"), dir.file("good.gz"));
  const std::string gz = read_bytes(dir.file("good.gz"));
  write_bytes(dir.file("cut.gz"), gz.substr(0, gz.size() - 6));
  CHECK(error_of([&] { read_idx(dir.file("cut.gz")); }) != "");

  write_bytes(dir.file("header_only"), std::string("\0\0\x08", 3));
  CHECK(error_of([&] { read_idx(dir.file("header_only")); }).find("truncated") !=
        std::string::npos);
  CHECK(error_of([&] { read_idx(dir.file("missing")); }).find("cannot open") != std::string::npos);
}

TEST_CASE("image and label counts must agree") {
  TempDir dir;
  write_idx(dir.file("images"), images(5));
  write_idx(dir.file("labels"), labels(4));
  CHECK(error_of([&] {
          read_idx_dataset(dir.file("images"), dir.file("labels"), "x", true);
        }).find("4 labels") != std::string::npos);
  CHECK(error_of([&] {
          read_idx_dataset(dir.file("labels"), dir.file("labels"), "x", true);
        }).find("3 dimensions") != std::string::npos);
}

TEST_CASE("fashion-mnist from the debian package has 60000 + 10000 images of 10 balanced classes") {
  const std::vector<DataSourceInfo> sources = list_data_sources();
  const auto fashion = std::find_if(sources.begin(), sources.end(),
                                    [](const auto& s) { return s.name == "fashion_mnist"; });
  REQUIRE(fashion != sources.end());
  REQUIRE_MESSAGE(fashion->available, "run scripts/install-deps.sh: ", fashion->note);
  CHECK(fashion->train_samples == 60000);
  CHECK(fashion->test_samples == 10000);
  DataSpec spec;
  spec.source = "fashion_mnist";
  spec.max_train_samples = 1000;
  const TrainTestData data = load_data(spec, 0);
  CHECK(data.train.size() == 1000);
  CHECK(data.test.size() == 10000);
  CHECK(data.test.num_classes == 10);
  CHECK(data.train.sample_shape == std::vector<int>{1, 28, 28});
  std::vector<std::size_t> all(data.test.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  for (std::size_t count : label_histogram(data.test, all)) CHECK(count == 1000);
  CHECK(data.train.features.maxCoeff() <= 1.0f);
  CHECK(data.train.features.maxCoeff() > 0.9f);
  CHECK(data.train.features.minCoeff() == 0.0f);
}
