// The mixing matrix Pi of consensus SGD: agent i's new parameters are sum_j Pi[i][j] x_j.
// Sparse compressed rows (memory in proportion to edges), each row in ascending column
// order so every reduction over neighbours runs in one fixed order. Built from a weight
// rule or an explicit matrix and validated: nonnegative, supported on edges and the
// diagonal, rows and columns summing to 1, symmetric unless explicitly opted out.
#pragma once

#include <Eigen/SparseCore>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "topologies/graph.h"
#include "topologies/topology_spec.h"

namespace cdsim {

class MixingMatrix {
 public:
  struct Entry {
    std::size_t column;
    double weight;
  };

  MixingMatrix() = default;
  // Compressed rows: row i is entries[row_offsets[i] .. row_offsets[i+1]). Columns within a
  // row must be strictly ascending and < size (std::invalid_argument otherwise).
  MixingMatrix(std::size_t size, std::vector<std::size_t> row_offsets, std::vector<Entry> entries);

  std::size_t size() const { return row_offsets_.empty() ? 0 : row_offsets_.size() - 1; }
  std::size_t nonzeros() const { return entries_.size(); }

  // Row i in ascending column order, the diagonal included.
  std::span<const Entry> row(std::size_t i) const {
    return {entries_.data() + row_offsets_[i], row_offsets_[i + 1] - row_offsets_[i]};
  }
  // Pi[i][j], 0 where nothing is stored (binary search in row i).
  double weight(std::size_t i, std::size_t j) const;

  // y = Pi x and y = Pi^T x (x and y of length size(), not aliased).
  void multiply(std::span<const double> x, std::span<double> y) const;
  void multiply_transposed(std::span<const double> x, std::span<double> y) const;

  // Largest |Pi[i][j] - Pi[j][i]| over all pairs.
  double asymmetry() const;

  Eigen::SparseMatrix<double, Eigen::RowMajor> to_eigen() const;

 private:
  std::vector<std::size_t> row_offsets_;
  std::vector<MixingMatrix::Entry> entries_;
};

// Rows and columns must sum to 1 within this; symmetry is checked to the same tolerance.
inline constexpr double kStochasticTolerance = 1e-9;

// The rule's weights on `graph` (see MixingSpec), made lazy ((I + W) / 2) if spec.lazy, then
// validated. Rules: uniform (1/N, needs the complete graph), max_degree (1/(d_max + 1)),
// metropolis_hastings (1/(1 + max(d_i, d_j))), ring_preset (self_weight on the diagonal,
// neighbor_weight per neighbour; needs a regular graph with self + d·neighbor = 1) and
// explicit (spec.matrix, or the text file spec.file: one row per line, numbers separated by
// spaces or commas, '#' starts a comment). Throws InvalidInput naming the field relative to
// the mixing section: "/rule", "/self_weight", "/matrix/3", "/matrix/3/5", "/file", ...
MixingMatrix build_mixing_matrix(const Graph& graph, const MixingSpec& spec);

// The mixing rules build_mixing_matrix accepts.
const std::vector<const char*>& mixing_rules();

// Checks every property listed above; errors name the failing row or column and by how
// much it is off. `field` is the pointer for whole-matrix errors; when `index_into_field`
// is set, a bad row i is reported at field + "/i" and a bad entry at field + "/i/j"
// (the layout of MixingSpec::matrix); otherwise all errors point at `field`.
void validate_mixing_matrix(const MixingMatrix& matrix, const Graph& graph, bool allow_asymmetric,
                            const std::string& field, bool index_into_field);

// omega W + (1 - omega) I: omega = 1 is W itself, 0 the identity (no mixing). Adds the
// diagonal entry to rows that lack one. Doubly stochastic in, doubly stochastic out.
MixingMatrix identity_blend(const MixingMatrix& matrix, double omega);
// The lazy variant (I + W) / 2 = identity_blend(W, 0.5).
MixingMatrix lazy(const MixingMatrix& matrix);

}  // namespace cdsim
