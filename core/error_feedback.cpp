#include "core/error_feedback.h"

#include <cassert>
#include <vector>

namespace cdsim {

CompressedVector compress_with_feedback(const Compressor& compressor, std::span<const float> gradient,
                                        std::span<float> residual, bool feedback, Rng& rng,
                                        std::span<float> decoded) {
  CompressedVector compressed;
  std::vector<float> corrected;
  compress_with_feedback(compressor, gradient, residual, feedback, rng, decoded, compressed, corrected);
  return compressed;
}

void compress_with_feedback(const Compressor& compressor, std::span<const float> gradient,
                            std::span<float> residual, bool feedback, Rng& rng, std::span<float> decoded,
                            CompressedVector& compressed, std::vector<float>& corrected) {
  assert(residual.size() == gradient.size() && decoded.size() == gradient.size());
  corrected.assign(gradient.begin(), gradient.end());
  if (feedback) {
    for (std::size_t i = 0; i < corrected.size(); ++i) corrected[i] += residual[i];
  }
  compressor.compress(corrected, rng, compressed);
  compressor.decompress(compressed, decoded);
  if (feedback) {
    for (std::size_t i = 0; i < corrected.size(); ++i) residual[i] = corrected[i] - decoded[i];
  }
}

}  // namespace cdsim
