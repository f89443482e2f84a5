#include "topologies/topology_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace cdsim {
namespace {

constexpr std::size_t kUnreached = std::numeric_limits<std::size_t>::max();

struct Sweep {
  std::size_t farthest = 0;
  std::size_t eccentricity = 0;
  std::size_t reached = 0;
};

// Breadth-first search from `source`; `distance` and `queue` are scratch of size n.
Sweep bfs(const Graph& graph, std::size_t source, std::vector<std::size_t>& distance, std::vector<std::size_t>& queue) {
  std::fill(distance.begin(), distance.end(), kUnreached);
  queue.clear();
  queue.push_back(source);
  distance[source] = 0;
  for (std::size_t head = 0; head < queue.size(); ++head) {
    const std::size_t v = queue[head];
    for (std::size_t w : graph.neighbors(v)) {
      if (distance[w] == kUnreached) {
        distance[w] = distance[v] + 1;
        queue.push_back(w);
      }
    }
  }
  const std::size_t last = queue.back();
  return {last, distance[last], queue.size()};
}

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

std::string human_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1000.0 && unit + 1 < std::size(units)) {
    value /= 1000.0;
    ++unit;
  }
  return unit == 0 ? std::to_string(bytes) + " B" : format("%.3g ", value) + units[unit];
}

std::string human_seconds(double seconds) {
  if (seconds == 0.0) return "0 s";
  if (seconds < 1e-6) return format("%.3g ns", seconds * 1e9);
  if (seconds < 1e-3) return format("%.3g us", seconds * 1e6);
  if (seconds < 1.0) return format("%.3g ms", seconds * 1e3);
  if (seconds < 3600.0) return format("%.3g s", seconds);
  if (seconds < 86400.0) return format("%.3g h", seconds / 3600.0);
  if (seconds < 3.15576e7) return format("%.3g d", seconds / 86400.0);
  return format("%.3g years", seconds / 3.15576e7);
}

// Eigenvalues near 1 print as "1-<distance>" so that 0.99999999998 does not read as 1.
std::string eigenvalue_text(double value) {
  return value > 0.9999 && value < 1.0 ? format("1-%.4g", 1.0 - value) : format("%.6g", value);
}

std::string count_text(std::uint64_t value) {
  return value < 10000000 ? std::to_string(value) : format("%.3g", static_cast<double>(value));
}

std::optional<std::uint64_t> steps_from_log_rate(double log_rate, double factor) {
  // log_rate = -ln(contraction) >= 0
  if (!(factor > 1.0)) return std::uint64_t{0};
  if (std::isinf(log_rate)) return std::uint64_t{1};
  if (!(log_rate > 0.0)) return std::nullopt;
  return static_cast<std::uint64_t>(std::ceil(std::log(factor) / log_rate));
}

}  // namespace

std::optional<std::uint64_t> steps_to_shrink_disagreement(double consensus_contraction, double factor) {
  return steps_from_log_rate(-std::log(consensus_contraction), factor);
}

std::optional<std::uint64_t> steps_to_shrink_disagreement(const SpectralReport& spectrum, double factor) {
  if (spectrum.consensus_contraction == 0.0) return steps_from_log_rate(-std::log(0.0), factor);
  return steps_from_log_rate(-std::log1p(-spectrum.spectral_gap), factor);
}

std::optional<std::size_t> graph_diameter(const Graph& graph) {
  const std::size_t n = graph.vertex_count();
  std::vector<std::size_t> distance(n);
  std::vector<std::size_t> queue;
  queue.reserve(n);
  std::size_t diameter = 0;
  for (std::size_t v = 0; v < n; ++v) {
    const Sweep sweep = bfs(graph, v, distance, queue);
    if (sweep.reached != n) return std::nullopt;
    diameter = std::max(diameter, sweep.eccentricity);
  }
  return diameter;
}

std::optional<std::size_t> diameter_lower_bound(const Graph& graph) {
  const std::size_t n = graph.vertex_count();
  if (n == 0) return std::size_t{0};
  std::vector<std::size_t> distance(n);
  std::vector<std::size_t> queue;
  queue.reserve(n);
  const Sweep first = bfs(graph, 0, distance, queue);
  if (first.reached != n) return std::nullopt;
  return bfs(graph, first.farthest, distance, queue).eccentricity;
}

TopologyReport describe_topology(const Graph& graph, const MixingMatrix& matrix, const ReportOptions& options) {
  TopologyReport report;
  const std::size_t n = graph.vertex_count();
  report.agents = n;
  report.edges = graph.edge_count();
  if (n > 0) {
    report.min_degree = graph.degree(0);
    double sum = 0.0;
    double sum_sq = 0.0;
    for (std::size_t v = 0; v < n; ++v) {
      const std::size_t d = graph.degree(v);
      report.min_degree = std::min(report.min_degree, d);
      report.max_degree = std::max(report.max_degree, d);
      sum += static_cast<double>(d);
      sum_sq += static_cast<double>(d) * static_cast<double>(d);
    }
    report.mean_degree = sum / static_cast<double>(n);
    report.degree_stddev = std::sqrt(std::max(0.0, sum_sq / static_cast<double>(n) - report.mean_degree * report.mean_degree));
  }
  report.diameter_exact = n <= options.exact_diameter_limit;
  report.diameter = report.diameter_exact ? graph_diameter(graph) : diameter_lower_bound(graph);
  report.spectrum = analyze_spectrum(matrix, options.spectral);

  report.messages_per_round = 2 * static_cast<std::uint64_t>(report.edges);
  report.bytes_per_message = options.model_bytes + options.message_overhead_bytes;
  report.bytes_per_round = report.messages_per_round * report.bytes_per_message;
  const double bandwidth = options.link.bandwidth_bytes_per_s;
  const double serialized_messages = options.shared_uplink ? static_cast<double>(report.max_degree) : 1.0;
  const double transmission_s =
      bandwidth > 0.0 ? serialized_messages * static_cast<double>(report.bytes_per_message) / bandwidth : 0.0;
  report.round_time_s = report.edges == 0 ? 0.0 : options.link.latency_s + transmission_s;

  report.disagreement_factor = options.disagreement_factor;
  report.steps_to_shrink = steps_to_shrink_disagreement(report.spectrum, options.disagreement_factor);
  if (report.steps_to_shrink) report.time_to_shrink_s = static_cast<double>(*report.steps_to_shrink) * report.round_time_s;
  return report;
}

std::string format_report_table(const std::vector<NamedReport>& reports) {
  const double factor = reports.empty() ? 0.0 : reports.front().report.disagreement_factor;
  const std::string shrink = format("%g", factor);
  std::vector<std::vector<std::string>> rows = {{"topology", "agents", "edges", "degree min/mean/max", "diameter",
                                                 "lambda2", "lambda_n", "spectral gap", "method", "bytes/round",
                                                 "round time", "steps to /" + shrink, "time to /" + shrink}};
  for (const NamedReport& named : reports) {
    const TopologyReport& r = named.report;
    const SpectralReport& s = r.spectrum;
    const std::string approximate = s.converged ? "" : "~";
    rows.push_back({
        named.name,
        std::to_string(r.agents),
        std::to_string(r.edges),
        std::to_string(r.min_degree) + "/" + format("%.3g", r.mean_degree) + "/" + std::to_string(r.max_degree),
        r.diameter ? (r.diameter_exact ? "" : ">=") + std::to_string(*r.diameter) : "disconnected",
        approximate + eigenvalue_text(s.lambda2),
        approximate + eigenvalue_text(s.lambda_n),
        approximate + format("%.4g", s.spectral_gap),
        s.method + (s.converged ? "" : " (not converged)"),
        human_bytes(r.bytes_per_round),
        human_seconds(r.round_time_s) + (r.round_time_method == "simulated"                  ? " (sim)"
                                          : r.round_time_method == "formula_ignoring_network" ? " (approx)"
                                                                                               : ""),
        r.steps_to_shrink ? count_text(*r.steps_to_shrink) : "never",
        r.time_to_shrink_s ? human_seconds(*r.time_to_shrink_s) : "never",
    });
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const std::string& cell = rows[r][c];
      const std::string pad(widths[c] - cell.size(), ' ');
      line += (c == 0 ? cell + pad : "  " + pad + cell);  // first column left, the rest right-aligned
    }
    out += line + "\n";
    if (r == 0) {
      std::size_t total = 0;
      for (std::size_t w : widths) total += w + 2;
      out += std::string(total - 2, '-') + "\n";
    }
  }
  return out;
}

std::vector<ReportField> report_fields(const TopologyReport& r) {
  const auto optional_count = [](const auto& value) -> ReportValue {
    if (!value) return std::monostate{};
    return static_cast<std::uint64_t>(*value);
  };
  std::vector<ReportField> fields = {
      {"agents", std::uint64_t{r.agents}},
      {"edges", std::uint64_t{r.edges}},
      {"min_degree", std::uint64_t{r.min_degree}},
      {"max_degree", std::uint64_t{r.max_degree}},
      {"mean_degree", r.mean_degree},
      {"degree_stddev", r.degree_stddev},
      {"diameter", optional_count(r.diameter)},
      {"diameter_exact", r.diameter_exact},
      {"lambda2", r.spectrum.lambda2},
      {"lambda_n", r.spectrum.lambda_n},
      {"spectral_gap", r.spectrum.spectral_gap},
      {"consensus_contraction", r.spectrum.consensus_contraction},
      {"spectral_method", r.spectrum.method},
      {"spectral_converged", r.spectrum.converged},
      {"spectral_residual", r.spectrum.residual},
      {"spectral_matrix_products", std::uint64_t{r.spectrum.iterations}},
      {"messages_per_round", r.messages_per_round},
      {"bytes_per_message", r.bytes_per_message},
      {"bytes_per_round", r.bytes_per_round},
      {"round_time_s", r.round_time_s},
      {"round_time_method", r.round_time_method},
      {"disagreement_factor", r.disagreement_factor},
      {"steps_to_shrink", optional_count(r.steps_to_shrink)},
  };
  fields.push_back({"time_to_shrink_s", r.time_to_shrink_s ? ReportValue{*r.time_to_shrink_s} : ReportValue{}});
  return fields;
}

}  // namespace cdsim
