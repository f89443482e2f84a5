#include "topologies/spectral.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "topologies/generators.h"

using namespace cdsim;

namespace {

MixingMatrix with_rule(const Graph& g, const std::string& name) {
  MixingSpec spec;
  spec.rule = name;
  return build_mixing_matrix(g, spec);
}

SpectralReport forced(const MixingMatrix& w, SpectralMethod method) {
  SpectralOptions options;
  options.method = method;
  return analyze_spectrum(w, options);
}

// Ring with self weight a and neighbour weight b: eigenvalues a + 2b cos(2 pi k / n).
std::pair<double, double> ring_closed_form(std::size_t n, double a, double b) {
  std::vector<double> values;
  for (std::size_t k = 0; k < n; ++k) values.push_back(a + 2 * b * std::cos(2 * std::numbers::pi * k / n));
  std::sort(values.begin(), values.end());
  return {values[n - 2], values[0]};
}

}  // namespace

TEST_CASE("the paper's 5-ring with weights 0.34/0.33 has lambda2 = 0.34 + 0.66 cos(2 pi / 5) ~ 0.5440") {
  const SpectralReport r = analyze_spectrum(with_rule(ring_graph(5), "ring_preset"));
  CHECK(r.method == "dense");
  CHECK(r.lambda2 == doctest::Approx(0.34 + 0.66 * std::cos(2 * std::numbers::pi / 5)).epsilon(1e-12));
  CHECK(r.lambda2 == doctest::Approx(0.5440).epsilon(1e-4));
  CHECK(r.lambda_n == doctest::Approx(0.34 + 0.66 * std::cos(4 * std::numbers::pi / 5)).epsilon(1e-12));
  CHECK(r.consensus_contraction == doctest::Approx(std::max(std::abs(r.lambda2), std::abs(r.lambda_n))));
  CHECK(r.spectral_gap == doctest::Approx(1 - r.consensus_contraction));
}

TEST_CASE("ring eigenvalues match w_self + 2 w cos(2 pi k / N) for several sizes and weights") {
  for (std::size_t n : {3u, 4u, 8u, 25u, 100u}) {
    for (double self : {0.34, 0.5, 0.2}) {
      MixingSpec spec;
      spec.rule = "ring_preset";
      spec.self_weight = self;
      spec.neighbor_weight = (1 - self) / 2;
      const SpectralReport r = analyze_spectrum(build_mixing_matrix(ring_graph(n), spec));
      const auto [l2, ln] = ring_closed_form(n, self, (1 - self) / 2);
      CAPTURE(n);
      CAPTURE(self);
      CHECK(r.lambda2 == doctest::Approx(l2).epsilon(1e-10));
      CHECK(r.lambda_n == doctest::Approx(ln).epsilon(1e-10));
    }
  }
}

TEST_CASE("the complete graph with uniform weights has lambda2 = 0: one step reaches consensus") {
  const SpectralReport r = analyze_spectrum(with_rule(complete_graph(7), "uniform"));
  CHECK(std::abs(r.lambda2) < 1e-12);
  CHECK(std::abs(r.lambda_n) < 1e-12);
  CHECK(r.spectral_gap == doctest::Approx(1.0));
}

TEST_CASE("a single agent has nothing to agree on") {
  const SpectralReport r = analyze_spectrum(with_rule(complete_graph(1), "uniform"));
  CHECK(r.spectral_gap == 1.0);
  CHECK(r.consensus_contraction == 0.0);
}

TEST_CASE("Lanczos and dense eigenvalues agree on mid-size random graphs") {
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    Rng rng(seed, 0, RngPurpose::kTopology);
    const Graph g = random_regular_graph(300, 4, rng);
    for (const char* name : {"metropolis_hastings", "max_degree"}) {
      const MixingMatrix w = with_rule(g, name);
      const SpectralReport dense = forced(w, SpectralMethod::kDense);
      const SpectralReport lanczos = forced(w, SpectralMethod::kLanczos);
      CAPTURE(seed);
      CHECK(lanczos.method == "lanczos");
      CHECK(lanczos.converged);
      CHECK(lanczos.lambda2 == doctest::Approx(dense.lambda2).epsilon(1e-9));
      CHECK(lanczos.lambda_n == doctest::Approx(dense.lambda_n).epsilon(1e-9));
    }
  }
}
