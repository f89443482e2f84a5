#include "topologies/mixing_matrix.h"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>

#include "core/invalid_input.h"
#include "tests/core/temp_dir.h"
#include "tests/topologies/test_helpers.h"
#include "topologies/generators.h"

using namespace cdsim;
using cdsim::testing::error_of;
using cdsim::testing::with_rule;

namespace {

MixingSpec rule(const std::string& name) {
  MixingSpec spec;
  spec.rule = name;
  return spec;
}


// Largest deviation of any row or column sum from 1 (brute force over the dense form).
double stochastic_error(const MixingMatrix& w) {
  const std::size_t n = w.size();
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    double row = 0.0;
    double column = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      row += w.weight(i, j);
      column += w.weight(j, i);
    }
    worst = std::max({worst, std::abs(row - 1.0), std::abs(column - 1.0)});
  }
  return worst;
}

}  // namespace

TEST_CASE("rows are stored in ascending column order and include the diagonal") {
  const MixingMatrix w = build_mixing_matrix(ring_graph(5), rule("metropolis_hastings"));
  REQUIRE(w.size() == 5);
  CHECK(w.nonzeros() == 15);
  const auto row0 = w.row(0);
  REQUIRE(row0.size() == 3);
  CHECK(row0[0].column == 0);
  CHECK(row0[1].column == 1);
  CHECK(row0[2].column == 4);
  const auto row2 = w.row(2);
  CHECK(row2[0].column == 1);
  CHECK(row2[1].column == 2);
  CHECK(row2[2].column == 3);
  CHECK(w.weight(0, 2) == 0.0);
}

TEST_CASE("uniform weights are 1/N everywhere on the complete graph") {
  const MixingMatrix w = build_mixing_matrix(complete_graph(5), rule("uniform"));
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = 0; j < 5; ++j) CHECK(w.weight(i, j) == doctest::Approx(0.2).epsilon(1e-15));
  }
  CHECK(error_of([] { build_mixing_matrix(ring_graph(5), rule("uniform")); }).field() == "/rule");
}

TEST_CASE("the paper's 5-ring preset puts 0.34 on self and 0.33 on each neighbour") {
  const MixingMatrix w = build_mixing_matrix(ring_graph(5), rule("ring_preset"));
  CHECK(w.weight(2, 2) == 0.34);
  CHECK(w.weight(2, 1) == 0.33);
  CHECK(w.weight(2, 3) == 0.33);
  CHECK(w.weight(0, 4) == 0.33);
  CHECK(w.weight(0, 2) == 0.0);
  MixingSpec bad = rule("ring_preset");
  bad.self_weight = 0.3;
  const InvalidInput e = error_of([&] { build_mixing_matrix(ring_graph(5), bad); });
  CHECK(e.field() == "/self_weight");
  CHECK(std::string(e.what()).find("0.96") != std::string::npos);
  CHECK(error_of([] { build_mixing_matrix(star_graph(5), rule("ring_preset")); }).field() == "/rule");
}

TEST_CASE("Metropolis–Hastings weights are 1/(1 + max(d_i, d_j)) with the rest on the diagonal") {
  const Graph star = star_graph(5);  // centre degree 4, leaves degree 1
  const MixingMatrix w = build_mixing_matrix(star, rule("metropolis_hastings"));
  CHECK(w.weight(0, 3) == doctest::Approx(0.2));
  CHECK(w.weight(3, 3) == doctest::Approx(0.8));
  CHECK(w.weight(0, 0) == doctest::Approx(0.2));
}

TEST_CASE("Metropolis–Hastings weights are doubly stochastic and symmetric on random graphs of many sizes") {
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    for (std::size_t n : {2u, 3u, 7u, 20u, 64u}) {
      Rng rng(seed, n, RngPurpose::kTopology);
      const Graph g = erdos_renyi_graph(n, 0.3, rng);  // may be disconnected: the rule does not care
      const MixingMatrix w = build_mixing_matrix(g, rule("metropolis_hastings"));
      CHECK(stochastic_error(w) < 1e-12);
      CHECK(w.asymmetry() == 0.0);
      for (std::size_t i = 0; i < n; ++i) {
        for (const auto& e : w.row(i)) CHECK(e.weight >= 0.0);
      }
    }
  }
}

TEST_CASE("max-degree weights are 1/(d_max + 1) on every edge") {
  const MixingMatrix w = build_mixing_matrix(star_graph(4), rule("max_degree"));
  CHECK(w.weight(0, 1) == doctest::Approx(0.25));
  CHECK(w.weight(1, 1) == doctest::Approx(0.75));
  CHECK(w.weight(0, 0) == doctest::Approx(0.25));
  CHECK(stochastic_error(w) < 1e-12);
}

TEST_CASE("the lazy variant is (I + W) / 2 of any rule") {
  MixingSpec spec = rule("max_degree");
  spec.lazy = true;
  const MixingMatrix w = build_mixing_matrix(star_graph(4), spec);
  CHECK(w.weight(0, 1) == doctest::Approx(0.125));
  CHECK(w.weight(1, 1) == doctest::Approx(0.875));
  CHECK(w.weight(0, 0) == doctest::Approx(0.625));
}

TEST_CASE("an explicit doubly stochastic matrix is accepted and stored sparsely") {
  MixingSpec spec = rule("explicit");
  spec.matrix = {{0.5, 0.5, 0.0}, {0.5, 0.25, 0.25}, {0.0, 0.25, 0.75}};
  const MixingMatrix w = build_mixing_matrix(path_graph(3), spec);
  CHECK(w.nonzeros() == 7);
  CHECK(w.weight(1, 2) == 0.25);
}

TEST_CASE("explicit matrices that are not valid name the row, entry or column and the error") {
  const Graph path = path_graph(3);
  MixingSpec spec = rule("explicit");

  spec.matrix = {{0.5, 0.5, 0.0}, {0.5, 0.22, 0.25}, {0.0, 0.25, 0.75}};
  InvalidInput e = error_of([&] { build_mixing_matrix(path, spec); });
  CHECK(e.field() == "/matrix/1");
  CHECK(std::string(e.what()).find("row 1 sums to 0.97, expected 1 within 1e-9") != std::string::npos);

  spec.matrix = {{0.5, 0.4, 0.1}, {0.4, 0.6, 0.0}, {0.1, 0.0, 0.9}};
  CHECK(error_of([&] { build_mixing_matrix(path, spec); }).field() == "/matrix/0/2");  // not an edge

  spec.matrix = {{1.2, -0.2, 0.0}, {-0.2, 0.6, 0.6}, {0.0, 0.6, 0.4}};
  CHECK(error_of([&] { build_mixing_matrix(path, spec); }).field() == "/matrix/0/1");  // negative

  spec.matrix = {{0.5, 0.5, 0.0}, {0.4, 0.3, 0.3}, {0.0, 0.3, 0.7}};
  e = error_of([&] { build_mixing_matrix(path, spec); });
  CHECK(e.field() == "/matrix/0/1");  // asymmetric
  CHECK(std::string(e.what()).find("symmetric") != std::string::npos);

  spec.matrix = {{0.5, 0.5, 0.0}, {0.5, 0.5, 0.0}};
  CHECK(error_of([&] { build_mixing_matrix(path, spec); }).field() == "/matrix");
  spec.matrix = {{0.5, 0.5, 0.0}, {0.5, 0.5}, {0.0, 0.0, 1.0}};
  CHECK(error_of([&] { build_mixing_matrix(path, spec); }).field() == "/matrix/1");
}

TEST_CASE("an asymmetric doubly stochastic matrix needs the explicit opt-out, and columns are checked") {
  const Graph ring = ring_graph(3);  // triangle
  MixingSpec spec = rule("explicit");
  spec.matrix = {{0.5, 0.5, 0.0}, {0.0, 0.5, 0.5}, {0.5, 0.0, 0.5}};
  CHECK(error_of([&] { build_mixing_matrix(ring, spec); }).field() == "/matrix/0/1");
  spec.allow_asymmetric = true;
  CHECK(build_mixing_matrix(ring, spec).asymmetry() == doctest::Approx(0.5));
  spec.matrix = {{0.5, 0.5, 0.0}, {0.5, 0.5, 0.0}, {0.5, 0.0, 0.5}};  // rows fine, columns not
  const InvalidInput e = error_of([&] { build_mixing_matrix(ring, spec); });
  CHECK(e.field() == "/matrix");
  CHECK(std::string(e.what()).find("column 0 sums to 1.5") != std::string::npos);
}

TEST_CASE("an explicit matrix can come from a text file, and its errors point at the file") {
  const testing::TempDir dir;
  const std::string path = dir.file("matrix.txt");
  {
    std::ofstream out(path);
    out << "# the paper's ring on 3 agents\n0.34, 0.33, 0.33\n0.33 0.34 0.33\n0.33 0.33 0.34\n";
  }
  MixingSpec spec = rule("explicit");
  spec.file = path;
  CHECK(build_mixing_matrix(complete_graph(3), spec).weight(1, 1) == 0.34);
  {
    std::ofstream out(path);
    out << "0.34 0.33 0.33\n0.33 0.34 zero\n0.33 0.33 0.34\n";
  }
  const InvalidInput e = error_of([&] { build_mixing_matrix(complete_graph(3), spec); });
  CHECK(e.field() == "/file");
  CHECK(std::string(e.what()).find("line 2") != std::string::npos);
  spec.file = dir.file("missing.txt");
  CHECK(error_of([&] { build_mixing_matrix(complete_graph(3), spec); }).field() == "/file");
}

TEST_CASE("an unknown mixing rule lists the valid ones") {
  const InvalidInput e = error_of([] { build_mixing_matrix(ring_graph(4), rule("gossip")); });
  CHECK(e.field() == "/rule");
  CHECK(std::string(e.what()).find("metropolis_hastings") != std::string::npos);
}

TEST_CASE("multiplying by W and W^T matches the dense definition") {
  const MixingMatrix w = build_mixing_matrix(star_graph(4), rule("metropolis_hastings"));
  const std::vector<double> x = {1.0, -2.0, 0.5, 3.0};
  std::vector<double> y(4);
  std::vector<double> yt(4);
  w.multiply(x, y);
  w.multiply_transposed(x, yt);
  for (std::size_t i = 0; i < 4; ++i) {
    double expected = 0.0;
    double expected_t = 0.0;
    for (std::size_t j = 0; j < 4; ++j) {
      expected += w.weight(i, j) * x[j];
      expected_t += w.weight(j, i) * x[j];
    }
    CHECK(y[i] == doctest::Approx(expected));
    CHECK(yt[i] == doctest::Approx(expected_t));
  }
  const auto sparse = w.to_eigen();
  CHECK(sparse.nonZeros() == static_cast<long>(w.nonzeros()));
  CHECK(sparse.coeff(0, 2) == doctest::Approx(w.weight(0, 2)));
}

TEST_CASE("blending with the identity adds missing diagonals and keeps rows in column order") {
  // A permutation-like doubly stochastic matrix without diagonal entries: swap 0<->1, 2<->3.
  const MixingMatrix swap(4, {0, 1, 2, 3, 4}, {{1, 1.0}, {0, 1.0}, {3, 1.0}, {2, 1.0}});
  const MixingMatrix blended = identity_blend(swap, 0.25);
  CHECK(blended.nonzeros() == 8);
  CHECK(blended.weight(0, 0) == 0.75);
  CHECK(blended.weight(0, 1) == 0.25);
  CHECK(blended.weight(3, 3) == 0.75);
  CHECK(blended.row(1)[0].column == 0);
  CHECK(blended.row(1)[1].column == 1);
  CHECK(blended.row(0)[0].column == 0);
  const MixingMatrix w = with_rule(ring_graph(5), "ring_preset");
  CHECK(identity_blend(w, 1.0).weight(0, 1) == 0.33);
  CHECK(identity_blend(w, 0.0).weight(0, 1) == 0.0);
  CHECK(identity_blend(w, 0.0).weight(0, 0) == 1.0);
}

TEST_CASE("the compressed-row constructor rejects columns out of order or out of range") {
  CHECK_THROWS_AS(MixingMatrix(2, {0, 2, 3}, {{1, 0.5}, {0, 0.5}, {1, 1.0}}), std::invalid_argument);
  CHECK_THROWS_AS(MixingMatrix(2, {0, 1, 2}, {{0, 1.0}, {2, 1.0}}), std::invalid_argument);
  CHECK_THROWS_AS(MixingMatrix(2, {0, 1}, {{0, 1.0}}), std::invalid_argument);
}
