// The "what-if" figures of a topology before any training runs: size, degrees, diameter,
// spectrum, traffic per synchronous round and its predicted duration on given links, and
// how many mixing steps it takes to shrink disagreement by a factor. Owns the text table
// behind `cdsim topology --compare` and a JSON-ready list of the same figures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "topologies/graph.h"
#include "topologies/mixing_matrix.h"
#include "topologies/spectral.h"

namespace cdsim {

// Link figures as plain doubles (topologies does not depend on sim).
struct LinkEstimate {
  double latency_s = 0.0;
  double bandwidth_bytes_per_s = 0.0;  // 0 = unlimited
};

struct ReportOptions {
  std::uint64_t model_bytes = 0;             // payload of one parameter message
  std::uint64_t message_overhead_bytes = 0;  // header bytes per message
  LinkEstimate link;
  // true: an agent's messages to its d neighbours leave one after another through one
  // uplink (round time = latency + d_max * message / bandwidth); false: every edge is its
  // own link in each direction (round time = latency + message / bandwidth).
  bool shared_uplink = true;
  double disagreement_factor = 1000.0;   // predict steps to shrink disagreement by this
  std::size_t exact_diameter_limit = 5000;  // above: double-sweep BFS lower bound
  SpectralOptions spectral;
};

struct TopologyReport {
  std::size_t agents = 0;
  std::size_t edges = 0;
  std::size_t min_degree = 0;
  std::size_t max_degree = 0;
  double mean_degree = 0.0;
  double degree_stddev = 0.0;
  std::optional<std::size_t> diameter;  // hops; empty for a disconnected graph
  bool diameter_exact = true;           // false: a lower bound from two BFS sweeps
  SpectralReport spectrum;
  std::uint64_t messages_per_round = 0;  // one per edge direction: 2 * edges
  std::uint64_t bytes_per_message = 0;   // model_bytes + message_overhead_bytes
  std::uint64_t bytes_per_round = 0;
  double round_time_s = 0.0;             // predicted duration of one synchronous exchange
  // How round_time_s was found: "formula" (latency + serialized messages / bandwidth, from
  // ReportOptions::link), "simulated" (one exchange run on a network model by the caller,
  // analysis/topology_whatif.h), or "formula_ignoring_network" (the formula where the
  // caller's network would have needed a simulation too large to run).
  std::string round_time_method = "formula";
  double disagreement_factor = 0.0;
  std::optional<std::uint64_t> steps_to_shrink;  // empty when the contraction is >= 1
  std::optional<double> time_to_shrink_s;        // steps_to_shrink * round_time_s
};

TopologyReport describe_topology(const Graph& graph, const MixingMatrix& matrix, const ReportOptions& options = {});

// ceil(ln(factor) / -ln(contraction)) mixing steps to shrink disagreement by `factor`
// (> 1); 0 when factor <= 1, 1 when the contraction is 0, empty when it is >= 1 (never).
std::optional<std::uint64_t> steps_to_shrink_disagreement(double consensus_contraction, double factor);
// The same from a report, using -ln(contraction) = -log1p(-gap) so that tiny gaps (a
// million-agent ring: ~1e-11) keep their accuracy.
std::optional<std::uint64_t> steps_to_shrink_disagreement(const SpectralReport& spectrum, double factor);

// Hop diameter by BFS from every vertex (O(n (n + m))); empty when disconnected.
std::optional<std::size_t> graph_diameter(const Graph& graph);
// Eccentricity of the far end of a BFS from vertex 0: a lower bound on the diameter, exact
// on trees, rings and many regular families; O(n + m). Empty when disconnected.
std::optional<std::size_t> diameter_lower_bound(const Graph& graph);

struct NamedReport {
  std::string name;
  TopologyReport report;
};

// A fixed-width text table, one row per report, for comparing topologies side by side.
std::string format_report_table(const std::vector<NamedReport>& reports);

// Every figure of a report as (key, value), in a fixed order, ready for a JSON writer:
// monostate is null, the rest map to JSON booleans, integers, numbers and strings.
using ReportValue = std::variant<std::monostate, bool, std::uint64_t, double, std::string>;
struct ReportField {
  std::string key;
  ReportValue value;
};
std::vector<ReportField> report_fields(const TopologyReport& report);

}  // namespace cdsim
