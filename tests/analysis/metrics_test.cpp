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

namespace {

struct EvaluationBench {
  EvaluationBench() {
    DataSpec spec;
    spec.source = "gaussian_mixture";
    spec.classes = 3;
    spec.train_samples = 300;
    spec.test_samples = 120;
    spec.dimension = 4;
    data = load_data(spec, 9);
    model_spec.kind = "softmax_regression";
    for (std::uint64_t j = 0; j < 7; ++j) {
      std::vector<float> x(factory()->parameter_count());
      Rng rng(2, j, RngPurpose::kInitialization);
      factory()->initialize(x, rng);
      parameters.push_back(x);
    }
  }
  std::unique_ptr<Model> factory() const { return make_model(model_spec, data.train); }
  StepSnapshot snapshot() const { return StepSnapshot{4, SimTime::from_ms(3), ByteCount{10}, 2, parameters}; }

  TrainTestData data;
  ModelSpec model_spec;
  std::vector<std::vector<float>> parameters;
};

// The mean loss and accuracy of `x` over the samples `indices`, one sample at a time.
Evaluation one_by_one(Model& model, const std::vector<float>& x, const Dataset& data,
                      const std::vector<std::size_t>& indices) {
  Evaluation total;
  for (std::size_t index : indices) {
    const Evaluation one = model.evaluate(x, select_samples(data, {index}));
    total.loss += one.loss / static_cast<double>(indices.size());
    total.accuracy += one.accuracy / static_cast<double>(indices.size());
  }
  return total;
}

}  // namespace

TEST_CASE("a seeded subset holds distinct ascending indices, is the same for a seed, and is everything for 0") {
  const std::vector<std::size_t> a = seeded_subset(1000, 37, Rng(5, 2, RngPurpose::kEvaluation));
  const std::vector<std::size_t> b = seeded_subset(1000, 37, Rng(5, 2, RngPurpose::kEvaluation));
  const std::vector<std::size_t> other = seeded_subset(1000, 37, Rng(6, 2, RngPurpose::kEvaluation));
  CHECK(a == b);
  CHECK(a != other);
  REQUIRE(a.size() == 37);
  for (std::size_t i = 1; i < a.size(); ++i) CHECK(a[i - 1] < a[i]);
  CHECK(a.back() < 1000);
  CHECK(seeded_subset(5, 0, Rng(1, 0, RngPurpose::kEvaluation)) == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK(seeded_subset(5, 9, Rng(1, 0, RngPurpose::kEvaluation)).size() == 5);
}

TEST_CASE("a sampled evaluation of a subset of agents equals, by brute force, the full evaluation of exactly those") {
  const EvaluationBench bench;
  EvaluationSpec spec{.mode = "full", .samples = 25, .agents = 3};
  const std::uint64_t seed = 11;
  const EvaluationPlan plan = make_evaluation_plan(spec, 7, seed);
  const std::vector<std::size_t> agents = seeded_subset(7, 3, Rng(seed, 2, RngPurpose::kEvaluation));
  CHECK(plan.agents == agents);
  const std::vector<std::size_t> train_indices = seeded_subset(300, 25, Rng(seed, 0, RngPurpose::kEvaluation));
  const std::vector<std::size_t> test_indices = seeded_subset(120, 25, Rng(seed, 1, RngPurpose::kEvaluation));
  const std::optional<Dataset> train = sample_for_evaluation(bench.data.train, spec, seed, 0);
  const std::optional<Dataset> test = sample_for_evaluation(bench.data.test, spec, seed, 1);
  REQUIRE(train.has_value());
  REQUIRE(test.has_value());
  WorkerPool two_threads(2);
  MetricsEvaluator evaluator([&] { return bench.factory(); }, *train, *test, 0.5, two_threads, plan);
  std::vector<AgentMetricsRow> rows;
  const MetricsRow row = evaluator.evaluate(bench.snapshot(), &rows);

  std::unique_ptr<Model> model = bench.factory();
  double train_loss = 0.0, test_accuracy = 0.0;
  REQUIRE(rows.size() == 3);
  for (std::size_t i = 0; i < agents.size(); ++i) {
    const Evaluation on_train = one_by_one(*model, bench.parameters[agents[i]], bench.data.train, train_indices);
    const Evaluation on_test = one_by_one(*model, bench.parameters[agents[i]], bench.data.test, test_indices);
    CHECK(rows[i].agent == agents[i]);
    CHECK(rows[i].train_loss == doctest::Approx(on_train.loss).epsilon(1e-6));
    CHECK(rows[i].test_accuracy == doctest::Approx(on_test.accuracy).epsilon(1e-12));
    train_loss += on_train.loss / 3.0;
    test_accuracy += on_test.accuracy / 3.0;
  }
  CHECK(row.train_loss == doctest::Approx(train_loss).epsilon(1e-6));
  CHECK(row.test_accuracy == doctest::Approx(test_accuracy).epsilon(1e-12));
  // The averaged model and the consensus distance still cover every agent.
  const Evaluation average = one_by_one(*model, mean_parameters(bench.parameters), bench.data.test, test_indices);
  CHECK(row.average_model_test_loss == doctest::Approx(average.loss).epsilon(1e-6));
  CHECK(row.consensus_distance == doctest::Approx(consensus_distance(bench.parameters)));
}

TEST_CASE("each evaluation mode computes its figures and leaves the others' CSV cells empty") {
  const EvaluationBench bench;
  WorkerPool one_thread(1);
  MetricsEvaluator full([&] { return bench.factory(); }, bench.data.train, bench.data.test, 0.5, one_thread);
  const MetricsRow all = full.evaluate(bench.snapshot());
  for (const char* mode : {"full", "test", "average_model", "off"}) {
    CAPTURE(mode);
    const EvaluationPlan plan = make_evaluation_plan(EvaluationSpec{.mode = mode}, 7, 1);
    MetricsEvaluator evaluator([&] { return bench.factory(); }, bench.data.train, bench.data.test, 0.5, one_thread,
                               plan);
    std::vector<AgentMetricsRow> rows;
    const MetricsRow row = evaluator.evaluate(bench.snapshot(), &rows);
    const std::string m = mode;
    const std::string train = m == "full" ? format_number(all.train_loss) : "";
    const std::string test = m == "full" || m == "test" ? format_number(all.test_loss) : "";
    const std::string average = m != "off" ? format_number(all.average_model_test_loss) : "";
    const std::string consensus = m != "off" ? format_number(all.consensus_distance) : "";
    const std::string train_accuracy = m == "full" ? format_number(all.train_accuracy) : "";
    const std::string test_accuracy = m == "full" || m == "test" ? format_number(all.test_accuracy) : "";
    const std::string average_accuracy = m != "off" ? format_number(all.average_model_test_accuracy) : "";
    CHECK(metrics_csv_line(row) == "4,2,0.003,10,2," + train + "," + test + "," + train_accuracy + "," +
                                       test_accuracy + "," + average + "," + average_accuracy + "," + consensus +
                                       ",,,\n");  // no client models: the client columns stay empty
    CHECK(rows.size() == (m == "off" ? 0u : 7u));
  }
}

TEST_CASE("FedAvg's client models give the client columns: their mean test figures and their consensus distance, by brute force") {
  const EvaluationBench bench;
  WorkerPool two_threads(2);
  MetricsEvaluator evaluator([&] { return bench.factory(); }, bench.data.train, bench.data.test, 0.5, two_threads);
  // Agents 0..6 hold the global model's copies; three clients' pre-average models differ.
  const std::vector<std::vector<float>> clients = {bench.parameters[1], bench.parameters[3], bench.parameters[4]};
  StepSnapshot snapshot = bench.snapshot();
  snapshot.client_parameters = clients;
  const MetricsRow row = evaluator.evaluate(snapshot);
  const std::unique_ptr<Model> model = bench.factory();
  double loss = 0.0, accuracy = 0.0;
  for (const auto& x : clients) {
    const Evaluation e = model->evaluate(x, bench.data.test);
    loss += e.loss / 3.0;
    accuracy += e.accuracy / 3.0;
  }
  CHECK(row.client_test_loss == doctest::Approx(loss).epsilon(1e-12));
  CHECK(row.client_test_accuracy == doctest::Approx(accuracy).epsilon(1e-12));
  double distance = 0.0;
  for (std::size_t i = 0; i < clients[0].size(); ++i) {
    const double mean = (double(clients[0][i]) + clients[1][i] + clients[2][i]) / 3.0;
    for (const auto& x : clients) distance += (x[i] - mean) * (x[i] - mean) / 3.0;
  }
  CHECK(row.client_consensus_distance == doctest::Approx(distance).epsilon(1e-9));
  CHECK(metric_value(row, "client_test_accuracy") == row.client_test_accuracy);
  const std::string line = metrics_csv_line(row);
  CHECK(line.find("," + format_number(row.client_test_loss) + "," + format_number(row.client_test_accuracy) + "," +
                  format_number(row.client_consensus_distance) + "\n") != std::string::npos);
}
