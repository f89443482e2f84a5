// Summaries of many runs: runs grouped by configuration (every field they differ in, the
// seed aside), each group's final metrics as mean, standard deviation and a 95% Student-t
// confidence interval over its seeds, and the time to a target (epochs, steps, simulated
// seconds, bytes until a metric first reached it). Definitions in docs/sweeps.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace cdsim::studies {

// metrics.csv as numbers; an empty or "nan" cell is NaN.
struct MetricsTable {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
  // The column's index; throws std::out_of_range naming it when absent.
  std::size_t column(const std::string& name) const;
  bool has(const std::string& name) const;
};
// Throws std::runtime_error naming the file on a missing or malformed table.
MetricsTable read_metrics_csv(const std::filesystem::path& path);

using Configuration = std::vector<std::pair<std::string, std::string>>;  // field path -> value as text

struct RunRecord {
  std::filesystem::path directory;
  std::uint64_t seed = 0;
  Configuration configuration;  // filled by load_runs
  MetricsTable metrics;
};

// Every run under `paths`: a sweep folder contributes its complete runs (index.csv), a run
// directory itself. Configurations are the sweep axes and every other scenario field the
// runs differ in (seed, name and description aside). Throws std::runtime_error naming the
// path when it is neither.
std::vector<RunRecord> load_runs(const std::vector<std::filesystem::path>& paths);

struct Target {
  std::string metric;  // a metrics.csv column
  double value = 0.0;
  bool at_least = true;  // reached when metric >= value (else <=)
};
// "METRIC=VALUE" (at least for accuracies, at most for anything else), "METRIC>=VALUE" or
// "METRIC<=VALUE". Throws std::invalid_argument.
Target parse_target(const std::string& text);

// Mean, sample standard deviation (n - 1) and the half-width of the 95% confidence interval
// of the mean, t(0.975, n - 1) * std / sqrt(n); std and ci95 are NaN for n < 2.
struct Statistic {
  std::size_t n = 0;
  double mean = 0.0;
  double std_dev = 0.0;
  double ci95 = 0.0;
};
Statistic describe(std::span<const double> values);  // NaN values are left out
// The 97.5% quantile of Student's t with `degrees_of_freedom`.
double student_t_975(std::size_t degrees_of_freedom);

struct TargetReach {
  std::size_t reached = 0;  // runs whose metric reached the target at some evaluation
  std::size_t runs = 0;
  // At the first evaluation that reached it, over the runs that did.
  Statistic epochs, steps, sim_time_s, bytes;
};

struct GroupSummary {
  Configuration configuration;
  std::vector<std::uint64_t> seeds;
  std::vector<std::pair<std::string, Statistic>> finals;  // per metric: over the runs' last rows
  std::optional<TargetReach> target;
};

// Groups by the fields in `by` (all configuration fields when empty), in the order the
// groups first appear in `runs`. Throws std::invalid_argument for a field in `by` that no
// run's scenario has, or a target metric that no run records.
std::vector<GroupSummary> summarize(const std::vector<RunRecord>& runs, const std::vector<std::string>& by,
                                    const std::optional<Target>& target);

// The metrics summaries show by default: final accuracies and losses, simulated time, bytes.
std::vector<std::string> default_summary_metrics(const std::vector<GroupSummary>& groups);

// "a,b,,c" -> {"a", "b", "c"}: the comma-separated field lists of --by and --metrics.
std::vector<std::string> split_list(const std::string& text);

enum class SummaryFormat { kTable, kCsv, kJson, kMarkdown };
// `metrics` chooses the columns of table and markdown; csv and json hold every metric.
std::string format_summary(const std::vector<GroupSummary>& groups, SummaryFormat format,
                           const std::vector<std::string>& metrics, const std::optional<Target>& target);

}  // namespace cdsim::studies
