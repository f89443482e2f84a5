#include "analysis/metrics.h"

#include <cmath>
#include <cstdio>

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

MetricsEvaluator::MetricsEvaluator(std::unique_ptr<Model> model, const Dataset& train,
                                   const Dataset& test, double epochs_per_step)
    : model_(std::move(model)), train_(train), test_(test), epochs_per_step_(epochs_per_step) {}

MetricsRow MetricsEvaluator::evaluate(const StepSnapshot& snapshot) {
  MetricsRow row;
  row.step = snapshot.step;
  row.epoch = static_cast<double>(snapshot.step) * epochs_per_step_;
  row.sim_time_s = snapshot.time.seconds();
  row.bytes_total = snapshot.bytes_total.bytes();
  row.messages_total = snapshot.messages_total;
  const double n = static_cast<double>(snapshot.parameters.size());
  for (const std::vector<float>& x : snapshot.parameters) {
    const Evaluation train = model_->evaluate(x, train_);
    const Evaluation test = model_->evaluate(x, test_);
    row.train_loss += train.loss / n;
    row.test_loss += test.loss / n;
    row.train_accuracy += train.accuracy / n;
    row.test_accuracy += test.accuracy / n;
  }
  const Evaluation average = model_->evaluate(mean_parameters(snapshot.parameters), test_);
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
