#include "core/dataset.h"

#include <stdexcept>

namespace cdsim {

std::vector<std::size_t> label_histogram(const Dataset& data,
                                         const std::vector<std::size_t>& indices) {
  std::vector<std::size_t> counts(static_cast<std::size_t>(data.num_classes), 0);
  if (!data.is_classification()) return counts;
  for (std::size_t index : indices) {
    if (index >= data.labels.size())
      throw std::out_of_range("label_histogram: sample index out of range");
    ++counts[static_cast<std::size_t>(data.labels[index])];
  }
  return counts;
}

void keep_first(Dataset& data, std::size_t count) {
  if (count == 0 || count >= data.size()) return;
  const auto rows = static_cast<Eigen::Index>(count);
  FeatureMatrix kept = data.features.topRows(rows);
  data.features = std::move(kept);
  if (!data.labels.empty()) data.labels.resize(count);
  if (data.targets.size() > 0) {
    Eigen::VectorXf kept_targets = data.targets.head(rows);
    data.targets = std::move(kept_targets);
  }
}

}  // namespace cdsim
