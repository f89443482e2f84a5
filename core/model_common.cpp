#include "core/model_common.h"

#include <cstring>
#include <stdexcept>

namespace cdsim {

void gather_rows(const Dataset& data, std::span<const std::size_t> batch, FeatureMatrix& rows) {
  const Eigen::Index d = data.features.cols();
  rows.resize(static_cast<Eigen::Index>(batch.size()), d);
  const std::size_t n = data.size();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (batch[i] >= n)
      throw std::out_of_range("batch index " + std::to_string(batch[i]) + " out of range");
    std::memcpy(rows.row(static_cast<Eigen::Index>(i)).data(),
                data.features.row(static_cast<Eigen::Index>(batch[i])).data(),
                sizeof(float) * static_cast<std::size_t>(d));
  }
}

void check_spans(std::size_t parameter_count, std::size_t parameters_size,
                 std::size_t gradient_size, std::size_t batch_size) {
  if (parameters_size != parameter_count || gradient_size != parameter_count)
    throw std::invalid_argument("parameter or gradient span has the wrong size (expected " +
                                std::to_string(parameter_count) + ")");
  if (batch_size == 0) throw std::invalid_argument("empty minibatch");
}

void require_labels(const Dataset& data, std::size_t classes) {
  if (data.labels.size() != data.size())
    throw std::invalid_argument("classification model needs one label per sample in data set " +
                                data.name);
  if (static_cast<std::size_t>(data.num_classes) > classes)
    throw std::invalid_argument("data set " + data.name +
                                " has more classes than the model outputs");
}

std::string with_thousands(std::size_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace cdsim
