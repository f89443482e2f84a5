// Top-k sparsification in double, for reference recurrences of compressed protocols: the
// k largest magnitudes of v kept, the rest zeroed (ties to the lower coordinate).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace cdsim::testing {

inline std::vector<double> top_k_reference(const std::vector<double>& v, std::size_t k) {
  std::vector<std::size_t> order(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return std::fabs(v[a]) > std::fabs(v[b]); });
  std::vector<double> q(v.size(), 0.0);
  for (std::size_t n = 0; n < k; ++n) q[order[n]] = v[order[n]];
  return q;
}

}  // namespace cdsim::testing
