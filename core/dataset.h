// A labelled data set held in memory: one sample per row of a row-major float32 matrix,
// with class labels (classification) or real targets (regression). Datasets are plain
// values; shards over agents refer to rows by index and never copy samples.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cdsim {

using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Dataset {
  std::string name;
  FeatureMatrix features;  // n x d, one sample per row
  std::vector<std::int32_t>
      labels;               // classification: n labels in [0, num_classes); empty for regression
  Eigen::VectorXf targets;  // regression: n targets; empty for classification
  int num_classes = 0;      // 0 for regression
  std::vector<int> sample_shape;  // e.g. {1, 28, 28} (channels, height, width) or {d}

  std::size_t size() const { return static_cast<std::size_t>(features.rows()); }
  std::size_t dimension() const { return static_cast<std::size_t>(features.cols()); }
  bool is_classification() const { return num_classes > 0; }
};

struct TrainTestData {
  Dataset train;
  Dataset test;
  std::vector<std::string> source_files;  // the files read (none for synthetic data), for provenance
};

// Number of samples of each class (a vector of num_classes counts) among the samples
// `indices`; an empty vector for regression data. Throws std::out_of_range on a bad index.
std::vector<std::size_t> label_histogram(const Dataset& data,
                                         const std::vector<std::size_t>& indices);

// The first `count` samples of `data` (all of them when count is 0 or >= size()).
void keep_first(Dataset& data, std::size_t count);

// A copy of the samples `indices` of `data`, in that order, with its labels or targets and
// shape. Throws std::out_of_range on a bad index.
Dataset select_samples(const Dataset& data, const std::vector<std::size_t>& indices);

}  // namespace cdsim
