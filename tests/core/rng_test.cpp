#include "core/rng.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

using cdsim::Rng;
using cdsim::RngPurpose;

TEST_CASE("the same seed, stream and purpose reproduce the same draws") {
  Rng a(42, 3, RngPurpose::kMinibatch);
  Rng b(42, 3, RngPurpose::kMinibatch);
  for (int i = 0; i < 1000; ++i) CHECK(a.next_u64() == b.next_u64());
}

TEST_CASE("different streams and purposes give different draws") {
  Rng base(42, 3, RngPurpose::kMinibatch);
  Rng other_stream(42, 4, RngPurpose::kMinibatch);
  Rng other_purpose(42, 3, RngPurpose::kDropout);
  const std::uint64_t first = base.next_u64();
  CHECK(first != other_stream.next_u64());
  CHECK(first != other_purpose.next_u64());
}

TEST_CASE("uniform_index is within bounds and roughly uniform") {
  Rng rng(7, 0, RngPurpose::kData);
  std::vector<int> counts(10, 0);
  const int draws = 100000;
  for (int i = 0; i < draws; ++i) {
    const std::uint64_t v = rng.uniform_index(10);
    REQUIRE(v < 10);
    ++counts[v];
  }
  // Each bucket expects 10000 with standard deviation ~95; 6 sigma is a safe bound.
  for (int c : counts) CHECK(std::abs(c - draws / 10) < 600);
}

TEST_CASE("normal draws have mean near 0 and variance near 1") {
  Rng rng(11, 0, RngPurpose::kData);
  const int n = 200000;
  double sum = 0.0, sum_sq = 0.0;
  for (int i = 0; i < n; ++i) {
    const double x = rng.normal();
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  const double variance = sum_sq / n - mean * mean;
  CHECK(std::abs(mean) < 0.01);
  CHECK(std::abs(variance - 1.0) < 0.02);
}

TEST_CASE("uniform01 stays in [0, 1)") {
  Rng rng(1, 1, RngPurpose::kData);
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.uniform01();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
  }
}
