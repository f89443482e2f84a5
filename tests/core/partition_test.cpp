#include "core/partition.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "core/data_loader.h"
#include "core/invalid_input.h"

using namespace cdsim;

namespace {

Dataset mixture(std::size_t samples, std::size_t classes) {
  DataSpec spec;
  spec.source = "gaussian_mixture";
  spec.classes = classes;
  spec.dimension = 2;
  spec.train_samples = samples;
  return load_data(spec, 11).train;
}

// Every sample appears in exactly one shard (or, with `complete` false, at most one).
void check_disjoint(const Shards& shards, std::size_t n, bool complete) {
  std::vector<int> seen(n, 0);
  for (const auto& shard : shards)
    for (std::size_t i : shard) {
      REQUIRE(i < n);
      ++seen[i];
    }
  for (int count : seen) CHECK(count <= 1);
  if (complete) CHECK(std::count(seen.begin(), seen.end(), 1) == static_cast<long>(n));
}

}  // namespace

TEST_CASE("iid shards are equal, disjoint and cover the data, and the seed reproduces them") {
  const Dataset data = mixture(103, 10);
  const Shards shards = partition(data, 5, PartitionSpec{}, 1);
  REQUIRE(shards.size() == 5);
  CHECK(shards[0].size() == 21);
  CHECK(shards[2].size() == 21);
  CHECK(shards[3].size() == 20);
  CHECK(shards[4].size() == 20);
  check_disjoint(shards, data.size(), true);
  CHECK(partition(data, 5, PartitionSpec{}, 1) == shards);
  CHECK(partition(data, 5, PartitionSpec{}, 2) != shards);
}

TEST_CASE("label shards give each agent exactly its k classes") {
  const Dataset data = mixture(2000, 10);
  PartitionSpec spec;
  spec.kind = "label_shards";
  spec.classes_per_agent = 2;
  const Shards shards = partition(data, 5, spec, 3);
  check_disjoint(shards, data.size(), true);  // 5 agents x 2 classes cover all 10 classes
  for (const auto& histogram : shard_label_histograms(data, shards)) {
    const auto held =
        std::count_if(histogram.begin(), histogram.end(), [](std::size_t c) { return c > 0; });
    CHECK(held == 2);
  }
  spec.classes_per_agent = 11;
  CHECK_THROWS_AS(partition(data, 5, spec, 3), InvalidInput);
}

TEST_CASE("a small dirichlet alpha skews labels far more than a large one") {
  const Dataset data = mixture(5000, 10);
  PartitionSpec spec;
  spec.kind = "dirichlet";
  auto skew = [&](double alpha) {
    spec.dirichlet_alpha = alpha;
    const Shards shards = partition(data, 5, spec, 4);
    check_disjoint(shards, data.size(), true);
    // Mean over agents of the largest class share.
    double total = 0;
    for (const auto& histogram : shard_label_histograms(data, shards)) {
      std::size_t sum = 0;
      for (std::size_t c : histogram) sum += c;
      total += static_cast<double>(*std::max_element(histogram.begin(), histogram.end())) /
               static_cast<double>(sum);
    }
    return total / 5.0;
  };
  const double skewed = skew(0.05);
  const double balanced = skew(1000.0);
  CHECK(skewed > 0.5);
  CHECK(balanced < 0.15);
  for (const auto& shard : partition(data, 5, spec, 4)) CHECK(!shard.empty());
}

TEST_CASE("fraction shards have sizes proportional to the fractions") {
  const Dataset data = mixture(1000, 3);
  PartitionSpec spec;
  spec.kind = "fractions";
  spec.fractions = {0.5, 0.3, 0.2};
  const Shards shards = partition(data, 3, spec, 5);
  CHECK(shards[0].size() == 500);
  CHECK(shards[1].size() == 300);
  CHECK(shards[2].size() == 200);
  check_disjoint(shards, data.size(), true);
  spec.fractions = {1.0, 2.0};
  CHECK_THROWS_AS(partition(data, 3, spec, 5), InvalidInput);
  spec.fractions = {1.0, -2.0, 1.0};
  CHECK_THROWS_AS(partition(data, 3, spec, 5), InvalidInput);
}

TEST_CASE("label histograms count the labels of each shard") {
  Dataset data;
  data.num_classes = 3;
  data.labels = {0, 1, 1, 2, 2, 2};
  data.features.resize(6, 1);
  CHECK(label_histogram(data, {0, 1, 2, 3, 4, 5}) == std::vector<std::size_t>{1, 2, 3});
  CHECK(label_histogram(data, {3, 4}) == std::vector<std::size_t>{0, 0, 2});
}

TEST_CASE("with fewer samples than agents, the agents left without one share the samples in agent order") {
  const Dataset data = mixture(4, 2);
  const Shards shards = partition(data, 10, PartitionSpec{}, 1);
  REQUIRE(shards.size() == 10);
  // iid: 4 samples over 10 equal shares go to agents 0-3 (largest remainder, lowest index
  // first); agents 4-9 then take copies of the samples held, cycling in agent order.
  for (std::size_t j = 0; j < 4; ++j) REQUIRE(shards[j].size() == 1);
  check_disjoint(Shards(shards.begin(), shards.begin() + 4), 4, true);
  for (std::size_t j = 4; j < 10; ++j) CHECK(shards[j] == shards[(j - 4) % 4]);
}

TEST_CASE("partitions reject unknown kinds and label kinds on regression data") {
  const Dataset data = mixture(4, 2);
  PartitionSpec spec;
  spec.kind = "round_robin";
  CHECK_THROWS_AS(partition(data, 2, spec, 1), InvalidInput);
  DataSpec linear;
  const Dataset regression = load_data(linear, 1).train;
  spec.kind = "dirichlet";
  CHECK_THROWS_AS(partition(regression, 2, spec, 1), InvalidInput);
}

TEST_CASE("partition specs are validated before any data exists") {
  PartitionSpec spec;
  CHECK_NOTHROW(validate(spec, 5));
  CHECK_THROWS_AS(validate(spec, 0), InvalidInput);
  spec.kind = "dirichlet";
  spec.dirichlet_alpha = 0.0;
  CHECK_THROWS_AS(validate(spec, 5), InvalidInput);
  spec.kind = "label_shards";
  spec.classes_per_agent = 0;
  CHECK_THROWS_AS(validate(spec, 5), InvalidInput);
  spec.kind = "fractions";
  spec.fractions = {1.0, 1.0};
  try {
    validate(spec, 3);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    CHECK(e.field() == "/fractions");
  }
}
