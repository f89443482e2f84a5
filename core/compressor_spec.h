// What a scenario says about compressing the vectors an algorithm puts on the wire: the
// compressor's kind and its knobs. Plain values with defaults; Compressor validates them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace cdsim {

struct CompressorSpec {
  // identity, top_k, random_k, qsgd, scaled_sign, float16, bfloat16.
  std::string kind = "identity";
  // top_k / random_k: k as a count (count > 0) or as a fraction of the dimension
  // (k = max(1, round(fraction d))); exactly one of the two.
  std::size_t count = 0;
  double fraction = 0.0;
  // qsgd: s quantization levels of |x_i| / ||x||_2 in [0, 1] (s >= 1).
  std::uint32_t levels = 0;
  // random_k: scale the kept values by d / k; qsgd: keep Q unbiased (E Q(x) = x). When
  // false, random_k keeps the values as they are and qsgd divides by
  // tau = 1 + min(d / s^2, sqrt(d) / s), the contractive forms CHOCO-SGD's analysis needs.
  bool unbiased = true;
};

}  // namespace cdsim
