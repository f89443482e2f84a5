#include "scenarios/scenario_cost.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "core/dataset.h"
#include "core/invalid_input.h"
#include "core/model.h"
#include "scenarios/scenario_limits.h"
#include "sim/number_format.h"
#include "sim/protocols/compute_model.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/wire_size.h"
#include "topologies/generators.h"

namespace cdsim {
namespace {

constexpr const char* kForceHint = "; pass --force to run it anyway";

std::string gib(double bytes) { return format_double(std::round(bytes / (1024.0 * 1024 * 1024) * 10) / 10) + " GiB"; }

std::string scientific(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  return buffer;
}

// A data-free stand-in with the data's shape: enough for make_model to size the model.
Dataset shape_only(const DataShape& shape) {
  Dataset data;
  data.name = "the data";
  data.features.resize(0, static_cast<Eigen::Index>(shape.dimension));
  data.num_classes = shape.num_classes;
  data.sample_shape = shape.sample_shape;
  return data;
}

// Parameters of a dense network, in floating point so that no product can overflow.
double dense_parameters(const ModelSpec& model, const DataShape& data) {
  std::vector<double> sizes = {static_cast<double>(data.dimension)};
  if (model.kind == "mlp") {
    for (std::size_t width : model.hidden) sizes.push_back(static_cast<double>(width));
  } else if (model.kind == "paper_fcn") {
    sizes.insert(sizes.end(), 20, 50.0);
  }
  sizes.push_back(std::max(1, data.num_classes));
  double parameters = 0;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) parameters += sizes[l] * sizes[l + 1] + sizes[l + 1];
  return parameters;
}

// Floats of activations and their gradients one sample needs while training.
double activation_floats_per_sample(const ModelSpec& model, const DataShape& data) {
  if (model.kind == "paper_cnn") {
    // Two 32-channel maps at full size, two 64-channel maps at half size, pooling, dense 512.
    const double pixels = data.dimension / static_cast<double>(std::max(1, data.sample_shape.empty() ? 1 : data.sample_shape[0]));
    return 2.0 * (64 * pixels + 128 * pixels / 4 + 16 * pixels + 512);
  }
  double floats = static_cast<double>(data.dimension) + std::max(1, data.num_classes);
  for (std::size_t width : model.hidden) floats += static_cast<double>(width);
  if (model.kind == "paper_fcn") floats += 20 * 50;
  return 2.0 * floats;
}

struct Blame {
  std::string field;
  double seconds = 0;
};

}  // namespace

DataShape probe_scenario_data(const Scenario& scenario) {
  if (is_replay(scenario.model)) {
    // No data: each agent stands for one batch a step (see ReplayLearner).
    DataShape shape;
    shape.train_samples = scenario.agents * scenario.algorithm.batch_size;
    return shape;
  }
  try {
    return probe_data(scenario.data);
  } catch (const InvalidInput& error) {
    throw error.within("/data");
  }
}

ScenarioCost check_scenario_cost(const Scenario& scenario, const DataShape& data, bool force) {
  ScenarioCost cost;
  const double agents = static_cast<double>(scenario.agents);
  const AlgorithmSpec& algorithm = scenario.algorithm;

  const bool replay = is_replay(scenario.model);
  // The model: sized without allocating anything that grows with it. A replay has none:
  // only its messages are sized, for model.parameters values.
  if (!replay && scenario.model.kind != "paper_cnn" && scenario.model.kind != "linear_regression") {
    const double parameters = dense_parameters(scenario.model, data);
    if (parameters > static_cast<double>(limits::kMaxParameters) && !force) {
      throw InvalidInput("/model/hidden", "the model would have " + scientific(parameters) +
                                              " parameters; expected at most 2^31 (2147483648)" + kForceHint);
    }
    if (parameters > 1e18) throw InvalidInput("/model/hidden", "the model would have " + scientific(parameters) + " parameters");
  }
  if (replay) {
    cost.parameters = scenario.model.parameters;
  } else {
    const std::unique_ptr<Model> model = [&] {
      try {
        return make_model(scenario.model, shape_only(data));
      } catch (const InvalidInput& error) {
        throw error.within("/model");
      }
    }();
    cost.parameters = model->parameter_count();
    cost.flops_per_sample = model->flops_per_sample();
  }
  const double parameters = static_cast<double>(cost.parameters);

  // Steps: as run_scenario counts them.
  cost.epochs_per_step = epochs_per_step(algorithm, data.train_samples, scenario.agents);
  const double steps_per_epoch = 1.0 / cost.epochs_per_step;
  if (scenario.run.steps > 0) {
    cost.total_steps = scenario.run.steps;
  } else {
    const double steps = std::max(1.0, std::ceil(scenario.run.epochs * steps_per_epoch - 1e-9));
    if (!(steps <= static_cast<double>(limits::kMaxSteps))) {
      throw InvalidInput("/run/epochs", format_double(scenario.run.epochs) + " epochs are " + scientific(steps) +
                                            " steps; expected at most " + std::to_string(limits::kMaxSteps) +
                                            " steps");
    }
    cost.total_steps = static_cast<std::int64_t>(steps);
  }
  const double steps = static_cast<double>(cost.total_steps);
  cost.observe_every = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(std::min(steps_per_epoch, 1e18) - 1e-9)));
  if (scenario.run.eval_every_steps > 0) {
    cost.observe_every = scenario.run.eval_every_steps;
  } else if (scenario.run.eval_every_time > SimTime::zero()) {
    cost.observe_every = cost.total_steps;
  }

  // Traffic per step.
  cost.edges = expected_edge_count(scenario.topology, scenario.agents);
  const double message_bytes = static_cast<double>(
      parameter_message_size(AgentId{0}, AgentId{1}, 0, PayloadKind::kParameters, cost.parameters).bytes());
  const bool consensus = is_consensus_algorithm(algorithm);
  const bool fedavg = algorithm.kind == "fedavg";
  const bool all_reduce = !consensus && !fedavg && algorithm.communication == "all_reduce";
  const double clients = fedavg ? std::max(1.0, std::round(algorithm.client_fraction * agents)) : agents;
  double messages_per_step = 2 * agents;  // parameter server: gradients up, parameters down
  if (consensus) messages_per_step = 2 * cost.edges * static_cast<double>(algorithm.consensus_steps);
  if (all_reduce) messages_per_step = 2 * agents * (agents - 1);
  if (fedavg) messages_per_step = 2 * clients;
  cost.messages = steps * messages_per_step;

  // Gradient work: samples per step times FLOPs per sample, and the evaluations (a forward
  // pass, about a third of a training step, over both sets for every agent).
  const double shard = static_cast<double>(data.train_samples) / agents;
  const double local_steps =
      fedavg ? std::max(1.0, std::ceil(algorithm.local_epochs * shard / static_cast<double>(algorithm.batch_size)))
             : 1.0;
  const double batch = static_cast<double>(algorithm.batch_size);
  const double samples_per_step = (fedavg ? clients * local_steps : agents) * batch;
  const EvaluationSpec& evaluation = scenario.run.evaluation;
  const bool evaluates = !replay && evaluation.mode != "off";
  const double evaluations = evaluates ? steps / static_cast<double>(cost.observe_every) + 2 : 0;
  const double evaluated_agents = evaluation.agents > 0 ? static_cast<double>(evaluation.agents) : agents;
  const auto sampled = [&](std::size_t size) {
    return static_cast<double>(evaluation.samples > 0 ? std::min(size, evaluation.samples) : size);
  };
  const double evaluated_per_agent =
      (evaluation.mode == "full" ? sampled(data.train_samples) : 0) +
      (evaluation.mode == "full" || evaluation.mode == "test" ? sampled(data.test_samples) : 0);
  const double evaluated_samples = static_cast<double>(data.train_samples + data.test_samples);
  cost.gradient_flops =
      cost.flops_per_sample *
      (steps * samples_per_step + evaluations * (evaluated_agents * evaluated_per_agent + sampled(data.test_samples)) / 3);

  // Memory: every agent's parameters with its optimizer state and in-flight snapshots (4
  // copies), its activations for one batch, the data, the graph, and the per-agent rows of
  // every evaluation and of the label histograms.
  const double classes = std::max(1, data.num_classes);
  const double model_bytes_per_agent =
      replay ? 0 : 4 * 4 * parameters + 4 * batch * activation_floats_per_sample(scenario.model, data);
  cost.memory_bytes = agents * (model_bytes_per_agent + 512 + 64 * classes) +
                      4.0 * evaluated_samples * static_cast<double>(data.dimension) + 128 * cost.edges +
                      160 * evaluations * evaluated_agents;

  // Simulated time: the slowest agent's step (and straggling), plus the step's message
  // rounds, each a latency and a transmission (shared links serialize), times the steps.
  double slowest = 1.0;
  if (scenario.compute.speed_spread > 0) {
    for (std::size_t j = 0; j < scenario.agents; ++j) {
      slowest = std::min(slowest, ComputeModel::draw_speed_multiplier(scenario.compute, scenario.seed, j));
    }
  }
  const ComputeSpec& compute = scenario.compute;
  double step_seconds = compute.flops_per_second > 0 ? cost.flops_per_sample * batch / compute.flops_per_second
                                                     : compute.step_time.seconds();
  step_seconds /= slowest;
  if (compute.straggler_probability > 0) step_seconds *= compute.straggler_slowdown;
  step_seconds *= local_steps;
  // A message on shared links crosses at least two (host links or NICs) and shares them.
  const bool shared_links = scenario.network.model != "point_to_point";
  double rounds = consensus ? static_cast<double>(algorithm.consensus_steps) : 2;
  double round_bytes = message_bytes;
  if (all_reduce) {
    rounds = 2 * (agents - 1);
    round_bytes = message_bytes / agents + 64;
  }
  const double fan_out = shared_links ? (consensus ? std::max(1.0, 2 * cost.edges / agents) : agents) : 1.0;
  const double latency_seconds = rounds * (shared_links ? 2 : 1) * scenario.network.latency.seconds();
  const double transfer_seconds = rounds * fan_out * round_bytes / scenario.network.bandwidth.bytes_per_second();
  cost.simulated_seconds = steps * (step_seconds + latency_seconds + transfer_seconds);
  if (!(cost.simulated_seconds <= limits::kMaxSimulatedSeconds)) {
    // Blame the largest part of a step; if one step fits, the number of steps.
    Blame parts[] = {{compute.flops_per_second > 0 ? "/compute/flops_per_second" : "/compute/step_time", step_seconds},
                     {"/network/latency", latency_seconds},
                     {"/network/bandwidth", transfer_seconds}};
    Blame worst = *std::max_element(std::begin(parts), std::end(parts),
                                    [](const Blame& a, const Blame& b) { return !(a.seconds >= b.seconds); });
    if (!std::isfinite(step_seconds) && compute.straggler_probability > 0 && compute.straggler_slowdown > 1 &&
        std::isfinite(step_seconds / compute.straggler_slowdown)) {
      worst.field = "/compute/straggler_slowdown";
    }
    const double one_step = step_seconds + latency_seconds + transfer_seconds;
    const bool one_step_fits = one_step * 1000 <= limits::kMaxSimulatedSeconds;
    const std::string field = one_step_fits ? (scenario.run.steps > 0 ? "/run/steps" : "/run/epochs") : worst.field;
    throw InvalidInput(field, "the run would last about " + scientific(cost.simulated_seconds) + " s of simulated time (" +
                                  std::to_string(cost.total_steps) + " steps of up to " + scientific(one_step) +
                                  " s); expected at most 4.6e9 s (2^62 ns, the simulated clock's safe range)");
  }

  if (force) return cost;
  if (cost.memory_bytes > limits::kMaxMemoryBytes) {
    // Blame the largest part: the agents' models, the data, or the graph.
    const double graph_bytes = 128 * cost.edges;
    const double data_bytes = 4.0 * evaluated_samples * static_cast<double>(data.dimension);
    const double agent_bytes = cost.memory_bytes - graph_bytes - data_bytes;
    const char* field = agent_bytes >= std::max(graph_bytes, data_bytes) ? "/agents"
                        : graph_bytes >= data_bytes                      ? "/topology"
                                                                         : "/data";
    throw InvalidInput(field,
                       "the run would need about " + gib(cost.memory_bytes) + " of memory (" +
                           std::to_string(scenario.agents) + " agents, " + std::to_string(cost.parameters) +
                           " parameters each, " + std::to_string(data.train_samples + data.test_samples) +
                           " samples); expected at most 16 GiB" + kForceHint);
  }
  if (cost.gradient_flops > limits::kMaxGradientFlops) {
    throw InvalidInput(scenario.run.steps > 0 ? "/run/steps" : "/run/epochs",
                       "the run would compute about " + scientific(cost.gradient_flops) +
                           " floating-point operations; expected at most 1e17" + kForceHint);
  }
  if (cost.messages > limits::kMaxMessages) {
    throw InvalidInput(consensus && algorithm.consensus_steps > 1 ? "/algorithm/consensus_steps"
                                                                 : (scenario.run.steps > 0 ? "/run/steps" : "/run/epochs"),
                       "the run would send about " + scientific(cost.messages) + " messages; expected at most 1e11" +
                           kForceHint);
  }
  return cost;
}

}  // namespace cdsim
