// The figures a run reports at each observed step, as the paper measured them: the mean
// over agents of each agent's loss and accuracy on the full train and test sets (inference
// mode), the averaged model's test figures, the agents' disagreement, and the traffic and
// simulated time so far.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/model.h"
#include "core/worker_pool.h"
#include "sim/protocols/step_observer.h"

namespace cdsim {

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
};

// One agent's figures at an observed step (agents.csv).
struct AgentMetricsRow {
  std::int64_t step = 0;
  std::size_t agent = 0;
  double train_loss = 0.0;
  double test_loss = 0.0;
  double train_accuracy = 0.0;  // NaN for regression
  double test_accuracy = 0.0;
  double distance_to_mean = 0.0;  // ||x_j - x_bar||^2
};

// (1/N) sum_j ||x_j - x_bar||^2, accumulated in double in agent order.
double consensus_distance(std::span<const std::vector<float>> parameters);

// The agents' mean parameter vector, accumulated in double in agent order.
std::vector<float> mean_parameters(std::span<const std::vector<float>> parameters);

// Evaluates every agent on the full train and test sets. Agents are spread over the pool's
// threads, each share with its own model instance; the figures are combined in agent
// order, so they are the same whatever the thread count.
class MetricsEvaluator {
 public:
  using ModelFactory = std::function<std::unique_ptr<Model>()>;
  // `train`, `test` and `pool` must outlive the evaluator.
  MetricsEvaluator(const ModelFactory& make_model, const Dataset& train, const Dataset& test,
                   double epochs_per_step, WorkerPool& pool);
  // Appends one row per agent to `per_agent` when it is given.
  MetricsRow evaluate(const StepSnapshot& snapshot, std::vector<AgentMetricsRow>* per_agent = nullptr);

 private:
  WorkerPool& pool_;
  std::vector<std::unique_ptr<Model>> models_;  // one per share of the agents, as many as threads
  const Dataset& train_;
  const Dataset& test_;
  double epochs_per_step_;
};

// metrics.csv: a header line and one line a row, numbers in a fixed, locale-free format.
std::string metrics_csv_header();
std::string metrics_csv_line(const MetricsRow& row);
// agents.csv: the same for per-agent rows.
std::string agent_metrics_csv_header();
std::string agent_metrics_csv_line(const AgentMetricsRow& row);

// "%.9g" for finite values, "nan" otherwise: stable text for byte-identical reruns.
std::string format_number(double value);

}  // namespace cdsim
