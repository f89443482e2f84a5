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

// x + y mod n for x, y < n without overflow.
std::size_t add_mod(std::size_t x, std::size_t y, std::size_t n) { return x >= n - y ? x - (n - y) : x + y; }

// W invariant under the cyclic shifts of Z_rows x Z_cols (vertex i = (i / cols, i % cols)):
// the eigenvectors are the characters, with eigenvalues
// lambda_(a,b) = sum over row-0 entries (dr, dc) of c exp(2 pi i (a dr / rows + b dc / cols)).
// The phase a dr / rows + b dc / cols is tracked exactly as an integer m / n. For symmetric W,
// 1 - lambda = sum c 2 sin^2(pi m / n) (the weights sum to 1): computed in that form so
// that a gap of 1e-11 keeps its relative accuracy.
SpectralReport circulant_spectrum(const MixingMatrix& matrix, CirculantShape shape, bool singular) {
  const std::size_t n = matrix.size();
  const std::span<const Entry> first = matrix.row(0);
  const std::size_t entries = first.size();
  std::vector<std::size_t> step_row(entries);  // phase added per step of a: dr * cols
  std::vector<std::size_t> step_col(entries);  // phase added per step of b: dc * rows
  for (std::size_t e = 0; e < entries; ++e) {
    step_row[e] = (first[e].column / shape.cols) * shape.cols;
    step_col[e] = (first[e].column % shape.cols) * shape.rows;
  }
  const double pi = std::numbers::pi;
  const double n_double = static_cast<double>(n);
  double min_distance = 2.0;     // min over k != 0 of 1 - lambda_k
  double max_distance = 0.0;     // max over k of 1 - lambda_k
  double max_modulus_sq = 0.0;   // singular: max over k != 0 of |lambda_k|^2
  double min_modulus_sq = 1.0;   // singular: min over k of |lambda_k|^2
  std::vector<std::size_t> row_phase(entries, 0);
  std::vector<std::size_t> phase(entries);
  for (std::size_t a = 0; a < shape.rows; ++a) {
    phase = row_phase;
    for (std::size_t b = 0; b < shape.cols; ++b) {
      const bool trivial = a == 0 && b == 0;
      if (!singular) {
        double distance = 0.0;
        for (std::size_t e = 0; e < entries; ++e) {
          const double sine = std::sin(pi * static_cast<double>(phase[e]) / n_double);
          distance += first[e].weight * 2.0 * sine * sine;
        }
        if (!trivial) min_distance = std::min(min_distance, distance);
        max_distance = std::max(max_distance, distance);
      } else {
        double re = 0.0;
        double im = 0.0;
        for (std::size_t e = 0; e < entries; ++e) {
          const double angle = 2.0 * pi * static_cast<double>(phase[e]) / n_double;
          re += first[e].weight * std::cos(angle);
          im += first[e].weight * std::sin(angle);
        }
        const double modulus_sq = re * re + im * im;
        if (!trivial) max_modulus_sq = std::max(max_modulus_sq, modulus_sq);
        min_modulus_sq = std::min(min_modulus_sq, modulus_sq);
      }
      for (std::size_t e = 0; e < entries; ++e) phase[e] = add_mod(phase[e], step_col[e], n);
    }
    for (std::size_t e = 0; e < entries; ++e) row_phase[e] = add_mod(row_phase[e], step_row[e], n);
  }
  if (singular) return finish(max_modulus_sq, min_modulus_sq, true, "circulant");
  SpectralReport report = finish(1.0 - min_distance, 1.0 - max_distance, false, "circulant");
  // Keep the gap in its accurate form: 1 - lambda2 = min_distance, 1 + lambda_n = 2 - max_distance.
  report.spectral_gap = std::min(min_distance, 2.0 - max_distance);
  report.consensus_contraction = 1.0 - report.spectral_gap;
  return report;
}

bool invariant_under_shifts(const MixingMatrix& matrix, CirculantShape shape) {
  const std::span<const Entry> first = matrix.row(0);
  for (std::size_t i = 1; i < matrix.size(); ++i) {
    if (matrix.row(i).size() != first.size()) return false;
    const std::size_t r = i / shape.cols;
    const std::size_t c = i % shape.cols;
    for (const Entry& e : first) {
      const std::size_t j = ((r + e.column / shape.cols) % shape.rows) * shape.cols + (c + e.column % shape.cols) % shape.cols;
      if (matrix.weight(i, j) != e.weight) return false;
    }
  }
  return true;
}

// Thick-restart Lanczos (the symmetric Krylov–Schur method of Wu & Simon 2000, Stewart
// 2001) with full reorthogonalization, on the complement of the all-ones vector: W is
// doubly stochastic, so all-ones is its eigenvector for 1 and the complement is invariant.
// The projected matrix H = V^T A V is accumulated from the Gram–Schmidt coefficients, so
// after a restart (keep the Ritz vectors nearest both ends of the spectrum, plus the
// residual direction) the recurrence simply continues. Extreme Ritz values approximate
// lambda2 and lambda_n; a pair has converged when its residual |beta * s_last| is below
// the tolerance (the eigenvalue error is then at most that, usually its square / gap).
SpectralReport lanczos_spectrum(const MixingMatrix& matrix, bool singular, const SpectralOptions& options) {
  const std::size_t n = matrix.size();
  const Eigen::Index size = static_cast<Eigen::Index>(n);
  const std::size_t memory_cap = std::max<std::size_t>(30, static_cast<std::size_t>(kLanczosBasisDoubles / n));
  const Eigen::Index m = static_cast<Eigen::Index>(std::min({options.max_krylov_dimension, n - 1, memory_cap}));
  const Eigen::Index keep_per_end = std::max<Eigen::Index>(1, m / 4);

  Eigen::VectorXd scratch(size);
  const auto budget_spent = [&](std::size_t matrix_products) {
    return static_cast<double>(matrix_products) * static_cast<double>(n) * static_cast<double>(m) > options.max_work;
  };
  const auto apply = [&](const Eigen::VectorXd& x, Eigen::VectorXd& y) {
    matrix.multiply({x.data(), n}, {y.data(), n});
    if (singular) {
      scratch = y;
      matrix.multiply_transposed({scratch.data(), n}, {y.data(), n});
    }
  };

  Eigen::MatrixXd basis(size, m + 1);
  Eigen::MatrixXd projected = Eigen::MatrixXd::Zero(m + 1, m + 1);
  {
    Rng rng(0, 0, RngPurpose::kTopology);
    Eigen::VectorXd start(size);
    for (Eigen::Index i = 0; i < size; ++i) start(i) = rng.normal();
    start.array() -= start.mean();
    basis.col(0) = start.normalized();
  }
  Eigen::VectorXd w(size);
  Eigen::Index kept = 0;  // columns carried over from the last restart
  SpectralReport report;
  std::size_t products = 0;
  double top = 0.0;
  double bottom = 0.0;
  double residual = 0.0;
  for (std::size_t restart = 0; restart <= options.max_restarts; ++restart) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ritz;
    double beta = 0.0;
    Eigen::Index steps = kept;
    bool out_of_budget = false;
    for (Eigen::Index j = kept; j < m; ++j) {
      apply(basis.col(j), w);
      ++products;
      const double before = w.norm();
      Eigen::VectorXd coefficients = basis.leftCols(j + 1).transpose() * w;
      w.noalias() -= basis.leftCols(j + 1) * coefficients;
      if (w.norm() < 0.7 * before) {  // cancellation: orthogonalize once more (Kahan–Parlett)
        const Eigen::VectorXd correction = basis.leftCols(j + 1).transpose() * w;
        w.noalias() -= basis.leftCols(j + 1) * correction;
        coefficients += correction;
      }
      w.array() -= w.mean();
      projected.col(j).head(j + 1) = coefficients;
      beta = w.norm();
      projected(j + 1, j) = beta;
      steps = j + 1;
      const bool invariant = beta <= 1e-13 * std::max(1.0, before);
      const bool last = budget_spent(products + 1);
      if (invariant || last || j + 1 == m || (j + 1 - kept) % 10 == 0) {
        const Eigen::MatrixXd h = projected.topLeftCorner(steps, steps);
        ritz.compute(0.5 * (h + h.transpose()));
        bottom = ritz.eigenvalues()(0);
        top = ritz.eigenvalues()(steps - 1);
        residual = invariant ? 0.0
                             : beta * std::max(std::abs(ritz.eigenvectors()(steps - 1, 0)),
                                               std::abs(ritz.eigenvectors()(steps - 1, steps - 1)));
        if (invariant || residual <= options.tolerance) {
          report = finish(top, bottom, singular, "lanczos");
          report.residual = residual;
          report.iterations = products;
          return report;
        }
      }
      if (last) {
        out_of_budget = true;
        break;
      }
      basis.col(j + 1) = w / beta;
    }
    if (out_of_budget) break;
    // Restart: keep the Ritz vectors at both ends, then the residual direction.
    const Eigen::Index ends = std::min(keep_per_end, steps / 2);
    Eigen::MatrixXd selection(steps, 2 * ends);
    Eigen::VectorXd values(2 * ends);
    for (Eigen::Index i = 0; i < ends; ++i) {
      selection.col(i) = ritz.eigenvectors().col(i);
      values(i) = ritz.eigenvalues()(i);
      selection.col(ends + i) = ritz.eigenvectors().col(steps - 1 - i);
      values(ends + i) = ritz.eigenvalues()(steps - 1 - i);
    }
    kept = 2 * ends;
    const Eigen::MatrixXd ritz_vectors = basis.leftCols(steps) * selection;
    basis.leftCols(kept) = ritz_vectors;
    basis.col(kept) = basis.col(steps);
    projected.setZero();
    for (Eigen::Index i = 0; i < kept; ++i) {
      projected(i, i) = values(i);
      projected(kept, i) = beta * selection(steps - 1, i);
    }
  }
  report = finish(top, bottom, singular, "lanczos");
  report.converged = false;
  report.residual = residual;
  report.iterations = products;
  return report;
}

}  // namespace

bool is_circulant(const MixingMatrix& matrix) {
  return matrix.size() == 0 || invariant_under_shifts(matrix, {1, matrix.size()});
}

std::optional<CirculantShape> circulant_shape(const MixingMatrix& matrix) {
  const std::size_t n = matrix.size();
  if (n == 0) return std::nullopt;
  if (is_circulant(matrix)) return CirculantShape{1, n};
  for (std::size_t cols = 2; cols <= n / 2; ++cols) {
    if (n % cols == 0 && invariant_under_shifts(matrix, {n / cols, cols})) return CirculantShape{n / cols, cols};
  }
  return std::nullopt;
}

SpectralReport analyze_spectrum(const MixingMatrix& matrix, const SpectralOptions& options) {
  const std::size_t n = matrix.size();
  const bool singular = matrix.asymmetry() > kSymmetryTolerance;
  if (n <= 1) {
    SpectralReport report = finish(0.0, 0.0, singular, "dense");
    return report;
  }
  SpectralMethod method = options.method;
  std::optional<CirculantShape> shape;
  if (method == SpectralMethod::kAuto) {
    if (n <= options.dense_limit) {
      method = SpectralMethod::kDense;
    } else {
      shape = circulant_shape(matrix);
      method = shape ? SpectralMethod::kCirculant : SpectralMethod::kLanczos;
    }
  }
  switch (method) {
    case SpectralMethod::kDense:
      return dense_spectrum(matrix, singular);
    case SpectralMethod::kCirculant:
      if (!shape) shape = circulant_shape(matrix);
      if (!shape) throw std::invalid_argument("analyze_spectrum: the matrix is not circulant, not even on a 2-D torus");
      return circulant_spectrum(matrix, *shape, singular);
    case SpectralMethod::kLanczos:
    case SpectralMethod::kAuto:
      break;
  }
  return lanczos_spectrum(matrix, singular, options);
}

}  // namespace cdsim
