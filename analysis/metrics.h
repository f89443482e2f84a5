// The figures a run reports at each observed step, as the paper measured them: the mean
// over agents of each agent's loss and accuracy on the full train and test sets (inference
// mode), the averaged model's test figures, the agents' disagreement, and the traffic and
// simulated time so far. run.evaluation narrows this down (fewer figures, a seeded sample
// of each set, a seeded subset of the agents); figures not computed are NaN in a row and
// empty cells in the CSV.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"

#include "core/dataset.h"
#include "core/model.h"
#include "core/worker_pool.h"
#include "sim/protocols/run_spec.h"
#include "sim/protocols/step_observer.h"

namespace cdsim {

// Which groups of figures an evaluation computes.
struct MetricsColumns {
  bool train = true;          // train_loss, train_accuracy (each evaluated agent, train set)
  bool test = true;           // test_loss, test_accuracy (each evaluated agent, test set)
  bool average_model = true;  // average_model_test_* (the agents' mean, test set)
  bool consensus = true;      // consensus_distance (over all agents)
  bool agent_rows() const { return train || test || consensus; }  // agents.csv has rows
};

// The figures of an evaluation mode ("full", "test", "average_model", "off").
MetricsColumns columns_for_mode(const std::string& mode);

struct MetricsRow {
  std::int64_t step = 0;
  double epoch = 0.0;                 // step / steps per epoch
  double sim_time_s = 0.0;
  std::int64_t bytes_total = 0;
  std::uint64_t messages_total = 0;
  double train_loss = 0.0;            // mean over agents
  double test_loss = 0.0;             // mean over agents
  double train_accuracy = 0.0;        // mean over agents; NaN for regression
  double test_accuracy = 0.0;         // mean over agents; NaN for regression
  double average_model_test_loss = 0.0;      // the model at the agents' mean parameters
  double average_model_test_accuracy = 0.0;
  double consensus_distance = 0.0;    // (1/N) sum_j ||x_j - mean x||^2
  // FedAvg: the round's clients' local models before averaging (StepSnapshot::
  // client_parameters): their mean test loss and accuracy, and (1/m) sum_j ||x_j - mean||^2.
  // NaN, and empty cells, where there are none (other protocols, step 0).
  double client_test_loss = 0.0;
  double client_test_accuracy = 0.0;
  double client_consensus_distance = 0.0;
  MetricsColumns computed;            // the others are NaN
  bool clients_tested = false;        // client_test_* computed
  bool clients_distance = false;      // client_consensus_distance computed
};

// A row with the step, epoch, time and traffic of `snapshot` and no figures computed.
MetricsRow traffic_row(const StepSnapshot& snapshot, double epochs_per_step);

// One agent's figures at an observed step (agents.csv); those its row's MetricsColumns do
// not compute are NaN and written as empty cells.
struct AgentMetricsRow {
  std::int64_t step = 0;
  std::size_t agent = 0;
  double train_loss = 0.0;
  double test_loss = 0.0;
  double train_accuracy = 0.0;  // NaN for regression
  double test_accuracy = 0.0;
  double distance_to_mean = 0.0;  // ||x_j - x_bar||^2
  MetricsColumns computed;
};

// The figure of `row` named as its metrics.csv column ("test_accuracy", "bytes_total", ...);
// NaN for a name that is not a column.
double metric_value(const MetricsRow& row, std::string_view column);

// (1/N) sum_j ||x_j - x_bar||^2, accumulated in double in agent order.
double consensus_distance(std::span<const std::vector<float>> parameters);

// The agents' mean parameter vector, accumulated in double in agent order.
std::vector<float> mean_parameters(std::span<const std::vector<float>> parameters);

// `count` of the indices 0 .. n - 1, drawn without replacement from `rng`, ascending; all
// of them when count is 0 or >= n.
std::vector<std::size_t> seeded_subset(std::size_t n, std::size_t count, Rng rng);

// What run.evaluation asks for, made concrete for one run: the figures, the agents
// evaluated (seeded stream 2 of RngPurpose::kEvaluation) and, through sample_for_evaluation,
// the samples (streams 0 and 1 for the train and test sets).
struct EvaluationPlan {
  MetricsColumns columns;
  std::vector<std::size_t> agents;  // evaluated agents, ascending; empty: every agent
};
EvaluationPlan make_evaluation_plan(const EvaluationSpec& spec, std::size_t agents, std::uint64_t seed);
// The evaluated part of a set: `spec.samples` of its samples drawn without replacement
// (stream 0 is the train set's draw, 1 the test set's), or nullopt when the whole set is
// evaluated (samples 0 or at least the set's size).
std::optional<Dataset> sample_for_evaluation(const Dataset& data, const EvaluationSpec& spec, std::uint64_t seed,
                                             std::uint64_t stream);

// Evaluates the plan's agents (every agent by default) on `train` and `test`. Agents are
// spread over the pool's threads, each share with its own model instance; the figures are
// combined in agent order, so they are the same whatever the thread count.
class MetricsEvaluator {
 public:
  using ModelFactory = std::function<std::unique_ptr<Model>()>;
  // `train`, `test` and `pool` must outlive the evaluator.
  MetricsEvaluator(const ModelFactory& make_model, const Dataset& train, const Dataset& test,
                   double epochs_per_step, WorkerPool& pool, EvaluationPlan plan = {});
  // Appends one row per evaluated agent to `per_agent` when it is given (none when the
  // plan's columns give agents.csv no figures).
  MetricsRow evaluate(const StepSnapshot& snapshot, std::vector<AgentMetricsRow>* per_agent = nullptr);

 private:
  WorkerPool& pool_;
  std::vector<std::unique_ptr<Model>> models_;  // one per share of the agents, as many as threads
  const Dataset& train_;
  const Dataset& test_;
  double epochs_per_step_;
  EvaluationPlan plan_;
};

// metrics.csv: a header line and one line a row, numbers in a fixed, locale-free format.
std::string metrics_csv_header();
std::string metrics_csv_line(const MetricsRow& row);
// agents.csv: the same for per-agent rows.
std::string agent_metrics_csv_header();
std::string agent_metrics_csv_line(const AgentMetricsRow& row);

// "%.9g" for finite values, "nan" otherwise: stable text for byte-identical reruns.
std::string format_number(double value);
// format_number(value), or an empty cell for a figure that was not computed.
std::string format_cell(double value, bool computed);

}  // namespace cdsim
