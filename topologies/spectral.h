// Spectral analysis of a mixing matrix: for symmetric doubly stochastic W, disagreement
// (x minus its mean) shrinks per step by at most max(|lambda2|, |lambdaN|); the spectral
// gap is 1 minus that. Small matrices are decomposed densely; large ones use an exact
// closed form when W is circulant on a ring or a 2-D torus (rings, ring lattices,
// exponential graphs, tori), and thick-restart Lanczos otherwise.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "topologies/mixing_matrix.h"

namespace cdsim {

struct SpectralReport {
  double lambda2 = 0.0;   // second-largest eigenvalue (the largest is 1, eigenvector all-ones)
  double lambda_n = 0.0;  // smallest eigenvalue
  double spectral_gap = 1.0;           // 1 - max(|lambda2|, |lambda_n|)
  double consensus_contraction = 0.0;  // max(|lambda2|, |lambda_n|): per-step factor on disagreement
  std::string method;                  // "dense", "circulant" or "lanczos"
  bool converged = true;               // false when Lanczos stopped before its tolerance
  double residual = 0.0;               // lanczos: largest Ritz residual bound of the two reported values
  std::size_t iterations = 0;          // lanczos: matrix-vector products used
};

enum class SpectralMethod { kAuto, kDense, kCirculant, kLanczos };

struct SpectralOptions {
  SpectralMethod method = SpectralMethod::kAuto;
  // kAuto: dense up to this size, then the closed form if circulant_shape finds one, else
  // Lanczos.
  std::size_t dense_limit = 1000;
  std::size_t max_krylov_dimension = 40;  // Lanczos basis size (each restart keeps half)
  std::size_t max_restarts = 200;
  // Stop Lanczos (unconverged) once matrix products x N x basis size exceeds this: about
  // 30 s of one core, whatever N (a 1000 x 1000 torus: 500 products, ~30 s, not converged,
  // since its gap of 8e-6 is far below what a Krylov space of that size resolves).
  // Deterministic, unlike a clock.
  double max_work = 1.5e10;
  double tolerance = 1e-10;                // Ritz residual bound for convergence
};

// Eigenvalues of W for a symmetric W. For a non-symmetric (explicitly allowed) doubly
// stochastic W the eigenvalues may be complex and do not bound the contraction; the report
// then describes W^T W: lambda2 and lambda_n are its eigenvalues, and the contraction is
// sqrt(lambda2(W^T W)) = sigma2(W), the true worst-case per-step factor in the 2-norm;
// method gets the suffix "-singular". A 1 x 1 matrix has no disagreement: lambda2 =
// lambda_n = 0, gap 1, contraction 0. Throws std::invalid_argument if a forced method
// does not apply (kCirculant on a non-circulant matrix).
SpectralReport analyze_spectrum(const MixingMatrix& matrix, const SpectralOptions& options = {});

// True when W[i][(i + k) mod n] = W[0][k] for all i, k (detected in O(nonzeros)).
bool is_circulant(const MixingMatrix& matrix);

// A shape rows x cols = n such that W is invariant under the cyclic shifts of a 2-D torus
// whose vertex i sits at (i / cols, i % cols): W[(r, c)][(r + dr, c + dc)] = W[0][(dr, dc)]
// (mod rows, cols). {1, n} for an ordinary circulant (tried first), {R, C} for a torus
// built by torus_graph with a rule that treats all agents alike; empty if none fits.
// O(nonzeros) per candidate divisor; a mismatch usually shows in the first rows.
struct CirculantShape {
  std::size_t rows;
  std::size_t cols;
};
std::optional<CirculantShape> circulant_shape(const MixingMatrix& matrix);

}  // namespace cdsim
