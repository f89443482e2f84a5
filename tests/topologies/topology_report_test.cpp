#include "topologies/topology_report.h"

#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "topologies/generators.h"
#include "tests/topologies/test_helpers.h"

using namespace cdsim;
using cdsim::testing::with_rule;

TEST_CASE("diameters match the definitions of the families") {
  CHECK(graph_diameter(ring_graph(8)) == 4u);
  CHECK(graph_diameter(ring_graph(9)) == 4u);
  CHECK(graph_diameter(path_graph(10)) == 9u);
  CHECK(graph_diameter(grid_graph(3, 4)) == 5u);
  CHECK(graph_diameter(torus_graph(4, 6)) == 5u);
  CHECK(graph_diameter(hypercube_graph(32)) == 5u);
  CHECK(graph_diameter(complete_graph(6)) == 1u);
  CHECK(graph_diameter(star_graph(6)) == 2u);
  CHECK_FALSE(graph_diameter(Graph(3, {{0, 1}})).has_value());
  CHECK_FALSE(diameter_lower_bound(Graph(3, {{0, 1}})).has_value());
}

TEST_CASE("the two-sweep diameter bound is exact on rings and paths and never above the diameter") {
  CHECK(diameter_lower_bound(ring_graph(101)) == 50u);
  CHECK(diameter_lower_bound(path_graph(33)) == 32u);
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    Rng rng(seed, 0, RngPurpose::kTopology);
    const Graph g = barabasi_albert_graph(60, 1, rng);  // a tree
    CHECK(diameter_lower_bound(g) == graph_diameter(g));
    const Graph h = watts_strogatz_graph(60, 2, 0.2, rng);
    if (is_connected(h)) CHECK(*diameter_lower_bound(h) <= *graph_diameter(h));
  }
}

TEST_CASE("degree statistics, traffic and round time follow from the graph and the link figures") {
  const Graph star = star_graph(5);
  ReportOptions options;
  options.model_bytes = 1000;
  options.message_overhead_bytes = 24;
  options.link = {0.01, 1e6};
  const TopologyReport shared = describe_topology(star, with_rule(star, "metropolis_hastings"), options);
  CHECK(shared.agents == 5);
  CHECK(shared.edges == 4);
  CHECK(shared.min_degree == 1);
  CHECK(shared.max_degree == 4);
  CHECK(shared.mean_degree == doctest::Approx(1.6));
  CHECK(shared.degree_stddev == doctest::Approx(1.2));  // degrees 4,1,1,1,1
  CHECK(shared.diameter == 2u);
  CHECK(shared.messages_per_round == 8);
  CHECK(shared.bytes_per_message == 1024);
  CHECK(shared.bytes_per_round == 8 * 1024);
  CHECK(shared.round_time_s == doctest::Approx(0.01 + 4 * 1024 / 1e6));  // the centre sends 4 in a row
  options.shared_uplink = false;
  const TopologyReport dedicated = describe_topology(star, with_rule(star, "metropolis_hastings"), options);
  CHECK(dedicated.round_time_s == doctest::Approx(0.01 + 1024 / 1e6));
}

TEST_CASE("the predicted step count is the first at which the slowest disagreement shrinks by the factor") {
  // The paper's 5-ring; the slowest disagreement mode is the lambda2 eigenvector cos(2 pi i / 5).
  const Graph ring = ring_graph(5);
  MixingSpec spec;
  spec.rule = "ring_preset";
  const MixingMatrix w = build_mixing_matrix(ring, spec);
  ReportOptions options;
  options.disagreement_factor = 1000.0;
  const TopologyReport report = describe_topology(ring, w, options);
  REQUIRE(report.steps_to_shrink.has_value());
  const std::uint64_t steps = *report.steps_to_shrink;
  CHECK(steps == static_cast<std::uint64_t>(std::ceil(std::log(1000.0) / -std::log(0.34 + 0.66 * std::cos(2 * std::numbers::pi / 5)))));
  std::vector<double> x(5);
  std::vector<double> y(5);
  for (std::size_t i = 0; i < 5; ++i) x[i] = std::cos(2 * std::numbers::pi * static_cast<double>(i) / 5);
  const double start = std::abs(x[0]);
  double before_last = 0.0;
  for (std::uint64_t k = 0; k < steps; ++k) {
    if (k + 1 == steps) before_last = std::abs(x[0]) / start;
    w.multiply(x, y);
    x = y;
  }
  CHECK(std::abs(x[0]) / start <= 1e-3);
  CHECK(before_last > 1e-3);
}

TEST_CASE("step predictions handle the extremes: instant, never and nothing to do") {
  CHECK(steps_to_shrink_disagreement(0.0, 1e6) == 1u);
  CHECK_FALSE(steps_to_shrink_disagreement(1.0, 10.0).has_value());
  CHECK(steps_to_shrink_disagreement(0.5, 1.0) == 0u);
  CHECK(steps_to_shrink_disagreement(0.5, 1024.0) == 10u);
  CHECK(steps_to_shrink_disagreement(0.5, 1025.0) == 11u);
  const TopologyReport complete = describe_topology(complete_graph(4), with_rule(complete_graph(4), "uniform"));
  CHECK(complete.steps_to_shrink == 1u);
}

TEST_CASE("the comparison table has a header and one aligned row per topology") {
  ReportOptions options;
  options.model_bytes = 4'000'000;
  options.link = {1e-3, 1.25e9};
  const Graph ring = ring_graph(16);
  const Graph cube = hypercube_graph(16);
  const std::string table = format_report_table({
      {"ring", describe_topology(ring, with_rule(ring, "metropolis_hastings"), options)},
      {"hypercube", describe_topology(cube, with_rule(cube, "metropolis_hastings"), options)},
  });
  std::vector<std::string> lines;
  for (std::size_t start = 0, end; (end = table.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(table.substr(start, end - start));
  }
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].find("spectral gap") != std::string::npos);
  CHECK(lines[0].find("steps to /1000") != std::string::npos);
  CHECK(lines[2].rfind("ring ", 0) == 0);
  CHECK(lines[3].rfind("hypercube", 0) == 0);
  CHECK(lines[2].size() == lines[3].size());
  CHECK(lines[3].find("256 MB") != std::string::npos);  // 32 edges, 64 messages of 4 MB
}

TEST_CASE("report fields list every figure with JSON-ready values") {
  const Graph ring = ring_graph(6);
  const TopologyReport report = describe_topology(ring, with_rule(ring, "metropolis_hastings"));
  const std::vector<ReportField> fields = report_fields(report);
  const auto find = [&](const std::string& key) -> const ReportValue& {
    for (const ReportField& f : fields) {
      if (f.key == key) return f.value;
    }
    FAIL("missing key " << key);
    return fields.front().value;
  };
  CHECK(std::get<std::uint64_t>(find("edges")) == 6);
  CHECK(std::get<double>(find("spectral_gap")) == doctest::Approx(report.spectrum.spectral_gap));
  CHECK(std::get<std::string>(find("spectral_method")) == "dense");
  CHECK(std::get<std::uint64_t>(find("diameter")) == 3);
  CHECK(std::get<bool>(find("diameter_exact")));
}
