#include "analysis/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace cdsim {
namespace {
constexpr double kNotComputed = std::numeric_limits<double>::quiet_NaN();
}  // namespace

MetricsColumns columns_for_mode(const std::string& mode) {
  if (mode == "full") return MetricsColumns{};
  if (mode == "test") return MetricsColumns{.train = false};
  if (mode == "average_model") return MetricsColumns{.train = false, .test = false};
  if (mode == "off") return MetricsColumns{.train = false, .test = false, .average_model = false, .consensus = false};
  throw std::invalid_argument("columns_for_mode: unknown evaluation mode \"" + mode + "\"");
}

std::vector<std::size_t> seeded_subset(std::size_t n, std::size_t count, Rng rng) {
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), std::size_t{0});
  if (count == 0 || count >= n) return all;
  // A partial Fisher-Yates shuffle: the first `count` places get distinct indices.
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t pick = i + static_cast<std::size_t>(rng.uniform_index(n - i));
    std::swap(all[i], all[pick]);
  }
  all.resize(count);
  std::sort(all.begin(), all.end());
  return all;
}

EvaluationPlan make_evaluation_plan(const EvaluationSpec& spec, std::size_t agents, std::uint64_t seed) {
  EvaluationPlan plan;
  plan.columns = columns_for_mode(spec.mode);
  if (spec.agents != 0 && spec.agents < agents) {
    plan.agents = seeded_subset(agents, spec.agents, Rng(seed, 2, RngPurpose::kEvaluation));
  }
  return plan;
}

std::optional<Dataset> sample_for_evaluation(const Dataset& data, const EvaluationSpec& spec, std::uint64_t seed,
                                             std::uint64_t stream) {
  if (spec.samples == 0 || spec.samples >= data.size()) return std::nullopt;
  return select_samples(data, seeded_subset(data.size(), spec.samples, Rng(seed, stream, RngPurpose::kEvaluation)));
}

MetricsRow traffic_row(const StepSnapshot& snapshot, double epochs_per_step) {
  MetricsRow row;
  row.step = snapshot.step;
  row.epoch = static_cast<double>(snapshot.step) * epochs_per_step;
  row.sim_time_s = snapshot.time.seconds();
  row.bytes_total = snapshot.bytes_total.bytes();
  row.messages_total = snapshot.messages_total;
  row.computed = columns_for_mode("off");
  for (double* figure : {&row.train_loss, &row.test_loss, &row.train_accuracy, &row.test_accuracy,
                         &row.average_model_test_loss, &row.average_model_test_accuracy, &row.consensus_distance,
                         &row.client_test_loss, &row.client_test_accuracy, &row.client_consensus_distance}) {
    *figure = kNotComputed;
  }
  return row;
}

std::vector<float> mean_parameters(std::span<const std::vector<float>> parameters) {
  if (parameters.empty()) return {};
  std::vector<double> sum(parameters.front().size(), 0.0);
  for (const std::vector<float>& x : parameters) {
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += x[i];
  }
  std::vector<float> mean(sum.size());
  const double n = static_cast<double>(parameters.size());
  for (std::size_t i = 0; i < sum.size(); ++i) mean[i] = static_cast<float>(sum[i] / n);
  return mean;
}

double consensus_distance(std::span<const std::vector<float>> parameters) {
  if (parameters.empty()) return 0.0;
  const std::size_t dimension = parameters.front().size();
  std::vector<double> mean(dimension, 0.0);
  for (const std::vector<float>& x : parameters) {
    for (std::size_t i = 0; i < dimension; ++i) mean[i] += x[i];
  }
  const double n = static_cast<double>(parameters.size());
  for (double& m : mean) m /= n;
  double total = 0.0;
  for (const std::vector<float>& x : parameters) {
    for (std::size_t i = 0; i < dimension; ++i) {
      const double d = x[i] - mean[i];
      total += d * d;
    }
  }
  return total / n;
}

MetricsEvaluator::MetricsEvaluator(const ModelFactory& make_model, const Dataset& train, const Dataset& test,
                                   double epochs_per_step, WorkerPool& pool, EvaluationPlan plan)
    : pool_(pool),
      train_(train), test_(test), epochs_per_step_(epochs_per_step), plan_(std::move(plan)) {
  const MetricsColumns& columns = plan_.columns;
  const bool needs_models = columns.train || columns.test || columns.average_model;
  const std::size_t model_count = !needs_models ? 0 : (columns.train || columns.test) ? pool_.threads() : 1;
  for (std::size_t t = 0; t < model_count; ++t) models_.push_back(make_model());
}

MetricsRow MetricsEvaluator::evaluate(const StepSnapshot& snapshot, std::vector<AgentMetricsRow>* per_agent) {
  const std::size_t agents = snapshot.parameters.size();
  const MetricsColumns& columns = plan_.columns;
  if (!columns.train && !columns.test && !columns.average_model && !columns.consensus) {
    return traffic_row(snapshot, epochs_per_step_);  // "off": the snapshot need not carry parameters
  }
  std::vector<std::size_t> evaluated = plan_.agents;
  if (evaluated.empty()) {
    evaluated.resize(agents);
    std::iota(evaluated.begin(), evaluated.end(), std::size_t{0});
  }
  if (!evaluated.empty() && evaluated.back() >= agents) {
    throw std::logic_error("MetricsEvaluator: agent " + std::to_string(evaluated.back()) + " evaluated of " +
                           std::to_string(agents));
  }
  const std::size_t count = evaluated.size();
  std::vector<Evaluation> train(count), test(count);
  if (columns.train || columns.test) {
    // Evaluated agent i is done in share i mod T, with that share's own model instance.
    const std::size_t shares = std::min(models_.size(), count);
    pool_.run_all(shares, [&](std::size_t share) {
      for (std::size_t i = share; i < count; i += shares) {
        const std::vector<float>& x = snapshot.parameters[evaluated[i]];
        if (columns.train) train[i] = models_[share]->evaluate(x, train_);
        if (columns.test) test[i] = models_[share]->evaluate(x, test_);
      }
    });
  }

  MetricsRow row = traffic_row(snapshot, epochs_per_step_);
  row.computed = columns;
  const double n = static_cast<double>(count);
  if (columns.train) row.train_loss = row.train_accuracy = 0.0;
  if (columns.test) row.test_loss = row.test_accuracy = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    if (columns.train) {
      row.train_loss += train[i].loss / n;
      row.train_accuracy += train[i].accuracy / n;
    }
    if (columns.test) {
      row.test_loss += test[i].loss / n;
      row.test_accuracy += test[i].accuracy / n;
    }
  }
  const bool needs_mean = columns.average_model || (columns.consensus && per_agent != nullptr);
  const std::vector<float> mean = needs_mean ? mean_parameters(snapshot.parameters) : std::vector<float>();
  if (per_agent != nullptr && columns.agent_rows()) {
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t j = evaluated[i];
      AgentMetricsRow agent_row{snapshot.step, j, kNotComputed, kNotComputed, kNotComputed, kNotComputed,
                                kNotComputed, columns};
      if (columns.train) {
        agent_row.train_loss = train[i].loss;
        agent_row.train_accuracy = train[i].accuracy;
      }
      if (columns.test) {
        agent_row.test_loss = test[i].loss;
        agent_row.test_accuracy = test[i].accuracy;
      }
      if (columns.consensus) {
        double distance = 0.0;
        for (std::size_t k = 0; k < mean.size(); ++k) {
          const double d = static_cast<double>(snapshot.parameters[j][k]) - mean[k];
          distance += d * d;
        }
        agent_row.distance_to_mean = distance;
      }
      per_agent->push_back(agent_row);
    }
  }
  if (columns.average_model) {
    const Evaluation average = models_.front()->evaluate(mean, test_);
    row.average_model_test_loss = average.loss;
    row.average_model_test_accuracy = average.accuracy;
  }
  if (columns.consensus) row.consensus_distance = consensus_distance(snapshot.parameters);
  const std::span<const std::vector<float>> clients = snapshot.client_parameters;
  if (!clients.empty() && columns.test && !models_.empty()) {
    row.client_test_loss = row.client_test_accuracy = 0.0;
    const double m = static_cast<double>(clients.size());
    for (const std::vector<float>& x : clients) {
      const Evaluation evaluation = models_.front()->evaluate(x, test_);
      row.client_test_loss += evaluation.loss / m;
      row.client_test_accuracy += evaluation.accuracy / m;
    }
    row.clients_tested = true;
  }
  if (!clients.empty() && columns.consensus) {
    row.client_consensus_distance = consensus_distance(clients);
    row.clients_distance = true;
  }
  return row;
}

double metric_value(const MetricsRow& row, std::string_view column) {
  const std::pair<std::string_view, double> figures[] = {
      {"step", static_cast<double>(row.step)},
      {"epoch", row.epoch},
      {"sim_time_s", row.sim_time_s},
      {"bytes_total", static_cast<double>(row.bytes_total)},
      {"messages_total", static_cast<double>(row.messages_total)},
      {"train_loss", row.train_loss},
      {"test_loss", row.test_loss},
      {"train_accuracy", row.train_accuracy},
      {"test_accuracy", row.test_accuracy},
      {"average_model_test_loss", row.average_model_test_loss},
      {"average_model_test_accuracy", row.average_model_test_accuracy},
      {"consensus_distance", row.consensus_distance},
      {"client_test_loss", row.client_test_loss},
      {"client_test_accuracy", row.client_test_accuracy},
      {"client_consensus_distance", row.client_consensus_distance}};
  for (const auto& [name, value] : figures) {
    if (name == column) return value;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return "nan";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

std::string metrics_csv_header() {
  return "step,epoch,sim_time_s,bytes_total,messages_total,train_loss,test_loss,train_accuracy,"
         "test_accuracy,average_model_test_loss,average_model_test_accuracy,consensus_distance,"
         "client_test_loss,client_test_accuracy,client_consensus_distance\n";
}

std::string format_cell(double value, bool computed) { return computed ? format_number(value) : std::string(); }

std::string metrics_csv_line(const MetricsRow& row) {
  std::string line = std::to_string(row.step);
  for (const double value : {row.epoch, row.sim_time_s}) line += "," + format_number(value);
  line += "," + std::to_string(row.bytes_total) + "," + std::to_string(row.messages_total);
  const MetricsColumns& c = row.computed;
  line += "," + format_cell(row.train_loss, c.train) + "," + format_cell(row.test_loss, c.test) + "," +
          format_cell(row.train_accuracy, c.train) + "," + format_cell(row.test_accuracy, c.test) + "," +
          format_cell(row.average_model_test_loss, c.average_model) + "," +
          format_cell(row.average_model_test_accuracy, c.average_model) + "," +
          format_cell(row.consensus_distance, c.consensus) + "," +
          format_cell(row.client_test_loss, row.clients_tested) + "," +
          format_cell(row.client_test_accuracy, row.clients_tested) + "," +
          format_cell(row.client_consensus_distance, row.clients_distance);
  return line + "\n";
}

}  // namespace cdsim

namespace cdsim {

std::string agent_metrics_csv_header() {
  return "step,agent,train_loss,test_loss,train_accuracy,test_accuracy,distance_to_mean\n";
}

std::string agent_metrics_csv_line(const AgentMetricsRow& row) {
  const MetricsColumns& c = row.computed;
  return std::to_string(row.step) + "," + std::to_string(row.agent) + "," + format_cell(row.train_loss, c.train) +
         "," + format_cell(row.test_loss, c.test) + "," + format_cell(row.train_accuracy, c.train) + "," +
         format_cell(row.test_accuracy, c.test) + "," + format_cell(row.distance_to_mean, c.consensus) + "\n";
}

}  // namespace cdsim
