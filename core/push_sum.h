// Push-sum (Kempe, Dobra and Gehrke 2003; Nedic and Olshevsky 2015), the averaging under
// stochastic gradient push (Assran et al. 2019), as pure functions on flat vectors. On a
// directed graph agent j splits its numerator x_j and its weight w_j among itself and its
// out-neighbours with column-stochastic shares a_lj (sum over l of a_lj = 1); every agent
// sums what it receives, and z_j = x_j / w_j is its de-biased estimate, which tends to the
// true average even where row-stochastic mixing (which needs no weight) does not.
#pragma once

#include <span>
#include <vector>

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

// Running-sum push-sum (Hadjicostis, Vaidya and Dominguez-Garcia 2016, "Robust distributed
// average consensus via exchange of running sums"): plain push-sum loses the mass of a lost
// share, which biases z = x / w for good. Instead the sender of each link j -> l keeps the
// cumulative sum sigma of every share it has pushed on it and sends sigma; the receiver
// keeps the last sigma it took, rho, and adds sigma - rho. A lost message's mass stays in
// the link (sigma - rho) and arrives with the next message that does, so the total mass
// sum_j (x_j, w_j) + sum_links (sigma - rho) is conserved whatever is lost. sigma is kept
// in double and sent rounded to float32 values (the weight as a double): the rounding is
// not lost either, it stays in the link's sigma - rho until the next message.
struct RunningSum {
  std::vector<double> numerator;  // sum of the shares' numerators pushed on the link
  double weight = 0.0;            // and of their weights
};

// The sender's side of a link: sigma += share * (x, w); `wire` gets sigma's values rounded
// to float32 (what the message carries). Sizes must agree (all may be empty: a replay).
void running_sum_push(RunningSum& sent, double share, std::span<const float> numerator, double weight,
                      std::span<float> wire);

// The receiver's side of a link: adds the mass that came since the last sum it took,
// x += sigma - rho (in double, rounded once into x) and returns sigma_w - rho_w, then sets
// rho = sigma. `received` and `last` hold float32 values (as sent on the wire).
double running_sum_take(std::span<const float> received, double received_weight, std::span<float> last,
                        double& last_weight, std::span<float> numerator);

// The mass on a link not yet taken by its receiver: sigma - rho, added to `numerator` (in
// double) and returned for the weight; for checking conservation.
double running_sum_in_link(const RunningSum& sent, std::span<const float> last, double last_weight,
                           std::span<double> numerator);

}  // namespace cdsim
