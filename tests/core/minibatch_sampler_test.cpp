#include "core/minibatch_sampler.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "core/invalid_input.h"

using namespace cdsim;

namespace {
std::vector<std::size_t> shard_of(std::size_t n) {
  std::vector<std::size_t> shard(n);
  for (std::size_t i = 0; i < n; ++i) shard[i] = 100 + i;
  return shard;
}
}  // namespace

TEST_CASE("each epoch visits every sample of the shard exactly once, the last batch smaller") {
  MinibatchSampler sampler(shard_of(10), 4, Rng(1, 0, RngPurpose::kMinibatch));
  CHECK(sampler.batches_per_epoch() == 3);
  for (std::size_t epoch = 0; epoch < 3; ++epoch) {
    CHECK(sampler.epoch() == epoch);
    std::vector<std::size_t> seen;
    for (std::size_t expected : {4, 4, 2}) {
      const std::span<const std::size_t> batch = sampler.next();
      CHECK(batch.size() == expected);
      seen.insert(seen.end(), batch.begin(), batch.end());
    }
    std::sort(seen.begin(), seen.end());
    CHECK(seen == shard_of(10));
  }
  CHECK(sampler.epoch() == 3);
}

TEST_CASE("epochs are reshuffled and the seed reproduces the order") {
  MinibatchSampler a(shard_of(50), 50, Rng(2, 0, RngPurpose::kMinibatch));
  MinibatchSampler b(shard_of(50), 50, Rng(2, 0, RngPurpose::kMinibatch));
  const std::span<const std::size_t> a_first = a.next();
  const std::vector<std::size_t> first(a_first.begin(), a_first.end());
  const std::span<const std::size_t> b_first = b.next();
  CHECK(first == std::vector<std::size_t>(b_first.begin(), b_first.end()));
  const std::span<const std::size_t> second = a.next();
  CHECK(first != std::vector<std::size_t>(second.begin(), second.end()));
  CHECK(first != shard_of(50));
}

TEST_CASE("a zero batch size or an empty shard is rejected") {
  CHECK_THROWS_AS(MinibatchSampler(shard_of(5), 0, Rng(1, 0, RngPurpose::kMinibatch)),
                  InvalidInput);
  CHECK_THROWS_AS(MinibatchSampler({}, 3, Rng(1, 0, RngPurpose::kMinibatch)), InvalidInput);
}
