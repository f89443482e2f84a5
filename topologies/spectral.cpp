#include "topologies/spectral.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "core/rng.h"

namespace cdsim {
namespace {

using Entry = MixingMatrix::Entry;

// Matrices this far from symmetric are treated as non-symmetric (the W^T W path).
constexpr double kSymmetryTolerance = 1e-12;
// Lanczos keeps its whole basis; cap it at about this many doubles (200 MB).
constexpr double kLanczosBasisDoubles = 2.5e7;

// Fills lambda2, lambda_n and the derived figures from the two eigenvalues. For the
// singular (W^T W) variant the contraction is the square root of lambda2.
SpectralReport finish(double lambda2, double lambda_n, bool singular, std::string method) {
  SpectralReport report;
  report.lambda2 = lambda2;
  report.lambda_n = lambda_n;
  report.consensus_contraction = singular ? std::sqrt(std::max(lambda2, 0.0))
                                          : std::max(std::abs(lambda2), std::abs(lambda_n));
  report.spectral_gap = 1.0 - report.consensus_contraction;
  report.method = singular ? method + "-singular" : std::move(method);
  return report;
}

SpectralReport dense_spectrum(const MixingMatrix& matrix, bool singular) {
  const Eigen::Index n = static_cast<Eigen::Index>(matrix.size());
  Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (const Entry& e : matrix.row(static_cast<std::size_t>(i))) w(i, static_cast<Eigen::Index>(e.column)) = e.weight;
  }
  if (singular) w = (w.transpose() * w).eval();
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(w, Eigen::EigenvaluesOnly);
  const Eigen::VectorXd& values = solver.eigenvalues();  // ascending
  return finish(values(n - 2), values(0), singular, "dense");
}

// a * b mod n for a, b < n without overflow.
std::size_t multiply_mod(std::size_t a, std::size_t b, std::size_t n) {
  if (n <= 0xFFFFFFFFull) return a * b % n;
  std::size_t result = 0;
  for (; b != 0; b >>= 1) {
    if (b & 1) result = (result >= n - a) ? result - (n - a) : result + a;
    a = (a >= n - a) ? a - (n - a) : a + a;
  }
  return result;
}

// Circulant W: row i is row 0 shifted by i. The eigenvalues are
// lambda_k = sum_m c_m exp(2 pi i k m / n); for symmetric c, lambda_k = sum_m c_m cos(2 pi k m / n)
// and, with sum_m c_m = 1, 1 - lambda_k = sum_m c_m 2 sin^2(pi k m / n): computed in that
// form so that a gap of 1e-11 keeps its relative accuracy.
SpectralReport circulant_spectrum(const MixingMatrix& matrix, bool singular) {
  const std::size_t n = matrix.size();
  const std::span<const Entry> first = matrix.row(0);
  const double pi = std::numbers::pi;
  double min_distance = 2.0;     // min over k != 0 of 1 - lambda_k
  double max_distance = 0.0;     // max over k of 1 - lambda_k
  double max_modulus_sq = 0.0;   // singular: max over k != 0 of |lambda_k|^2
  double min_modulus_sq = 1.0;   // singular: min over k of |lambda_k|^2
  for (std::size_t k = 0; k < n; ++k) {
    if (!singular) {
      double distance = 0.0;
      for (const Entry& e : first) {
        const std::size_t m = multiply_mod(k, e.column, n);
        const double s = std::sin(pi * static_cast<double>(m) / static_cast<double>(n));
        distance += e.weight * 2.0 * s * s;
      }
      if (k != 0) min_distance = std::min(min_distance, distance);
      max_distance = std::max(max_distance, distance);
    } else {
      double re = 0.0;
      double im = 0.0;
      for (const Entry& e : first) {
        const std::size_t m = multiply_mod(k, e.column, n);
        const double angle = 2.0 * pi * static_cast<double>(m) / static_cast<double>(n);
        re += e.weight * std::cos(angle);
        im += e.weight * std::sin(angle);
      }
      const double modulus_sq = re * re + im * im;
      if (k != 0) max_modulus_sq = std::max(max_modulus_sq, modulus_sq);
      min_modulus_sq = std::min(min_modulus_sq, modulus_sq);
    }
  }
  if (singular) return finish(max_modulus_sq, min_modulus_sq, true, "circulant");
  SpectralReport report = finish(1.0 - min_distance, 1.0 - max_distance, false, "circulant");
  // Keep the gap in its accurate form: 1 - lambda2 = min_distance, 1 + lambda_n = 2 - max_distance.
  report.spectral_gap = std::min(min_distance, 2.0 - max_distance);
  report.consensus_contraction = 1.0 - report.spectral_gap;
  return report;
}

// Lanczos with full reorthogonalization on the complement of the all-ones vector (W is
// doubly stochastic, so all-ones is its eigenvector for 1 and the complement is invariant).
// Extreme Ritz values approximate lambda2 and lambda_n; restarts from the sum of the two
// extreme Ritz vectors when the basis is full before both have converged.
SpectralReport lanczos_spectrum(const MixingMatrix& matrix, bool singular, const SpectralOptions& options) {
  const std::size_t n = matrix.size();
  const Eigen::Index size = static_cast<Eigen::Index>(n);
  const std::size_t memory_cap = std::max<std::size_t>(30, static_cast<std::size_t>(kLanczosBasisDoubles / n));
  const std::size_t m = std::min({options.max_krylov_dimension, n - 1, memory_cap});

  Eigen::VectorXd scratch(size);
  const auto apply = [&](const Eigen::VectorXd& x, Eigen::VectorXd& y) {
    matrix.multiply({x.data(), n}, {y.data(), n});
    if (singular) {
      scratch = y;
      matrix.multiply_transposed({scratch.data(), n}, {y.data(), n});
    }
    y.array() -= y.mean();
  };

  Rng rng(0, 0, RngPurpose::kTopology);
  Eigen::VectorXd start(size);
  for (Eigen::Index i = 0; i < size; ++i) start(i) = rng.normal();
  start.array() -= start.mean();
  start.normalize();

  SpectralReport report;
  Eigen::MatrixXd basis(size, static_cast<Eigen::Index>(m + 1));
  Eigen::VectorXd w(size);
  double top = 0.0;
  double bottom = 0.0;
  double residual = 0.0;
  std::size_t products = 0;
  for (std::size_t restart = 0; restart <= options.max_restarts; ++restart) {
    basis.col(0) = start;
    std::vector<double> alpha;
    std::vector<double> beta;
    Eigen::Index steps = 0;
    bool done = false;
    Eigen::VectorXd top_vector;
    Eigen::VectorXd bottom_vector;
    for (std::size_t j = 0; j < m; ++j) {
      const Eigen::Index jj = static_cast<Eigen::Index>(j);
      apply(basis.col(jj), w);
      ++products;
      alpha.push_back(basis.col(jj).dot(w));
      // Full reorthogonalization (twice is enough, Parlett's "twice is enough").
      for (int pass = 0; pass < 2; ++pass) {
        const Eigen::VectorXd coefficients = basis.leftCols(jj + 1).transpose() * w;
        w.noalias() -= basis.leftCols(jj + 1) * coefficients;
      }
      w.array() -= w.mean();
      const double b = w.norm();
      beta.push_back(b);
      steps = jj + 1;
      const bool invariant = b <= 1e-13;
      const bool check = invariant || j + 1 == m || (j + 1) % 10 == 0;
      if (check) {
        Eigen::MatrixXd t = Eigen::MatrixXd::Zero(steps, steps);
        for (Eigen::Index i = 0; i < steps; ++i) {
          t(i, i) = alpha[static_cast<std::size_t>(i)];
          if (i + 1 < steps) t(i, i + 1) = t(i + 1, i) = beta[static_cast<std::size_t>(i)];
        }
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ritz(t);
        bottom = ritz.eigenvalues()(0);
        top = ritz.eigenvalues()(steps - 1);
        const double r_bottom = std::abs(b * ritz.eigenvectors()(steps - 1, 0));
        const double r_top = std::abs(b * ritz.eigenvectors()(steps - 1, steps - 1));
        residual = std::max(r_bottom, r_top);
        if (invariant || residual <= options.tolerance) {
          done = true;
          residual = invariant ? 0.0 : residual;
          break;
        }
        if (j + 1 == m) {
          top_vector = basis.leftCols(steps) * ritz.eigenvectors().col(steps - 1);
          bottom_vector = basis.leftCols(steps) * ritz.eigenvectors().col(0);
        }
      }
      basis.col(jj + 1) = w / b;
    }
    if (done) {
      report = finish(top, bottom, singular, "lanczos");
      report.converged = true;
      report.residual = residual;
      report.iterations = products;
      return report;
    }
    start = top_vector + bottom_vector;
    start.array() -= start.mean();
    start.normalize();
  }
  report = finish(top, bottom, singular, "lanczos");
  report.converged = false;
  report.residual = residual;
  report.iterations = products;
  return report;
}

}  // namespace

bool is_circulant(const MixingMatrix& matrix) {
  const std::size_t n = matrix.size();
  if (n == 0) return true;
  const std::span<const Entry> first = matrix.row(0);
  for (std::size_t i = 1; i < n; ++i) {
    const std::span<const Entry> r = matrix.row(i);
    if (r.size() != first.size()) return false;
    for (const Entry& e : first) {
      if (matrix.weight(i, (i + e.column) % n) != e.weight) return false;
    }
  }
  return true;
}

SpectralReport analyze_spectrum(const MixingMatrix& matrix, const SpectralOptions& options) {
  const std::size_t n = matrix.size();
  const bool singular = matrix.asymmetry() > kSymmetryTolerance;
  if (n <= 1) {
    SpectralReport report = finish(0.0, 0.0, singular, "dense");
    return report;
  }
  SpectralMethod method = options.method;
  if (method == SpectralMethod::kAuto) {
    if (n <= options.dense_limit) {
      method = SpectralMethod::kDense;
    } else {
      method = is_circulant(matrix) ? SpectralMethod::kCirculant : SpectralMethod::kLanczos;
    }
  }
  switch (method) {
    case SpectralMethod::kDense:
      return dense_spectrum(matrix, singular);
    case SpectralMethod::kCirculant:
      if (!is_circulant(matrix)) throw std::invalid_argument("analyze_spectrum: the matrix is not circulant");
      return circulant_spectrum(matrix, singular);
    case SpectralMethod::kLanczos:
    case SpectralMethod::kAuto:
      break;
  }
  return lanczos_spectrum(matrix, singular, options);
}

}  // namespace cdsim
