#include "core/cifar_reader.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/data_loader.h"
#include "core/invalid_input.h"
#include "tests/core/temp_dir.h"

using namespace cdsim;
using cdsim::testing::TempDir;

namespace {

// `records` CIFAR records; record r has label(s) derived from r and pixel i = (r + i) % 251.
void write_cifar(const std::string& path, std::size_t records, std::size_t label_bytes,
                 int offset) {
  std::ofstream out(path, std::ios::binary);
  for (std::size_t r = 0; r < records; ++r) {
    if (label_bytes == 2) out.put(static_cast<char>((r + offset) % 20));  // coarse
    out.put(static_cast<char>((r + offset) % (label_bytes == 2 ? 100 : 10)));
    for (std::size_t i = 0; i < kCifarPixels; ++i) out.put(static_cast<char>((r + i) % 251));
  }
}

}  // namespace

TEST_CASE("cifar-10 batches load as 32x32x3 samples with their labels, in file order") {
  TempDir dir;
  for (int b = 1; b <= 5; ++b)
    write_cifar(dir.file("data_batch_" + std::to_string(b) + ".bin"), 3, 1, b * 3);
  write_cifar(dir.file("test_batch.bin"), 2, 1, 7);
  DataSpec spec;
  spec.source = "cifar10";
  spec.path = dir.path();
  const TrainTestData data = load_data(spec, 0);
  CHECK(data.train.size() == 15);
  CHECK(data.test.size() == 2);
  CHECK(data.train.num_classes == 10);
  CHECK(data.train.sample_shape == std::vector<int>{3, 32, 32});
  CHECK(data.train.labels[4] == (1 + 6) % 10);  // batch 2, record 1
  CHECK(data.test.labels[1] == 8);
  CHECK(data.train.features(4, 1024) ==
        doctest::Approx(((1 + 1024) % 251) / 255.0));  // green plane starts at 1024
}

TEST_CASE("cifar-100 uses the fine label") {
  TempDir dir;
  write_cifar(dir.file("train.bin"), 4, 2, 50);
  write_cifar(dir.file("test.bin"), 1, 2, 99);
  DataSpec spec;
  spec.source = "cifar100";
  spec.path = dir.path();
  const TrainTestData data = load_data(spec, 0);
  CHECK(data.train.num_classes == 100);
  CHECK(data.train.labels == std::vector<std::int32_t>{50, 51, 52, 53});
  CHECK(data.test.labels == std::vector<std::int32_t>{99});
}

TEST_CASE(
    "cifar files that are not whole records, missing or out of range are rejected naming the "
    "file") {
  TempDir dir;
  write_cifar(dir.file("train.bin"), 2, 2, 0);
  std::filesystem::resize_file(dir.file("train.bin"), 2 * (2 + kCifarPixels) - 5);
  try {
    read_cifar_files({dir.file("train.bin")}, CifarKind::kCifar100, "x", true);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    CHECK(std::string(e.what()).find(dir.file("train.bin")) == 0);
    CHECK(std::string(e.what()).find("whole number") != std::string::npos);
  }
  write_cifar(dir.file("labels.bin"), 1, 2, 0);
  CHECK_THROWS_AS(read_cifar_files({dir.file("labels.bin")}, CifarKind::kCifar10, "x", true),
                  InvalidInput);
  CHECK_THROWS_AS(read_cifar_files({dir.file("none.bin")}, CifarKind::kCifar10, "x", true),
                  InvalidInput);
  DataSpec spec;
  spec.source = "cifar10";
  spec.path = dir.file("nowhere");
  CHECK_THROWS_AS(load_data(spec, 0), InvalidInput);
}
