#include "topologies/spectral.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <vector>

#include "topologies/generators.h"
#include "tests/topologies/test_helpers.h"

using namespace cdsim;
using cdsim::testing::with_rule;

namespace {

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
  for (std::uint64_t seed = 0; seed < 2; ++seed) {
    Rng rng(seed, 0, RngPurpose::kTopology);
    const Graph g = random_regular_graph(160, 4, rng);
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

TEST_CASE("hypercube with Metropolis–Hastings weights has eigenvalues (1 + d - 2j)/(d + 1)") {
  for (std::size_t d : {2u, 3u, 5u, 7u}) {
    const SpectralReport r = analyze_spectrum(with_rule(hypercube_graph(std::size_t{1} << d), "metropolis_hastings"));
    const double dd = static_cast<double>(d);
    CAPTURE(d);
    CHECK(r.lambda2 == doctest::Approx((dd - 1) / (dd + 1)).epsilon(1e-10));
    CHECK(r.lambda_n == doctest::Approx((1 - dd) / (dd + 1)).epsilon(1e-10));
  }
}

namespace {

// Torus r x c with weight 1/5 on self and each of the 4 neighbours:
// eigenvalues (1 + 2 cos(2 pi a / r) + 2 cos(2 pi b / c)) / 5.
std::pair<double, double> torus_closed_form(std::size_t rows, std::size_t cols) {
  std::vector<double> values;
  for (std::size_t a = 0; a < rows; ++a) {
    for (std::size_t b = 0; b < cols; ++b) {
      values.push_back((1 + 2 * std::cos(2 * std::numbers::pi * a / rows) + 2 * std::cos(2 * std::numbers::pi * b / cols)) / 5);
    }
  }
  std::sort(values.begin(), values.end());
  return {values[values.size() - 2], values[0]};
}

}  // namespace

TEST_CASE("torus spectra match the 2-D closed form, dense and Lanczos alike") {
  for (auto [rows, cols] : {std::pair<std::size_t, std::size_t>{3, 3}, {4, 6}, {5, 7}, {12, 15}}) {
    const MixingMatrix w = with_rule(torus_graph(rows, cols), "metropolis_hastings");
    const auto [l2, ln] = torus_closed_form(rows, cols);
    CAPTURE(rows);
    CAPTURE(cols);
    const SpectralReport dense = forced(w, SpectralMethod::kDense);
    CHECK(dense.lambda2 == doctest::Approx(l2).epsilon(1e-10));
    CHECK(dense.lambda_n == doctest::Approx(ln).epsilon(1e-10));
    const SpectralReport lanczos = forced(w, SpectralMethod::kLanczos);
    CHECK(lanczos.converged);
    CHECK(lanczos.lambda2 == doctest::Approx(l2).epsilon(1e-8));
    CHECK(lanczos.lambda_n == doctest::Approx(ln).epsilon(1e-8));
  }
}

TEST_CASE("circulant matrices are detected and their closed form matches dense") {
  CHECK(is_circulant(with_rule(ring_graph(9), "metropolis_hastings")));
  CHECK(is_circulant(with_rule(exponential_graph(24), "metropolis_hastings")));
  CHECK_FALSE(is_circulant(with_rule(path_graph(9), "metropolis_hastings")));
  CHECK_FALSE(is_circulant(with_rule(torus_graph(3, 4), "metropolis_hastings")));
  for (const Graph& g : {ring_graph(50), ring_lattice_graph(61, 4), exponential_graph(64), exponential_graph(100)}) {
    for (const char* name : {"metropolis_hastings", "max_degree"}) {
      const MixingMatrix w = with_rule(g, name);
      const SpectralReport dense = forced(w, SpectralMethod::kDense);
      const SpectralReport circulant = forced(w, SpectralMethod::kCirculant);
      CHECK(circulant.method == "circulant");
      CHECK(circulant.lambda2 == doctest::Approx(dense.lambda2).epsilon(1e-12));
      CHECK(circulant.lambda_n == doctest::Approx(dense.lambda_n).epsilon(1e-12));
      CHECK(circulant.spectral_gap == doctest::Approx(dense.spectral_gap).epsilon(1e-9));
    }
  }
  CHECK_THROWS_AS(forced(with_rule(path_graph(5), "metropolis_hastings"), SpectralMethod::kCirculant),
                  std::invalid_argument);
}

TEST_CASE("a large ring takes the circulant path and keeps its tiny gap accurate") {
  const std::size_t n = 30000;
  const SpectralReport r = analyze_spectrum(with_rule(ring_graph(n), "ring_preset"));
  CHECK(r.method == "circulant");
  // 1 - lambda2 = 0.66 (1 - cos(2 pi / n)) = 1.32 sin^2(pi / n): relative accuracy, not absolute.
  const double s = std::sin(std::numbers::pi / n);
  CHECK(r.spectral_gap == doctest::Approx(1.32 * s * s).epsilon(1e-9));
  CHECK(r.consensus_contraction == doctest::Approx(1 - 1.32 * s * s).epsilon(1e-15));
}

TEST_CASE("the predicted contraction is the rate at which repeated mixing shrinks disagreement") {
  // Power iteration by hand on x - mean(x): the disagreement ratio per step tends to
  // max(|lambda2|, |lambda_n|) (the independent check of the eigen-solvers).
  Rng rng(4, 0, RngPurpose::kTopology);
  const Graph g = random_regular_graph(40, 3, rng);
  const MixingMatrix w = with_rule(g, "metropolis_hastings");
  const SpectralReport r = analyze_spectrum(w);
  std::vector<double> x(40);
  std::vector<double> y(40);
  for (double& v : x) v = rng.normal();
  const auto disagreement = [](std::vector<double>& v) {
    double mean = 0.0;
    for (double e : v) mean += e / static_cast<double>(v.size());
    double norm = 0.0;
    for (double& e : v) norm += (e - mean) * (e - mean);
    return std::sqrt(norm);
  };
  double ratio = 0.0;
  for (int step = 0; step < 400; ++step) {
    const double before = disagreement(x);
    w.multiply(x, y);
    const double after = disagreement(y);
    ratio = after / before;
    for (std::size_t i = 0; i < 40; ++i) x[i] = y[i] / after;  // renormalize
  }
  CHECK(ratio == doctest::Approx(r.consensus_contraction).epsilon(1e-4));
}

TEST_CASE("an asymmetric doubly stochastic matrix is analysed through its singular values") {
  // Directed 4-cycle mixing: W = (I + P) / 2 with P the cyclic shift. W is normal with
  // eigenvalues (1 + exp(2 pi i k / 4)) / 2, so sigma2 = |1 + i| / 2 = 1/sqrt(2).
  MixingSpec spec;
  spec.rule = "explicit";
  spec.allow_asymmetric = true;
  spec.matrix = {{0.5, 0.5, 0, 0}, {0, 0.5, 0.5, 0}, {0, 0, 0.5, 0.5}, {0.5, 0, 0, 0.5}};
  const MixingMatrix w = build_mixing_matrix(ring_graph(4), spec);
  for (SpectralMethod method : {SpectralMethod::kDense, SpectralMethod::kCirculant, SpectralMethod::kLanczos}) {
    const SpectralReport r = forced(w, method);
    CAPTURE(r.method);
    CHECK(r.method.ends_with("-singular"));
    CHECK(r.lambda2 == doctest::Approx(0.5));
    CHECK(r.lambda_n == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(r.consensus_contraction == doctest::Approx(std::sqrt(0.5)));
  }
}

TEST_CASE("restarted Lanczos resolves the clustered spectrum of a long path, or says it did not") {
  const MixingMatrix w = with_rule(path_graph(200), "metropolis_hastings");
  const SpectralReport dense = forced(w, SpectralMethod::kDense);
  const SpectralReport lanczos = forced(w, SpectralMethod::kLanczos);
  CHECK(lanczos.converged);
  CHECK(lanczos.iterations > 40);  // needed restarts
  CHECK(lanczos.lambda2 == doctest::Approx(dense.lambda2).epsilon(1e-10));
  CHECK(lanczos.spectral_gap == doctest::Approx(dense.spectral_gap).epsilon(1e-4));

  SpectralOptions hurried;
  hurried.method = SpectralMethod::kLanczos;
  hurried.max_krylov_dimension = 10;
  hurried.max_restarts = 0;
  const SpectralReport early = analyze_spectrum(w, hurried);
  CHECK_FALSE(early.converged);
  CHECK(early.residual > hurried.tolerance);
  CHECK(early.iterations == 10);
  CHECK(early.lambda2 <= dense.lambda2 + 1e-12);  // Ritz values lie inside the spectrum

  SpectralOptions budget;
  budget.method = SpectralMethod::kLanczos;
  budget.max_work = 25.0 * 200 * 40;  // 25 products of a 200-vector with a basis of 40
  const SpectralReport cut = analyze_spectrum(w, budget);
  CHECK_FALSE(cut.converged);
  CHECK(cut.iterations == 25);
  CHECK(cut.lambda2 > 0.9);  // the last Ritz estimate, not a placeholder
}

TEST_CASE("a torus is recognized as circulant on Z_R x Z_C and its closed form matches the 2-D formula") {
  const MixingMatrix small = with_rule(torus_graph(4, 6), "metropolis_hastings");
  const std::optional<CirculantShape> shape = circulant_shape(small);
  REQUIRE(shape.has_value());
  CHECK(shape->rows * shape->cols == 24);
  CHECK(shape->rows > 1);
  for (auto [rows, cols] : {std::pair<std::size_t, std::size_t>{3, 3}, {4, 6}, {5, 7}, {12, 15}}) {
    const auto [l2, ln] = torus_closed_form(rows, cols);
    const SpectralReport r = forced(with_rule(torus_graph(rows, cols), "metropolis_hastings"), SpectralMethod::kCirculant);
    CAPTURE(rows);
    CAPTURE(cols);
    CHECK(r.method == "circulant");
    CHECK(r.lambda2 == doctest::Approx(l2).epsilon(1e-12));
    CHECK(r.lambda_n == doctest::Approx(ln).epsilon(1e-12));
  }
  CHECK_FALSE(circulant_shape(with_rule(grid_graph(4, 6), "metropolis_hastings")).has_value());
  CHECK_FALSE(circulant_shape(with_rule(path_graph(12), "metropolis_hastings")).has_value());
  CHECK(circulant_shape(with_rule(ring_graph(12), "metropolis_hastings"))->rows == 1);
}

TEST_CASE("a large torus takes the closed form with its small gap accurate to the last digits") {
  const std::size_t rows = 150;
  const std::size_t cols = 200;
  const SpectralReport r = analyze_spectrum(with_rule(torus_graph(rows, cols), "metropolis_hastings"));
  CHECK(r.method == "circulant");
  // 1 - lambda_(a,b) = (4/5) (sin^2(pi a / rows) + sin^2(pi b / cols)); the smallest nonzero
  // is at (0, 1), the largest at (rows/2, cols/2) where lambda = -3/5.
  const double s = std::sin(std::numbers::pi / cols);
  CHECK(r.spectral_gap == doctest::Approx(0.8 * s * s).epsilon(1e-12));
  CHECK(r.lambda_n == doctest::Approx(-0.6).epsilon(1e-12));
}
