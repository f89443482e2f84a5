// The consensus update rules of CDSGD and CDMSGD as pure functions on flat parameter
// vectors: agent j combines the parameter vectors it holds (its own and its neighbours',
// each with its mixing weight Pi[j][l]) and its own gradient. No notion of who sent what:
// the caller passes the inputs in a fixed order, which fixes the float rounding.
#pragma once

#include <span>

namespace cdsim {

struct WeightedParameters {
  double weight;
  std::span<const float> parameters;
};

// out = sum_l (scale w_l) x_l, summed in the order given, each weight scale * w_l rounded
// to float once (scale = 1 leaves the weights as they are). `out` may not alias an input.
void mix(std::span<const WeightedParameters> inputs, std::span<float> out, double scale = 1.0);

// CDSGD (D-PSGD): out = sum_l (scale w_l) x_l - learning_rate * gradient, with the gradient
// taken at the agent's own current parameters; scale = 1 is CDSGD proper (CHOCO-SGD's step
// passes its gamma, core/choco.h).
void cdsgd_update(std::span<const WeightedParameters> inputs, std::span<const float> gradient,
                  double learning_rate, std::span<float> out, double scale = 1.0);

// CDMSGD as the paper's experiments ran it (Keras-style Nesterov):
//   m <- mu m - learning_rate g;   out = sum_l w_l x_l + mu m - learning_rate g.
void cdmsgd_nesterov_update(std::span<const WeightedParameters> inputs,
                            std::span<const float> gradient, double learning_rate,
                            double momentum, std::span<float> velocity, std::span<float> out);

// CDMSGD in the paper's two-sequence form:
//   v(k+1) = sum_l w_l x_l - learning_rate g;   out = v(k+1) + mu (v(k+1) - v(k)),
// where `previous_v` holds v(k) on entry and v(k+1) on return.
void cdmsgd_two_sequence_update(std::span<const WeightedParameters> inputs,
                                std::span<const float> gradient, double learning_rate,
                                double momentum, std::span<float> previous_v,
                                std::span<float> out);

}  // namespace cdsim
