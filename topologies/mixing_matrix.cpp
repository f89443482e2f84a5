#include "topologies/mixing_matrix.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "core/input_file.h"
#include "core/invalid_input.h"

namespace cdsim {
namespace {

using Entry = MixingMatrix::Entry;

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.12g", value);
  return buffer;
}

// Builds a matrix row by row: `row_weights(i, out)` appends row i's entries in ascending
// column order.
template <typename RowFn>
MixingMatrix assemble(std::size_t n, RowFn row_weights) {
  std::vector<std::size_t> offsets(1, 0);
  offsets.reserve(n + 1);
  std::vector<Entry> entries;
  for (std::size_t i = 0; i < n; ++i) {
    row_weights(i, entries);
    offsets.push_back(entries.size());
  }
  return MixingMatrix(n, std::move(offsets), std::move(entries));
}

// Row i with `neighbor_weight(i, j)` on each neighbour j and, on the diagonal, `self_weight`
// if given, else the remainder 1 - sum of the neighbour weights.
template <typename WeightFn>
MixingMatrix neighbor_rule(const Graph& graph, WeightFn neighbor_weight, std::optional<double> self_weight = {}) {
  return assemble(graph.vertex_count(), [&](std::size_t i, std::vector<Entry>& out) {
    const std::size_t diagonal_at = out.size();
    double remainder = 1.0;
    bool diagonal_placed = false;
    for (std::size_t j : graph.neighbors(i)) {
      if (!diagonal_placed && j > i) {
        out.push_back({i, 0.0});
        diagonal_placed = true;
      }
      const double w = neighbor_weight(i, j);
      remainder -= w;
      out.push_back({j, w});
    }
    if (!diagonal_placed) out.push_back({i, 0.0});
    for (std::size_t k = diagonal_at; k < out.size(); ++k) {
      if (out[k].column == i) out[k].weight = self_weight.value_or(remainder);
    }
  });
}

std::size_t max_degree(const Graph& graph) {
  std::size_t d = 0;
  for (std::size_t v = 0; v < graph.vertex_count(); ++v) d = std::max(d, graph.degree(v));
  return d;
}

MixingMatrix ring_preset(const Graph& graph, const MixingSpec& spec) {
  const std::size_t n = graph.vertex_count();
  const std::size_t d = n ? graph.degree(0) : 0;
  for (std::size_t v = 1; v < n; ++v) {
    if (graph.degree(v) != d) {
      throw InvalidInput("/rule", "ring_preset needs every agent to have the same number of neighbours; agent 0 has " +
                                      std::to_string(d) + ", agent " + std::to_string(v) + " has " +
                                      std::to_string(graph.degree(v)));
    }
  }
  if (!(spec.self_weight >= 0.0)) {
    throw InvalidInput("/self_weight", "self_weight is " + number(spec.self_weight) + ", expected >= 0");
  }
  if (!(spec.neighbor_weight >= 0.0)) {
    throw InvalidInput("/neighbor_weight", "neighbor_weight is " + number(spec.neighbor_weight) + ", expected >= 0");
  }
  const double total = spec.self_weight + static_cast<double>(d) * spec.neighbor_weight;
  if (std::abs(total - 1.0) > kStochasticTolerance) {
    throw InvalidInput("/self_weight", "self_weight + " + std::to_string(d) + " x neighbor_weight = " + number(total) +
                                           ", expected 1 within 1e-9 (off by " + number(total - 1.0) + ")");
  }
  const double w = spec.neighbor_weight;
  return neighbor_rule(graph, [w](std::size_t, std::size_t) { return w; }, spec.self_weight);
}

// Dense rows (from the scenario or a file) to sparse: keeps the diagonal and every nonzero.
// Checks the shape here; the weights are checked by validate_mixing_matrix.
MixingMatrix from_dense_rows(const std::vector<std::vector<double>>& rows, std::size_t n, const std::string& field,
                             bool index_into_field, const std::string& source) {
  if (rows.size() != n) {
    throw InvalidInput(field, source + " has " + std::to_string(rows.size()) + " rows, expected " + std::to_string(n) +
                                  " (one per agent)");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (rows[i].size() != n) {
      throw InvalidInput(index_into_field ? field + "/" + std::to_string(i) : field,
                         "row " + std::to_string(i) + " of " + source + " has " + std::to_string(rows[i].size()) +
                             " entries, expected " + std::to_string(n) + " (one per agent)");
    }
  }
  return assemble(n, [&](std::size_t i, std::vector<Entry>& out) {
    for (std::size_t j = 0; j < n; ++j) {
      if (rows[i][j] != 0.0 || i == j) out.push_back({j, rows[i][j]});
    }
  });
}

std::vector<std::vector<double>> read_matrix_file(const std::string& path) {
  require_input_file(path, "/file", "mixing matrix file", std::uintmax_t{256} << 20);
  std::ifstream in(path);
  if (!in) throw InvalidInput("/file", "cannot open mixing matrix file '" + path + "'");
  std::vector<std::vector<double>> rows;
  std::string line;
  std::size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    line = line.substr(0, line.find('#'));
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream fields(line);
    std::vector<double> row;
    std::string token;
    while (fields >> token) {
      std::size_t used = 0;
      double value = 0.0;
      try {
        value = std::stod(token, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != token.size()) {
        throw InvalidInput("/file", "line " + std::to_string(line_number) + " of '" + path + "': '" + token +
                                        "' is not a number");
      }
      row.push_back(value);
    }
    if (!row.empty()) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

MixingMatrix::MixingMatrix(std::size_t size, std::vector<std::size_t> row_offsets, std::vector<Entry> entries)
    : row_offsets_(std::move(row_offsets)), entries_(std::move(entries)) {
  if (row_offsets_.size() != size + 1 || row_offsets_.front() != 0 || row_offsets_.back() != entries_.size()) {
    throw std::invalid_argument("MixingMatrix: row offsets do not match the size and entry count");
  }
  for (std::size_t i = 0; i < size; ++i) {
    if (row_offsets_[i] > row_offsets_[i + 1]) throw std::invalid_argument("MixingMatrix: row offsets decrease");
    for (std::size_t k = row_offsets_[i]; k < row_offsets_[i + 1]; ++k) {
      if (entries_[k].column >= size || (k > row_offsets_[i] && entries_[k].column <= entries_[k - 1].column)) {
        throw std::invalid_argument("MixingMatrix: row " + std::to_string(i) +
                                    " has columns out of range or not strictly ascending");
      }
    }
  }
}

double MixingMatrix::weight(std::size_t i, std::size_t j) const {
  const std::span<const Entry> r = row(i);
  const auto it = std::lower_bound(r.begin(), r.end(), j, [](const Entry& e, std::size_t c) { return e.column < c; });
  return (it != r.end() && it->column == j) ? it->weight : 0.0;
}

void MixingMatrix::multiply(std::span<const double> x, std::span<double> y) const {
  for (std::size_t i = 0; i < size(); ++i) {
    double sum = 0.0;
    for (const Entry& e : row(i)) sum += e.weight * x[e.column];
    y[i] = sum;
  }
}

void MixingMatrix::multiply_transposed(std::span<const double> x, std::span<double> y) const {
  std::fill(y.begin(), y.end(), 0.0);
  for (std::size_t i = 0; i < size(); ++i) {
    for (const Entry& e : row(i)) y[e.column] += e.weight * x[i];
  }
}

double MixingMatrix::asymmetry() const {
  double worst = 0.0;
  for (std::size_t i = 0; i < size(); ++i) {
    for (const Entry& e : row(i)) worst = std::max(worst, std::abs(e.weight - weight(e.column, i)));
  }
  return worst;
}

Eigen::SparseMatrix<double, Eigen::RowMajor> MixingMatrix::to_eigen() const {
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(entries_.size());
  for (std::size_t i = 0; i < size(); ++i) {
    for (const Entry& e : row(i)) {
      triplets.emplace_back(static_cast<int>(i), static_cast<int>(e.column), e.weight);
    }
  }
  Eigen::SparseMatrix<double, Eigen::RowMajor> out(static_cast<Eigen::Index>(size()),
                                                   static_cast<Eigen::Index>(size()));
  out.setFromTriplets(triplets.begin(), triplets.end());
  return out;
}

const std::vector<const char*>& mixing_rules() {
  static const std::vector<const char*> rules = {"metropolis_hastings", "uniform", "max_degree", "ring_preset",
                                                 "explicit"};
  return rules;
}

void validate_mixing_matrix(const MixingMatrix& matrix, const Graph& graph, bool allow_asymmetric,
                            const std::string& field, bool index_into_field) {
  const std::size_t n = graph.vertex_count();
  const auto row_field = [&](std::size_t i) { return index_into_field ? field + "/" + std::to_string(i) : field; };
  const auto cell_field = [&](std::size_t i, std::size_t j) {
    return index_into_field ? field + "/" + std::to_string(i) + "/" + std::to_string(j) : field;
  };
  if (matrix.size() != n) {
    throw InvalidInput(field, "the mixing matrix is " + std::to_string(matrix.size()) + " x " +
                                  std::to_string(matrix.size()) + ", expected " + std::to_string(n) + " x " +
                                  std::to_string(n) + " (one row per agent)");
  }
  std::vector<double> column_sums(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    double row_sum = 0.0;
    for (const Entry& e : matrix.row(i)) {
      const std::size_t j = e.column;
      const std::string where = "entry (" + std::to_string(i) + ", " + std::to_string(j) + ")";
      if (!std::isfinite(e.weight) || e.weight < 0.0) {
        throw InvalidInput(cell_field(i, j), where + " is " + number(e.weight) + ", expected a finite weight >= 0");
      }
      if (j != i && e.weight != 0.0 && !graph.has_edge(i, j)) {
        throw InvalidInput(cell_field(i, j), where + " is " + number(e.weight) + " but agents " + std::to_string(i) +
                                                 " and " + std::to_string(j) +
                                                 " are not neighbours; expected 0 off the graph's edges");
      }
      if (!allow_asymmetric) {
        const double mirror = matrix.weight(j, i);
        if (std::abs(e.weight - mirror) > kStochasticTolerance) {
          throw InvalidInput(cell_field(i, j), where + " is " + number(e.weight) + " but entry (" + std::to_string(j) +
                                                   ", " + std::to_string(i) + ") is " + number(mirror) +
                                                   "; expected a symmetric matrix (or allow_asymmetric)");
        }
      }
      row_sum += e.weight;
      column_sums[j] += e.weight;
    }
    if (std::abs(row_sum - 1.0) > kStochasticTolerance) {
      throw InvalidInput(row_field(i), "row " + std::to_string(i) + " sums to " + number(row_sum) +
                                           ", expected 1 within 1e-9 (off by " + number(row_sum - 1.0) + ")");
    }
  }
  for (std::size_t j = 0; j < n; ++j) {
    if (std::abs(column_sums[j] - 1.0) > kStochasticTolerance) {
      throw InvalidInput(field, "column " + std::to_string(j) + " sums to " + number(column_sums[j]) +
                                    ", expected 1 within 1e-9 (off by " + number(column_sums[j] - 1.0) + ")");
    }
  }
}

MixingMatrix identity_blend(const MixingMatrix& matrix, double omega) {
  return assemble(matrix.size(), [&](std::size_t i, std::vector<Entry>& out) {
    bool diagonal_placed = false;
    for (const Entry& e : matrix.row(i)) {
      if (!diagonal_placed && e.column > i) {
        out.push_back({i, 1.0 - omega});
        diagonal_placed = true;
      }
      const bool diagonal = e.column == i;
      diagonal_placed = diagonal_placed || diagonal;
      out.push_back({e.column, omega * e.weight + (diagonal ? 1.0 - omega : 0.0)});
    }
    if (!diagonal_placed) out.push_back({i, 1.0 - omega});
  });
}

MixingMatrix lazy(const MixingMatrix& matrix) { return identity_blend(matrix, 0.5); }

MixingMatrix build_mixing_matrix(const Graph& graph, const MixingSpec& spec) {
  const std::size_t n = graph.vertex_count();
  const std::string& rule = spec.rule;
  MixingMatrix matrix;
  std::string field = "/rule";
  bool index_into_field = false;
  if (rule == "uniform") {
    if (graph.edge_count() != n * (n - (n > 0)) / 2) {
      throw InvalidInput("/rule", "uniform weights 1/N need the complete graph; this graph has " +
                                      std::to_string(graph.edge_count()) + " of the " +
                                      std::to_string(n * (n - (n > 0)) / 2) +
                                      " possible edges (use metropolis_hastings or max_degree)");
    }
    const double w = 1.0 / static_cast<double>(n);
    matrix = assemble(n, [&](std::size_t, std::vector<Entry>& out) {
      for (std::size_t j = 0; j < n; ++j) out.push_back({j, w});
    });
  } else if (rule == "max_degree") {
    const double w = 1.0 / static_cast<double>(max_degree(graph) + 1);
    matrix = neighbor_rule(graph, [w](std::size_t, std::size_t) { return w; });
  } else if (rule == "metropolis_hastings") {
    matrix = neighbor_rule(graph, [&graph](std::size_t i, std::size_t j) {
      return 1.0 / static_cast<double>(1 + std::max(graph.degree(i), graph.degree(j)));
    });
  } else if (rule == "ring_preset") {
    matrix = ring_preset(graph, spec);
  } else if (rule == "explicit") {
    if (!spec.matrix.empty() && !spec.file.empty()) {
      throw InvalidInput("/file", "both matrix and file are given; expected exactly one of them");
    }
    if (spec.matrix.empty() && spec.file.empty()) {
      throw InvalidInput("/matrix", "the explicit rule needs a matrix (or a file holding one); none was given");
    }
    if (!spec.matrix.empty()) {
      field = "/matrix";
      index_into_field = true;
      matrix = from_dense_rows(spec.matrix, n, field, true, "the matrix");
    } else {
      field = "/file";
      matrix = from_dense_rows(read_matrix_file(spec.file), n, field, false, "'" + spec.file + "'");
    }
  } else {
    std::string valid;
    for (const char* r : mixing_rules()) valid += (valid.empty() ? "" : ", ") + std::string(r);
    throw InvalidInput("/rule", "unknown mixing rule '" + rule + "'; expected one of: " + valid);
  }
  validate_mixing_matrix(matrix, graph, spec.allow_asymmetric && rule == "explicit", field, index_into_field);
  return spec.lazy ? lazy(matrix) : matrix;
}

}  // namespace cdsim
