// Helpers shared by the model implementations (internal to core): gathering the rows of
// a minibatch into a contiguous scratch matrix, checking the spans a caller passes, and
// formatting sizes for Model::describe().
#pragma once

#include "core/dataset.h"

#include <cstddef>
#include <span>
#include <string>

namespace cdsim {

// Copies the rows `batch` of `data.features` into `rows` (resized to batch x d; no
// allocation when its capacity suffices). Throws std::out_of_range on a bad index.
void gather_rows(const Dataset& data, std::span<const std::size_t> batch, FeatureMatrix& rows);

// Throws std::invalid_argument when a span does not have the model's parameter count, or
// when the batch is empty.
void check_spans(std::size_t parameter_count, std::size_t parameters_size, std::size_t gradient_size,
                 std::size_t batch_size);

// 101770 -> "101,770"
std::string with_thousands(std::size_t value);

// Rows per chunk when evaluating a whole data set.
inline constexpr std::size_t kEvaluationChunk = 512;

}  // namespace cdsim
