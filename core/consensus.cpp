#include "core/consensus.h"

#include <Eigen/Core>
#include <cassert>

namespace cdsim {
namespace {

using ConstVectorMap = Eigen::Map<const Eigen::VectorXf>;
using VectorMap = Eigen::Map<Eigen::VectorXf>;

ConstVectorMap as_vector(std::span<const float> values) {
  return ConstVectorMap(values.data(), static_cast<Eigen::Index>(values.size()));
}
VectorMap as_vector(std::span<float> values) {
  return VectorMap(values.data(), static_cast<Eigen::Index>(values.size()));
}

}  // namespace

void mix(std::span<const WeightedParameters> inputs, std::span<float> out, double scale) {
  VectorMap result = as_vector(out);
  if (inputs.empty()) {
    result.setZero();
    return;
  }
  assert(inputs.front().parameters.size() == out.size());
  result = static_cast<float>(scale * inputs.front().weight) * as_vector(inputs.front().parameters);
  for (std::size_t i = 1; i < inputs.size(); ++i) {
    assert(inputs[i].parameters.size() == out.size());
    result += static_cast<float>(scale * inputs[i].weight) * as_vector(inputs[i].parameters);
  }
}

void cdsgd_update(std::span<const WeightedParameters> inputs, std::span<const float> gradient,
                  double learning_rate, std::span<float> out, double scale) {
  assert(gradient.size() == out.size());
  mix(inputs, out, scale);
  as_vector(out) -= static_cast<float>(learning_rate) * as_vector(gradient);
}

void cdmsgd_nesterov_update(std::span<const WeightedParameters> inputs,
                            std::span<const float> gradient, double learning_rate,
                            double momentum, std::span<float> velocity, std::span<float> out) {
  assert(gradient.size() == out.size() && velocity.size() == out.size());
  const float mu = static_cast<float>(momentum);
  const float alpha = static_cast<float>(learning_rate);
  VectorMap m = as_vector(velocity);
  m = mu * m - alpha * as_vector(gradient);
  mix(inputs, out);
  as_vector(out) += mu * m - alpha * as_vector(gradient);
}

void cdmsgd_two_sequence_update(std::span<const WeightedParameters> inputs,
                                std::span<const float> gradient, double learning_rate,
                                double momentum, std::span<float> previous_v,
                                std::span<float> out) {
  assert(gradient.size() == out.size() && previous_v.size() == out.size());
  const float mu = static_cast<float>(momentum);
  mix(inputs, out);
  VectorMap v_next = as_vector(out);
  v_next -= static_cast<float>(learning_rate) * as_vector(gradient);  // out holds v(k+1)
  VectorMap v_prev = as_vector(previous_v);
  // out = v(k+1) + mu (v(k+1) - v(k)); previous_v <- v(k+1).
  for (Eigen::Index i = 0; i < v_next.size(); ++i) {
    const float v = v_next[i];
    v_next[i] = v + mu * (v - v_prev[i]);
    v_prev[i] = v;
  }
}

}  // namespace cdsim
