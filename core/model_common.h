// Helpers shared by the model implementations (internal to core): gathering the rows of
// a minibatch into a contiguous scratch matrix, checking the spans a caller passes, and
// formatting sizes for Model::describe().
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>

#include "core/dataset.h"
#include "core/model.h"
#include "core/softmax_cross_entropy.h"

namespace cdsim {

// Copies the rows `batch` of `data.features` into `rows` (resized to batch x d; no
// allocation when its capacity suffices). Throws std::out_of_range on a bad index.
void gather_rows(const Dataset& data, std::span<const std::size_t> batch, FeatureMatrix& rows);

// Throws std::invalid_argument when a span does not have the model's parameter count, or
// when the batch is empty.
void check_spans(std::size_t parameter_count, std::size_t parameters_size,
                 std::size_t gradient_size, std::size_t batch_size);

// 101770 -> "101,770"
std::string with_thousands(std::size_t value);

// Rows per chunk when evaluating a whole data set.
inline constexpr std::size_t kEvaluationChunk = 512;

// Throws std::invalid_argument unless `data` has one label per sample and at most
// `classes` classes.
void require_labels(const Dataset& data, std::size_t classes);

// Mean cross-entropy and accuracy over `data`, in chunks of `chunk` rows:
// `logits_for(start, rows)` returns the row-major rows x classes logits of those samples.
template <typename LogitsFor>
Evaluation evaluate_classifier(const Dataset& data, std::size_t chunk, std::size_t classes,
                               LogitsFor&& logits_for) {
  require_labels(data, classes);
  const std::size_t n = data.size();
  CrossEntropySums total;
  for (std::size_t start = 0; start < n; start += chunk) {
    const std::size_t rows = std::min(chunk, n - start);
    const float* logits = logits_for(start, rows);
    const CrossEntropySums sums = softmax_cross_entropy(
        logits, rows, classes, classes,
        std::span<const std::int32_t>(data.labels.data() + start, rows), nullptr, 1.0f);
    total.loss_sum += sums.loss_sum;
    total.correct += sums.correct;
  }
  Evaluation result;
  if (n > 0) {
    result.loss = total.loss_sum / static_cast<double>(n);
    result.accuracy = static_cast<double>(total.correct) / static_cast<double>(n);
  }
  return result;
}

}  // namespace cdsim
