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

void running_sum_push(RunningSum& sent, double share, std::span<const float> numerator, double weight,
                      std::span<float> wire) {
  if (sent.numerator.size() != numerator.size()) sent.numerator.assign(numerator.size(), 0.0);
  assert(wire.size() == numerator.size());
  for (std::size_t i = 0; i < numerator.size(); ++i) {
    sent.numerator[i] += share * static_cast<double>(numerator[i]);
    wire[i] = static_cast<float>(sent.numerator[i]);
  }
  sent.weight += share * weight;
}

double running_sum_take(std::span<const float> received, double received_weight, std::span<float> last,
                        double& last_weight, std::span<float> numerator) {
  assert(received.size() == last.size() && last.size() == numerator.size());
  for (std::size_t i = 0; i < numerator.size(); ++i) {
    numerator[i] = static_cast<float>(static_cast<double>(numerator[i]) +
                                      (static_cast<double>(received[i]) - static_cast<double>(last[i])));
    last[i] = received[i];
  }
  const double weight = received_weight - last_weight;
  last_weight = received_weight;
  return weight;
}

double running_sum_in_link(const RunningSum& sent, std::span<const float> last, double last_weight,
                           std::span<double> numerator) {
  for (std::size_t i = 0; i < numerator.size(); ++i) {
    const double pushed = sent.numerator.empty() ? 0.0 : sent.numerator[i];
    numerator[i] += pushed - static_cast<double>(last[i]);
  }
  return sent.weight - last_weight;
}

}  // namespace cdsim
