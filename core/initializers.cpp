#include "core/initializers.h"

#include <algorithm>
#include <cmath>

#include "core/invalid_input.h"

namespace cdsim {

void check_initializer(const std::string& init, bool allow_zeros) {
  if (init == "glorot_uniform" || init == "normal") return;
  if (init == "zeros") {
    if (allow_zeros) return;
    throw InvalidInput(
        "/init", "init \"zeros\" leaves hidden units symmetric; use glorot_uniform or normal");
  }
  throw InvalidInput("/init",
                     "unknown init \"" + init + "\"; expected glorot_uniform, normal or zeros");
}

void initialize_weights(std::span<float> weights, std::size_t fan_in, std::size_t fan_out,
                        const std::string& init, Rng& rng) {
  if (init == "zeros") {
    std::fill(weights.begin(), weights.end(), 0.0f);
  } else if (init == "normal") {
    for (float& w : weights) w = static_cast<float>(0.05 * rng.normal());
  } else {
    const double limit = std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
    for (float& w : weights) w = static_cast<float>(rng.uniform(-limit, limit));
  }
}

}  // namespace cdsim
