#include "core/error_feedback.h"

#include <cassert>
#include <vector>

namespace cdsim {

CompressedVector compress_with_feedback(const Compressor& compressor, std::span<const float> gradient,
                                        std::span<float> residual, bool feedback, Rng& rng,
                                        std::span<float> decoded) {
  assert(residual.size() == gradient.size() && decoded.size() == gradient.size());
  std::vector<float> corrected(gradient.begin(), gradient.end());
  if (feedback) {
    for (std::size_t i = 0; i < corrected.size(); ++i) corrected[i] += residual[i];
  }
  CompressedVector compressed = compressor.compress(corrected, rng);
  compressor.decompress(compressed, decoded);
  if (feedback) {
    for (std::size_t i = 0; i < corrected.size(); ++i) residual[i] = corrected[i] - decoded[i];
  }
  return compressed;
}

}  // namespace cdsim
