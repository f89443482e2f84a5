#include "analysis/metrics.h"

#include <doctest/doctest.h>

#include "core/data_loader.h"
#include "core/model.h"
#include "core/rng.h"

using namespace cdsim;

TEST_CASE("consensus distance is the mean squared distance to the agents' mean, by brute force") {
  const std::vector<std::vector<float>> x = {{1.0f, 2.0f}, {3.0f, 2.0f}, {2.0f, 5.0f}};
  // mean = (2, 3); squared distances 1+1, 1+1, 0+4 -> mean 8/3.
  CHECK(consensus_distance(x) == doctest::Approx(8.0 / 3.0));
  const std::vector<float> mean = mean_parameters(x);
  CHECK(mean[0] == doctest::Approx(2.0));
  CHECK(mean[1] == doctest::Approx(3.0));
  const std::vector<std::vector<float>> same = {{4.0f, -1.0f}, {4.0f, -1.0f}};
  CHECK(consensus_distance(same) == 0.0);
}

TEST_CASE("evaluation gives the same figures whatever the thread count") {
  DataSpec spec;
  spec.source = "gaussian_mixture";
  spec.classes = 3;
  spec.train_samples = 600;
  spec.test_samples = 200;
  spec.dimension = 5;
  const TrainTestData data = load_data(spec, 4);
  ModelSpec model_spec;
  model_spec.kind = "softmax_regression";
  auto factory = [&] { return make_model(model_spec, data.train); };
  std::vector<std::vector<float>> parameters;
  for (std::uint64_t j = 0; j < 5; ++j) {
    std::vector<float> x(factory()->parameter_count());
    Rng rng(1, j, RngPurpose::kInitialization);
    factory()->initialize(x, rng);
    parameters.push_back(x);
  }
  const StepSnapshot snapshot{3, SimTime::from_ms(7), ByteCount{100}, 4, parameters};
  std::vector<AgentMetricsRow> one_rows, three_rows;
  WorkerPool one_thread(1), three_threads(3);
  MetricsEvaluator one(factory, data.train, data.test, 0.5, one_thread);
  MetricsEvaluator three(factory, data.train, data.test, 0.5, three_threads);
  const MetricsRow a = one.evaluate(snapshot, &one_rows);
  const MetricsRow b = three.evaluate(snapshot, &three_rows);
  CHECK(metrics_csv_line(a) == metrics_csv_line(b));
  REQUIRE(one_rows.size() == 5);
  REQUIRE(three_rows.size() == 5);
  for (std::size_t j = 0; j < 5; ++j) CHECK(agent_metrics_csv_line(one_rows[j]) == agent_metrics_csv_line(three_rows[j]));
  CHECK(a.epoch == 1.5);
  CHECK(a.sim_time_s == doctest::Approx(0.007));
  // The mean over agents equals the mean of the per-agent rows.
  double mean_test_loss = 0.0;
  for (const auto& row : one_rows) mean_test_loss += row.test_loss / 5.0;
  CHECK(a.test_loss == doctest::Approx(mean_test_loss));
}
