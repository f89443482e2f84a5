// Weight initializers, as Keras defines them: Glorot (Xavier) uniform with limit
// sqrt(6 / (fan_in + fan_out)), normal with standard deviation 0.05, and zeros.
// Internal to core's models; biases always start at zero.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "core/rng.h"

namespace cdsim {

// Throws InvalidInput("/init", ...) for an unknown name; `allow_zeros` is false for models
// that zero weights cannot train (hidden layers would stay symmetric).
void check_initializer(const std::string& init, bool allow_zeros);

void initialize_weights(std::span<float> weights, std::size_t fan_in, std::size_t fan_out,
                        const std::string& init, Rng& rng);

}  // namespace cdsim
