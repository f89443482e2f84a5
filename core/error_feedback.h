// Error feedback for compressed gradients (Karimireddy, Rebjock, Stich and Jaggi 2019,
// "Error feedback fixes SignSGD"): a worker compresses its gradient plus the residual that
// earlier compressions lost, and keeps what this one loses: p = g + e, send Q(p),
// e <- p - Q(p). A pure function over flat vectors; the caller owns the residual.
#pragma once

#include <span>
#include <vector>

#include "core/compressor.h"
#include "core/rng.h"

namespace cdsim {

// Compresses p = gradient + residual (residual = 0 without feedback), writes Q(p) as the
// receiver decodes it into `decoded`, and, when `feedback`, sets residual <- p - Q(p).
// The residual is in gradient units, so with a constant step size alpha this is EF-SGD's
// p = alpha g + e with e scaled by 1 / alpha.
CompressedVector compress_with_feedback(const Compressor& compressor, std::span<const float> gradient,
                                        std::span<float> residual, bool feedback, Rng& rng,
                                        std::span<float> decoded);
// The same into `compressed`, with `corrected` (p) the caller's scratch: once both have
// held vectors of this size, a call allocates nothing.
void compress_with_feedback(const Compressor& compressor, std::span<const float> gradient,
                            std::span<float> residual, bool feedback, Rng& rng, std::span<float> decoded,
                            CompressedVector& compressed, std::vector<float>& corrected);

}  // namespace cdsim
