#include "analysis/metrics.h"

#include <cmath>
#include <cstdio>
#include <algorithm>

namespace cdsim {

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
                                   double epochs_per_step, WorkerPool& pool)
    : pool_(pool), train_(train), test_(test), epochs_per_step_(epochs_per_step) {
  for (std::size_t t = 0; t < pool_.threads(); ++t) models_.push_back(make_model());
}

MetricsRow MetricsEvaluator::evaluate(const StepSnapshot& snapshot, std::vector<AgentMetricsRow>* per_agent) {
  const std::size_t agents = snapshot.parameters.size();
  std::vector<Evaluation> train(agents), test(agents);
  // Agent j is evaluated in share j mod T, with that share's own model instance.
  const std::size_t shares = std::min(models_.size(), agents);
  pool_.run_all(shares, [&](std::size_t share) {
    for (std::size_t j = share; j < agents; j += shares) {
      train[j] = models_[share]->evaluate(snapshot.parameters[j], train_);
      test[j] = models_[share]->evaluate(snapshot.parameters[j], test_);
    }
  });

  MetricsRow row;
  row.step = snapshot.step;
  row.epoch = static_cast<double>(snapshot.step) * epochs_per_step_;
  row.sim_time_s = snapshot.time.seconds();
  row.bytes_total = snapshot.bytes_total.bytes();
  row.messages_total = snapshot.messages_total;
  const double n = static_cast<double>(agents);
  const std::vector<float> mean = mean_parameters(snapshot.parameters);
  for (std::size_t j = 0; j < agents; ++j) {
    row.train_loss += train[j].loss / n;
    row.test_loss += test[j].loss / n;
    row.train_accuracy += train[j].accuracy / n;
    row.test_accuracy += test[j].accuracy / n;
    if (per_agent != nullptr) {
      double distance = 0.0;
      for (std::size_t i = 0; i < mean.size(); ++i) {
        const double d = static_cast<double>(snapshot.parameters[j][i]) - mean[i];
        distance += d * d;
      }
      per_agent->push_back(AgentMetricsRow{snapshot.step, j, train[j].loss, test[j].loss, train[j].accuracy,
                                           test[j].accuracy, distance});
    }
  }
  const Evaluation average = models_.front()->evaluate(mean, test_);
  row.average_model_test_loss = average.loss;
  row.average_model_test_accuracy = average.accuracy;
  row.consensus_distance = consensus_distance(snapshot.parameters);
  return row;
}

std::string format_number(double value) {
  if (!std::isfinite(value)) return "nan";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

std::string metrics_csv_header() {
  return "step,epoch,sim_time_s,bytes_total,messages_total,train_loss,test_loss,train_accuracy,"
         "test_accuracy,average_model_test_loss,average_model_test_accuracy,consensus_distance\n";
}

std::string metrics_csv_line(const MetricsRow& row) {
  std::string line = std::to_string(row.step);
  for (const double value : {row.epoch, row.sim_time_s}) line += "," + format_number(value);
  line += "," + std::to_string(row.bytes_total) + "," + std::to_string(row.messages_total);
  for (const double value : {row.train_loss, row.test_loss, row.train_accuracy, row.test_accuracy,
                             row.average_model_test_loss, row.average_model_test_accuracy,
                             row.consensus_distance}) {
    line += "," + format_number(value);
  }
  return line + "\n";
}

}  // namespace cdsim

namespace cdsim {

std::string agent_metrics_csv_header() {
  return "step,agent,train_loss,test_loss,train_accuracy,test_accuracy,distance_to_mean\n";
}

std::string agent_metrics_csv_line(const AgentMetricsRow& row) {
  std::string line = std::to_string(row.step) + "," + std::to_string(row.agent);
  for (const double value : {row.train_loss, row.test_loss, row.train_accuracy, row.test_accuracy,
                             row.distance_to_mean}) {
    line += "," + format_number(value);
  }
  return line + "\n";
}

}  // namespace cdsim
