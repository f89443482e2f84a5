#include "core/push_sum.h"

#include <algorithm>
#include <cassert>

namespace cdsim {

double push_sum_combine(std::span<const PushSumShare> inputs, std::span<float> x_out) {
  std::fill(x_out.begin(), x_out.end(), 0.0f);
  double weight = 0.0;
  for (const PushSumShare& input : inputs) {
    assert(input.numerator.size() == x_out.size());
    const float share = static_cast<float>(input.share);
    for (std::size_t i = 0; i < x_out.size(); ++i) x_out[i] += share * input.numerator[i];
    weight += input.share * input.weight;
  }
  return weight;
}

void push_sum_gradient_step(std::span<float> numerator, std::span<const float> gradient, double learning_rate) {
  assert(numerator.size() == gradient.size());
  const float alpha = static_cast<float>(learning_rate);
  for (std::size_t i = 0; i < numerator.size(); ++i) numerator[i] -= alpha * gradient[i];
}

void push_sum_debias(std::span<const float> numerator, double weight, std::span<float> estimate) {
  assert(numerator.size() == estimate.size() && weight > 0.0);
  for (std::size_t i = 0; i < estimate.size(); ++i) {
    estimate[i] = static_cast<float>(static_cast<double>(numerator[i]) / weight);
  }
}

}  // namespace cdsim
