#include "core/consensus.h"

#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/rng.h"

using cdsim::WeightedParameters;

namespace {

std::vector<float> random_vector(cdsim::Rng& rng, std::size_t n) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(rng.normal());
  return v;
}

}  // namespace

TEST_CASE("mixing with a doubly stochastic matrix and a zero step preserves the agents' mean") {
  // The paper's 5-ring: self 0.34, each neighbour 0.33.
  const std::size_t agents = 5, dimension = 50;
  cdsim::Rng rng(3, 0, cdsim::RngPurpose::kData);
  std::vector<std::vector<float>> x(agents);
  for (auto& v : x) v = random_vector(rng, dimension);
  std::vector<std::vector<float>> next(agents, std::vector<float>(dimension));
  const std::vector<float> zero_gradient(dimension, 0.0f);
  for (std::size_t j = 0; j < agents; ++j) {
    const std::size_t left = (j + agents - 1) % agents, right = (j + 1) % agents;
    const WeightedParameters inputs[] = {{0.34, x[j]}, {0.33, x[left]}, {0.33, x[right]}};
    cdsim::cdsgd_update(inputs, zero_gradient, 0.1, next[j]);
  }
  for (std::size_t d = 0; d < dimension; ++d) {
    double before = 0.0, after = 0.0;
    for (std::size_t j = 0; j < agents; ++j) {
      before += x[j][d];
      after += next[j][d];
    }
    CHECK(after == doctest::Approx(before).epsilon(1e-5));
  }
}

TEST_CASE("a CDSGD step equals the weighted sum minus the scaled gradient, element by element") {
  cdsim::Rng rng(4, 0, cdsim::RngPurpose::kData);
  const std::vector<float> a = random_vector(rng, 17), b = random_vector(rng, 17), g = random_vector(rng, 17);
  std::vector<float> out(17);
  const WeightedParameters inputs[] = {{0.75, a}, {0.25, b}};
  cdsim::cdsgd_update(inputs, g, 0.05, out);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double expected = 0.75 * a[i] + 0.25 * b[i] - 0.05 * g[i];
    CHECK(out[i] == doctest::Approx(expected).epsilon(1e-6));
  }
}

TEST_CASE("CDMSGD in Keras-Nesterov form matches its two-line definition over several steps") {
  cdsim::Rng rng(5, 0, cdsim::RngPurpose::kData);
  const std::size_t n = 9;
  const double alpha = 0.1, mu = 0.9;
  std::vector<float> x = random_vector(rng, n), m(n, 0.0f), out(n);
  std::vector<double> x_ref(x.begin(), x.end()), m_ref(n, 0.0);
  const std::vector<float> neighbour = random_vector(rng, n);
  for (int step = 0; step < 4; ++step) {
    const std::vector<float> g = random_vector(rng, n);
    const WeightedParameters inputs[] = {{0.5, x}, {0.5, neighbour}};
    cdsim::cdmsgd_nesterov_update(inputs, g, alpha, mu, m, out);
    for (std::size_t i = 0; i < n; ++i) {
      m_ref[i] = mu * m_ref[i] - alpha * g[i];
      x_ref[i] = 0.5 * x_ref[i] + 0.5 * neighbour[i] + mu * m_ref[i] - alpha * g[i];
    }
    x = out;
    for (std::size_t i = 0; i < n; ++i) CHECK(x[i] == doctest::Approx(x_ref[i]).epsilon(1e-4));
  }
}

TEST_CASE("CDMSGD two-sequence form extrapolates v by mu times its last change") {
  const std::vector<float> x = {1.0f, 2.0f}, g = {0.5f, -1.0f};
  std::vector<float> previous_v = {0.0f, 1.0f}, out(2);
  const WeightedParameters inputs[] = {{1.0, x}};
  cdsim::cdmsgd_two_sequence_update(inputs, g, 0.2, 0.5, previous_v, out);
  // v(k+1) = x - 0.2 g = {0.9, 2.2}; out = v + 0.5 (v - v_prev) = {1.35, 2.8}.
  CHECK(previous_v[0] == doctest::Approx(0.9));
  CHECK(previous_v[1] == doctest::Approx(2.2));
  CHECK(out[0] == doctest::Approx(1.35));
  CHECK(out[1] == doctest::Approx(2.8));
}
