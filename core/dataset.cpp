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

Dataset select_samples(const Dataset& data, const std::vector<std::size_t>& indices) {
  Dataset selected;
  selected.name = data.name;
  selected.num_classes = data.num_classes;
  selected.sample_shape = data.sample_shape;
  selected.features.resize(static_cast<Eigen::Index>(indices.size()), data.features.cols());
  if (!data.labels.empty()) selected.labels.resize(indices.size());
  if (data.targets.size() > 0) selected.targets.resize(static_cast<Eigen::Index>(indices.size()));
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] >= data.size()) throw std::out_of_range("select_samples: sample index out of range");
    const auto from = static_cast<Eigen::Index>(indices[i]);
    const auto to = static_cast<Eigen::Index>(i);
    selected.features.row(to) = data.features.row(from);
    if (!data.labels.empty()) selected.labels[i] = data.labels[indices[i]];
    if (data.targets.size() > 0) selected.targets[to] = data.targets[from];
  }
  return selected;
}

}  // namespace cdsim
