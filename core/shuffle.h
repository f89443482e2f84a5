// Seeded Fisher-Yates shuffle of index lists (partitions, minibatch order), drawn from a
// cdsim::Rng so the order is the same on every platform.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "core/rng.h"

namespace cdsim {

inline void shuffle_indices(std::vector<std::size_t>& values, Rng& rng) {
  for (std::size_t i = values.size(); i > 1; --i)
    std::swap(values[i - 1], values[rng.uniform_index(i)]);
}

}  // namespace cdsim
