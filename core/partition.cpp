#include "core/partition.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/invalid_input.h"
#include "core/rng.h"
#include "core/shuffle.h"

namespace cdsim {
namespace {

std::vector<std::size_t> iota_indices(std::size_t n) {
  std::vector<std::size_t> indices(n);
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  return indices;
}

// Splits `weights`-proportional integer counts summing to `total` (largest remainder).
std::vector<std::size_t> proportional_counts(const std::vector<double>& weights,
                                             std::size_t total) {
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<std::size_t> counts(weights.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  std::size_t assigned = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double exact = static_cast<double>(total) * weights[i] / sum;
    counts[i] = static_cast<std::size_t>(std::floor(exact));
    assigned += counts[i];
    remainders.emplace_back(exact - static_cast<double>(counts[i]), i);
  }
  // Larger remainder first; ties to the lower index, so the result is deterministic.
  std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (std::size_t k = 0; assigned < total; ++k, ++assigned)
    ++counts[remainders[k % remainders.size()].second];
  return counts;
}

Shards split_contiguous(const std::vector<std::size_t>& order,
                        const std::vector<std::size_t>& counts) {
  Shards shards(counts.size());
  std::size_t start = 0;
  for (std::size_t a = 0; a < counts.size(); ++a) {
    shards[a].assign(order.begin() + static_cast<std::ptrdiff_t>(start),
                     order.begin() + static_cast<std::ptrdiff_t>(start + counts[a]));
    start += counts[a];
  }
  return shards;
}

// Gamma(shape, 1) by Marsaglia and Tsang, boosted for shape < 1.
double gamma_draw(double shape, Rng& rng) {
  if (shape < 1.0) {
    double u = rng.uniform01();
    while (u <= 0.0) u = rng.uniform01();
    return gamma_draw(shape + 1.0, rng) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0.0, v = 0.0;
    do {
      x = rng.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform01();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0.0 && std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

std::vector<std::vector<std::size_t>> indices_by_class(const Dataset& data) {
  std::vector<std::vector<std::size_t>> by_class(static_cast<std::size_t>(data.num_classes));
  for (std::size_t i = 0; i < data.labels.size(); ++i)
    by_class[static_cast<std::size_t>(data.labels[i])].push_back(i);
  return by_class;
}

void require_classification(const Dataset& data, const std::string& kind) {
  if (!data.is_classification())
    throw InvalidInput("/kind", "partition kind \"" + kind +
                                    "\" needs class labels, but data set " + data.name +
                                    " is a regression problem; use iid or fractions");
}

// Gives every empty shard, in agent order, one sample moved from the currently largest
// shard (the lowest-numbered of equals). Once no shard has two samples left, the remaining
// empty shards share: the k-th of them gets a copy of the k-th sample (mod the samples
// held), counting through the shards in agent order. A heap keeps this O(N log N).
void fill_empty_shards(Shards& shards) {
  auto smaller = [](const std::pair<std::size_t, std::size_t>& a, const std::pair<std::size_t, std::size_t>& b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  };
  std::vector<std::pair<std::size_t, std::size_t>> by_size;  // (size, shard), a max-heap
  std::vector<std::size_t> empty;
  for (std::size_t j = 0; j < shards.size(); ++j) {
    if (shards[j].empty()) {
      empty.push_back(j);
    } else {
      by_size.emplace_back(shards[j].size(), j);
    }
  }
  std::make_heap(by_size.begin(), by_size.end(), smaller);
  std::size_t filled = 0;
  for (; filled < empty.size() && !by_size.empty() && by_size.front().first >= 2; ++filled) {
    std::pop_heap(by_size.begin(), by_size.end(), smaller);
    auto& [size, largest] = by_size.back();
    shards[empty[filled]].push_back(shards[largest].back());
    shards[largest].pop_back();
    --size;
    std::push_heap(by_size.begin(), by_size.end(), smaller);
  }
  if (filled == empty.size()) return;
  std::vector<std::size_t> held;
  for (const auto& shard : shards) held.insert(held.end(), shard.begin(), shard.end());
  if (held.empty()) throw InvalidInput("", "the partition gives no agent any sample");
  for (std::size_t k = 0; filled < empty.size(); ++filled, ++k) shards[empty[filled]].push_back(held[k % held.size()]);
}

Shards label_shards(const Dataset& data, std::size_t agents, const PartitionSpec& spec, Rng& rng) {
  require_classification(data, spec.kind);
  const auto classes = static_cast<std::size_t>(data.num_classes);
  if (spec.classes_per_agent > classes)
    throw InvalidInput("/classes_per_agent", "classes_per_agent is " +
                                                 std::to_string(spec.classes_per_agent) +
                                                 "; expected 1 to " + std::to_string(classes));
  std::vector<std::size_t> class_order = iota_indices(classes);
  shuffle_indices(class_order, rng);
  std::vector<std::vector<std::size_t>> holders(classes);
  for (std::size_t a = 0; a < agents; ++a)
    for (std::size_t j = 0; j < spec.classes_per_agent; ++j)
      holders[class_order[(a * spec.classes_per_agent + j) % classes]].push_back(a);
  std::vector<std::vector<std::size_t>> by_class = indices_by_class(data);
  Shards shards(agents);
  for (std::size_t c = 0; c < classes; ++c) {
    if (holders[c].empty()) continue;
    shuffle_indices(by_class[c], rng);
    const std::vector<double> equal(holders[c].size(), 1.0);
    const Shards parts =
        split_contiguous(by_class[c], proportional_counts(equal, by_class[c].size()));
    for (std::size_t h = 0; h < holders[c].size(); ++h)
      shards[holders[c][h]].insert(shards[holders[c][h]].end(), parts[h].begin(), parts[h].end());
  }
  return shards;
}

Shards dirichlet_shards(const Dataset& data, std::size_t agents, const PartitionSpec& spec,
                        Rng& rng) {
  require_classification(data, spec.kind);
  std::vector<std::vector<std::size_t>> by_class = indices_by_class(data);
  Shards shards(agents);
  std::vector<double> proportions(agents);
  for (auto& members : by_class) {
    shuffle_indices(members, rng);
    double sum = 0.0;
    for (double& p : proportions) sum += (p = gamma_draw(spec.dirichlet_alpha, rng));
    if (!(sum > 0.0))
      std::fill(proportions.begin(), proportions.end(), 1.0);  // all draws underflowed
    const Shards parts =
        split_contiguous(members, proportional_counts(proportions, members.size()));
    for (std::size_t a = 0; a < agents; ++a)
      shards[a].insert(shards[a].end(), parts[a].begin(), parts[a].end());
  }
  return shards;
}

Shards fraction_shards(std::size_t n, const PartitionSpec& spec, Rng& rng) {
  std::vector<std::size_t> order = iota_indices(n);
  shuffle_indices(order, rng);
  return split_contiguous(order, proportional_counts(spec.fractions, n));
}

}  // namespace

void validate(const PartitionSpec& spec, std::size_t agents) {
  if (agents == 0) throw InvalidInput("", "cannot partition data over 0 agents");
  if (spec.kind == "iid") return;
  if (spec.kind == "label_shards") {
    if (spec.classes_per_agent == 0)
      throw InvalidInput("/classes_per_agent", "classes_per_agent must be at least 1");
    return;
  }
  if (spec.kind == "dirichlet") {
    if (!(spec.dirichlet_alpha > 0.0) || !std::isfinite(spec.dirichlet_alpha))
      throw InvalidInput("/dirichlet_alpha", "dirichlet_alpha must be a finite number > 0");
    return;
  }
  if (spec.kind == "fractions") {
    if (spec.fractions.size() != agents)
      throw InvalidInput("/fractions", "fractions has " + std::to_string(spec.fractions.size()) +
                                           " entries; expected one per agent (" +
                                           std::to_string(agents) + ")");
    for (std::size_t i = 0; i < agents; ++i)
      if (!(spec.fractions[i] > 0.0) || !std::isfinite(spec.fractions[i]))
        throw InvalidInput("/fractions/" + std::to_string(i),
                           "fraction must be a finite number > 0");
    return;
  }
  throw InvalidInput("/kind", "unknown partition kind \"" + spec.kind +
                                  "\"; expected one of iid, label_shards, dirichlet, fractions");
}

Shards partition(const Dataset& data, std::size_t agents, const PartitionSpec& spec,
                 std::uint64_t seed) {
  validate(spec, agents);
  const std::size_t n = data.size();
  if (n == 0) throw InvalidInput("", "data set " + data.name + " has no samples");
  Rng rng(seed, 0, RngPurpose::kPartition);
  Shards shards;
  if (spec.kind == "iid") {
    std::vector<std::size_t> order = iota_indices(n);
    shuffle_indices(order, rng);
    shards = split_contiguous(order, proportional_counts(std::vector<double>(agents, 1.0), n));
  } else if (spec.kind == "label_shards") {
    shards = label_shards(data, agents, spec, rng);
  } else if (spec.kind == "dirichlet") {
    shards = dirichlet_shards(data, agents, spec, rng);
  } else {
    shards = fraction_shards(n, spec, rng);
  }
  fill_empty_shards(shards);
  return shards;
}

std::vector<std::vector<std::size_t>> shard_label_histograms(const Dataset& data,
                                                             const Shards& shards) {
  std::vector<std::vector<std::size_t>> histograms;
  histograms.reserve(shards.size());
  for (const auto& shard : shards) histograms.push_back(label_histogram(data, shard));
  return histograms;
}

}  // namespace cdsim
