// Push-sum (Kempe, Dobra and Gehrke 2003; Nedic and Olshevsky 2015), the averaging under
// stochastic gradient push (Assran et al. 2019), as pure functions on flat vectors. On a
// directed graph agent j splits its numerator x_j and its weight w_j among itself and its
// out-neighbours with column-stochastic shares a_lj (sum over l of a_lj = 1); every agent
// sums what it receives, and z_j = x_j / w_j is its de-biased estimate, which tends to the
// true average even where row-stochastic mixing (which needs no weight) does not.
#pragma once

#include <span>

namespace cdsim {

// One share received: a_jl times sender l's numerator and weight.
struct PushSumShare {
  double share;                      // a_jl, the sender's column-stochastic weight for j
  std::span<const float> numerator;  // x_l
  double weight;                     // w_l
};

// x_out = sum_l a_jl x_l and returns sum_l a_jl w_l, summed in the order given (own share
// included). `x_out` may not alias an input.
double push_sum_combine(std::span<const PushSumShare> inputs, std::span<float> x_out);

// Stochastic gradient push's local step (Assran et al. 2019), before the shares go out:
// x <- x - learning_rate g, with g the gradient at the de-biased z = x / w.
void push_sum_gradient_step(std::span<float> numerator, std::span<const float> gradient, double learning_rate);

// z = x / w.
void push_sum_debias(std::span<const float> numerator, double weight, std::span<float> estimate);

}  // namespace cdsim
