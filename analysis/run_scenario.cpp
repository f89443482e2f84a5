#include "analysis/run_scenario.h"

#include <chrono>
#include <cstdio>
#include <cmath>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "analysis/progress_display.h"
#include "analysis/run_network.h"
#include "analysis/provenance.h"
#include "analysis/run_directory.h"
#include "analysis/trace_analysis.h"
#include "analysis/trace_reader.h"
#include "analysis/trace_writer.h"
#include "core/data_loader.h"
#include "core/invalid_input.h"
#include "core/minibatch_sampler.h"
#include "core/model.h"
#include "core/partition.h"
#include "scenarios/field_use.h"
#include "scenarios/scenario_cost.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_check.h"
#include "scenarios/scenario_topology.h"
#include "sim/platform.h"
#include "sim/point_to_point_network.h"
#include "sim/shared_link_network.h"
#include "sim/faulty_network.h"
#include "sim/protocols/asynchronous_consensus.h"
#include "sim/protocols/choco_sgd.h"
#include "sim/protocols/federated_averaging.h"
#include "sim/protocols/parameter_server.h"
#include "sim/protocols/stochastic_gradient_push.h"
#include "sim/protocols/synchronous_consensus.h"
#include "sim/protocols/compute_model.h"
#include "sim/protocols/link_assignment.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/wire_size.h"
#include "sim/simulation.h"
#include "topologies/generators.h"
#include "topologies/mixing_matrix.h"
#include "topologies/spectral.h"

namespace cdsim {
namespace {

// Runs `build`, re-throwing its InvalidInput with the scenario section in front of the field.
template <typename Build>
auto within_section(const std::string& section, Build build) {
  try {
    return build();
  } catch (const InvalidInput& error) {
    throw error.within(section);
  }
}

// A figure for summary.json: null when it was not computed (or is not finite).
nlohmann::json figure(double value, bool computed) {
  return computed && std::isfinite(value) ? nlohmann::json(value) : nlohmann::json();
}

// summary.json's "network": the model, the platform (null for point-to-point links) and
// the links that carried the most bytes, with their share of the run's simulated time.
nlohmann::json network_json(const Scenario& scenario, const std::optional<Platform>& platform, const Network& network,
                            SimTime elapsed) {
  constexpr std::size_t kListed = 5;
  nlohmann::json out = {{"model", scenario.network.model}, {"links", network.link_count()}};
  out["platform"] = platform ? nlohmann::json{{"kind", platform->kind},
                                              {"hosts", platform->host_count},
                                              {"switches", platform->switch_count()},
                                              {"physical_links", platform->links.size()}}
                             : nlohmann::json();
  std::vector<std::size_t> order(network.link_count());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto more_bytes = [&](std::size_t a, std::size_t b) {
    const std::int64_t x = network.link_load(a).bytes.bytes();
    const std::int64_t y = network.link_load(b).bytes.bytes();
    return x != y ? x > y : a < b;
  };
  const std::size_t listed = std::min(kListed, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(listed), order.end(), more_bytes);
  nlohmann::json loaded = nlohmann::json::array();
  for (std::size_t i = 0; i < listed; ++i) {
    const std::size_t link = order[i];
    const LinkLoad load = network.link_load(link);
    if (load.messages == 0) break;
    const LinkEndpoints ends = network.link_endpoints(link);
    const double capacity_bytes = network.link_spec(link).bandwidth.bytes_per_second() * elapsed.seconds();
    loaded.push_back({{"link", link},
                      {"from", ends.from.value},
                      {"to", ends.to.value},
                      {"bytes", load.bytes.bytes()},
                      {"messages", load.messages},
                      {"utilisation", figure(static_cast<double>(load.bytes.bytes()) / capacity_bytes, capacity_bytes > 0)}});
  }
  out["most_loaded_links"] = loaded;
  return out;
}

// Which run.stop condition `row` meets ("target", "sim_time_budget", "byte_budget"), or "".
std::string stop_condition(const StopSpec& stop, const MetricsRow& row) {
  if (!stop.metric.empty()) {
    const double value = metric_value(row, stop.metric);
    if (std::isfinite(value) && (stop.at_least ? value >= stop.value : value <= stop.value)) return "target";
  }
  if (stop.sim_time > SimTime::zero() && row.sim_time_s >= stop.sim_time.seconds()) return "sim_time_budget";
  if (stop.bytes.bytes() > 0 && row.bytes_total >= stop.bytes.bytes()) return "byte_budget";
  return "";
}

// The metrics.csv loss columns of `losses`.
MetricsRow::Losses loss_columns(const LossStats& losses) {
  MetricsRow::Losses row;
  row.messages_link_down = losses.messages_lost_link_down;
  row.messages_in_flight = losses.messages_lost_in_flight;
  row.messages_random = losses.messages_lost_random;
  row.messages_agent_down = losses.messages_lost_agent_down;
  row.bytes_link_down = losses.bytes_lost_link_down.bytes();
  row.bytes_in_flight = losses.bytes_lost_in_flight.bytes();
  row.bytes_random = losses.bytes_lost_random.bytes();
  row.bytes_agent_down = losses.bytes_lost_agent_down.bytes();
  return row;
}

// Why a run whose events ran out before its last step could not go on, for stderr and
// summary.json's end_message.
std::string no_progress_message(const RunResult& result, SimTime now, const FaultyNetwork* faulty,
                                const Scenario& scenario) {
  std::string message = "no progress was possible after " + std::to_string(result.completed_steps) + " of " +
                        std::to_string(result.total_steps) + " steps (the events ran out at " + to_string(now) + ")";
  if (faulty == nullptr) return message;
  std::size_t crashed = 0;
  for (std::size_t j = 0; j < scenario.agents; ++j) {
    if (!faulty->agent_up(AgentId{static_cast<std::uint32_t>(j)})) ++crashed;
  }
  if (crashed == scenario.agents) {
    message += ": every agent has crashed and none recovers";
  } else if (crashed > 0) {
    message += ": " + std::to_string(crashed) + " agents are crashed for good";
  }
  const std::uint64_t lost = faulty->losses().messages_lost();
  if (lost > 0) message += (crashed > 0 ? " and " : ": ") + std::to_string(lost) + " messages were lost to faults";
  if (scenario.algorithm.timeout == SimTime::zero() && (lost > 0 || crashed > 0)) {
    message += "; agents wait for ever for what does not come: set algorithm.timeout";
  }
  return message;
}

// Whether an evaluated row shows the agents diverged: a computed loss or consensus
// distance that is not finite.
bool diverged(const MetricsRow& row) {
  const MetricsColumns& c = row.computed;
  return (c.train && !std::isfinite(row.train_loss)) || (c.test && !std::isfinite(row.test_loss)) ||
         (c.consensus && !std::isfinite(row.consensus_distance));
}

// The evaluation's cost against the training's, in sample passes weighted by FLOPs (an
// inference pass costs about a third of a training pass): a one-line notice when the
// evaluation would cost more, empty otherwise.
std::string evaluation_cost_notice(const Scenario& scenario, const RunResult& result, std::int64_t observe_every,
                                   std::size_t train_size, std::size_t train_evaluated, std::size_t test_evaluated,
                                   const EvaluationPlan& plan) {
  const MetricsColumns& c = plan.columns;
  const double agents = static_cast<double>(plan.agents.empty() ? scenario.agents : plan.agents.size());
  const double evaluations =
      std::floor(static_cast<double>(result.total_steps) / static_cast<double>(observe_every)) + 2.0;
  const double per_evaluation = agents * ((c.train ? static_cast<double>(train_evaluated) : 0.0) +
                                          (c.test ? static_cast<double>(test_evaluated) : 0.0)) +
                                (c.average_model ? static_cast<double>(test_evaluated) : 0.0);
  const double evaluation_passes = evaluations * per_evaluation / 3.0;
  const double training_passes =
      static_cast<double>(result.total_steps) * result.epochs_per_step * static_cast<double>(train_size);
  if (evaluation_passes <= training_passes) return "";
  char line[320];
  std::snprintf(line, sizeof line,
                "note: evaluation (%.0f times, %.3g sample passes) would cost about %.3g times the training "
                "(%.3g sample passes); run.evaluation (mode, samples, agents) evaluates less\n",
                evaluations, evaluation_passes, evaluation_passes / training_passes, training_passes);
  return line;
}

// The few links the trace shows busiest, for summary.json (all of them: `cdsim trace --links`).
nlohmann::json busiest_links_json(const std::filesystem::path& trace_path, const Network& network) {
  constexpr std::size_t kListed = 5;
  const std::vector<TraceRecord> records = read_trace(trace_path);
  nlohmann::json busiest = nlohmann::json::array();
  for (const LinkUsage& u :
       busiest_links(link_usage(records, network.link_count(), trace_horizon_ns(records)), kListed)) {
    const LinkEndpoints ends = network.link_endpoints(u.link);
    busiest.push_back({{"link", u.link}, {"from", ends.from.value}, {"to", ends.to.value},
                       {"messages", u.messages}, {"bytes", u.bytes}, {"busy_fraction", u.busy_fraction},
                       {"peak_concurrent", u.peak_concurrent}});
  }
  return busiest;
}

std::string summary_json(const Scenario& scenario, const RunResult& result,
                         const SpectralReport& spectrum, const Graph& graph,
                         std::size_t parameter_count, const std::string& model_description,
                         const nlohmann::json& extra) {
  const MetricsRow& last = result.metrics.back();
  nlohmann::json summary = {
      {"scenario", scenario.name},
      {"algorithm", scenario.algorithm.kind},
      {"agents", scenario.agents},
      {"topology", {{"kind", scenario.topology.kind},
                    // Server-based baselines (sgd, msgd, fedavg) and all-reduce do not mix over it.
                    {"used_by_algorithm", is_consensus_algorithm(scenario.algorithm)},
                    {"edges", graph.edge_count()},
                    {"mixing_rule", scenario.mixing.rule},
                    {"lambda2", spectrum.lambda2},
                    {"lambda_n", spectrum.lambda_n},
                    {"spectral_gap", spectrum.spectral_gap},
                    {"spectral_method", spectrum.method}}},
      {"model", {{"description", model_description}, {"parameters", parameter_count}}},
      // A run stopped by run.stop ends at the evaluation that met the condition.
      {"steps", result.end_reason == "completed" ? result.total_steps : last.step},
      {"planned_steps", result.total_steps},
      {"epochs_per_step", result.epochs_per_step},
      {"epochs", last.epoch},
      // An uncompressed parameter message; bytes_total counts what went on the wire, at the
      // compressed sizes when the run compresses, and mean_message_bytes is their mean.
      {"message_bytes", result.message_bytes},
      {"sim_time_s", last.sim_time_s},
      {"bytes_total", last.bytes_total},
      {"messages_total", last.messages_total},
      {"mean_message_bytes", last.messages_total == 0 ? nlohmann::json(nullptr)
                                                      : nlohmann::json(static_cast<double>(last.bytes_total) /
                                                                       static_cast<double>(last.messages_total))},
      {"compression", algorithm_reads(scenario.algorithm.kind, "compression")
                          ? nlohmann::json(scenario.algorithm.compression.kind)
                          : nlohmann::json(nullptr)},
      {"final", {{"train_loss", figure(last.train_loss, last.computed.train)},
                 {"test_loss", figure(last.test_loss, last.computed.test)},
                 {"train_accuracy", figure(last.train_accuracy, last.computed.train)},
                 {"test_accuracy", figure(last.test_accuracy, last.computed.test)},
                 {"average_model_test_accuracy", figure(last.average_model_test_accuracy, last.computed.average_model)},
                 {"consensus_distance", figure(last.consensus_distance, last.computed.consensus)}}},
      {"end_reason", result.end_reason},
      {"end_message", result.end_message.empty() ? nlohmann::json() : nlohmann::json(result.end_message)},
      {"completed_steps", result.completed_steps},
      {"stop", {{"reason", result.stop_reason},
                {"step", last.step},
                {"sim_time_s", last.sim_time_s},
                {"bytes_total", last.bytes_total}}},
      {"diverged", result.diverged_at_step.has_value()},
      {"diverged_at_step", result.diverged_at_step ? nlohmann::json(*result.diverged_at_step) : nlohmann::json()},
      {"initial", {{"train_loss", figure(result.metrics.front().train_loss, result.metrics.front().computed.train)},
                   {"test_loss", figure(result.metrics.front().test_loss, result.metrics.front().computed.test)}}},
  };
  summary.update(extra);
  return summary.dump(2) + "\n";
}

}  // namespace

RunResult run_scenario(const Scenario& requested, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  const Scenario scenario = as_simulated(requested);
  // Between phases and between events: a raised interrupt ends the run, and unwinding
  // removes the staging folder.
  const auto stop_if_interrupted = [&] {
    if (options.interrupt != nullptr && *options.interrupt != 0) throw RunInterrupted(*options.interrupt);
  };
  // The output is checked first (it fails fastest), then the scenario's cost from the data
  // headers, all before anything that grows with the scenario is allocated.
  const std::filesystem::path final_path =
      options.output_directory.empty() ? std::filesystem::path("runs") / scenario.name : options.output_directory;
  RunDirectory run_directory(final_path);
  const DataShape shape = probe_scenario_data(scenario);
  const ScenarioCost cost = check_scenario_cost(scenario, shape, options.force);
  const ScenarioTopology topology = build_scenario_topology(scenario);
  const Graph& graph = topology.graph;
  const MixingMatrix& mixing = topology.mixing;
  // A communication-only replay (model kind "none") has no data, no model and empty
  // parameter vectors; its messages are sized for model.parameters values.
  const bool replay = is_replay(scenario.model);
  stop_if_interrupted();
  const TrainTestData data = replay ? TrainTestData{} : within_section("/data", [&] {
    return load_data(scenario.data, scenario.seed);
  });
  stop_if_interrupted();
  const Shards shards = replay ? Shards{} : within_section("/data/partition", [&] {
    return partition(data.train, scenario.agents, scenario.partition, scenario.seed);
  });
  const std::unique_ptr<Model> reference_model =
      replay ? nullptr : within_section("/model", [&] { return make_model(scenario.model, data.train); });

  // Identical initial weights on every agent, as in the paper.
  std::vector<float> initial(replay ? 0 : reference_model->parameter_count());
  if (!replay) {
    Rng init_rng(scenario.seed, 0, RngPurpose::kInitialization);
    reference_model->initialize(initial, init_rng);
  }
  const std::size_t wire_parameters = replay ? scenario.model.parameters : initial.size();

  std::vector<std::unique_ptr<LocalLearner>> learners;
  for (std::size_t j = 0; j < scenario.agents; ++j) {
    if (replay) {
      learners.push_back(std::make_unique<ReplayLearner>(scenario.algorithm.batch_size));
      continue;
    }
    MinibatchSampler sampler = within_section("/algorithm", [&] {
      return MinibatchSampler(shards[j], scenario.algorithm.batch_size,
                              Rng(scenario.seed, j, RngPurpose::kMinibatch));
    });
    learners.push_back(std::make_unique<ModelLearner>(make_model(scenario.model, data.train), data.train,
                                                      std::move(sampler),
                                                      Rng(scenario.seed, j, RngPurpose::kDropout)));
  }

  if (!replay && (data.train.size() != shape.train_samples || data.test.size() != shape.test_samples)) {
    throw std::runtime_error("the data files changed while they were read");
  }
  RunResult result;
  // A replay's agents stand for one batch each (see ReplayLearner).
  const std::size_t train_size = shape.train_samples;
  result.epochs_per_step = cost.epochs_per_step;
  // Steps per epoch rounded up, so the run covers at least the epochs asked for; evaluated
  // once an epoch, every eval_every_steps, or by time alone (and the first and last steps).
  result.total_steps = cost.total_steps;
  const std::int64_t observe_every = cost.observe_every;
  result.message_bytes =
      parameter_message_size(AgentId{0}, AgentId{1}, 0, PayloadKind::kParameters, wire_parameters).bytes();

  const SpectralReport spectrum = analyze_spectrum(mixing);

  Simulation simulation(scenario.seed);
  const ProtocolLinks links = protocol_links(scenario.algorithm, graph);
  std::optional<Platform> platform;
  if (scenario.network.model != "point_to_point") {
    platform = build_platform(scenario.network, links, scenario.agents, graph, topology.edge_links, scenario.seed);
  }
  std::unique_ptr<Network> network_owner = build_network(simulation, links, scenario, topology, platform);
  const FaultyNetwork* faulty = nullptr;
  if (scenario.faults.any()) {
    auto wrapped = std::make_unique<FaultyNetwork>(simulation, std::move(network_owner), topology.faults, scenario.seed);
    faulty = wrapped.get();
    network_owner = std::move(wrapped);
  }
  Network& network = *network_owner;
  ComputeModel compute(scenario.compute, scenario.agents, replay ? 0.0 : reference_model->flops_per_sample(),
                       scenario.algorithm.batch_size, scenario.seed);
  // One pool computes the agents' gradients and their evaluation; the engine stays on this thread.
  WorkerPool workers(options.threads);

  // What each evaluation computes, on which agents and samples (run.evaluation).
  const EvaluationSpec& evaluation = scenario.run.evaluation;
  const EvaluationPlan plan = make_evaluation_plan(evaluation, scenario.agents, scenario.seed);
  const std::optional<Dataset> sampled_train = sample_for_evaluation(data.train, evaluation, scenario.seed, 0);
  const std::optional<Dataset> sampled_test = sample_for_evaluation(data.test, evaluation, scenario.seed, 1);
  const Dataset& evaluated_train = sampled_train ? *sampled_train : data.train;
  const Dataset& evaluated_test = sampled_test ? *sampled_test : data.test;
  std::unique_ptr<MetricsEvaluator> evaluator;
  if (!replay) {
    evaluator = std::make_unique<MetricsEvaluator>([&] { return make_model(scenario.model, data.train); },
                                                   evaluated_train, evaluated_test, result.epochs_per_step,
                                                   workers, plan);
    const std::string notice = evaluation_cost_notice(scenario, result, observe_every, train_size,
                                                      evaluated_train.size(), evaluated_test.size(), plan);
    if (options.notices != nullptr && !notice.empty()) *options.notices << notice << std::flush;
  }
  std::vector<AgentMetricsRow> agent_rows;
  std::unique_ptr<TraceWriter> trace;
  if (scenario.run.trace) {
    trace = std::make_unique<TraceWriter>(run_directory.staged_path("events.pb"));
    trace->attach(network);
    trace->attach(compute, simulation);
    run_directory.write_file("links.csv", links_csv(network));
  }
  ProgressDisplay progress(options.progress, options.progress_is_terminal, result.total_steps);
  bool stopped = false;
  auto observe = [&](const StepSnapshot& snapshot) {
    result.metrics.push_back(evaluator ? evaluator->evaluate(snapshot, &agent_rows)
                                       : traffic_row(snapshot, result.epochs_per_step));
    // Observed as the last agent finishes the step, so the counts are those of that instant.
    if (faulty != nullptr) result.metrics.back().lost = loss_columns(faulty->losses());
    if (trace) trace->evaluation(snapshot.step, snapshot.time);
    progress.evaluated(result.metrics.back());
    const std::string reason = stop_condition(scenario.run.stop, result.metrics.back());
    if (!reason.empty() && !stopped) {
      stopped = true;
      result.stop_reason = reason;
      simulation.stop();
    }
  };
  ProtocolContext context{simulation, network, mixing, learners, initial, wire_parameters, scenario.algorithm,
                          compute, result.total_steps, observe_every, observe};
  context.observe_every_time = scenario.run.eval_every_time;
  context.agent_changes = topology.faults.agents;
  if (topology.schedule) context.schedule = &*topology.schedule;
  const MetricsColumns& columns = plan.columns;
  context.observe_parameters = !replay && (columns.train || columns.test || columns.average_model || columns.consensus);
  // Only learning math is worth a hand-over: a replay's learners do none, and with one
  // thread the work runs inline, as the pool would run it anyway.
  context.workers = replay || workers.threads() == 1 ? nullptr : &workers;
  context.on_step_complete = [&](std::int64_t step) { progress.step_complete(step, simulation.now().seconds()); };
  if (trace) {
    context.on_agent_finished = [&](std::size_t agent, std::int64_t step) {
      trace->agent_finished(agent, step, simulation.now());
    };
  }
  std::unique_ptr<Protocol> protocol = within_section("/algorithm", [&] { return make_protocol(context); });
  simulation.stop_when(options.interrupt);
  protocol->start();
  simulation.run();
  stop_if_interrupted();
  // A deliberate stop (run.stop) leaves steps undone; anything else short of the total
  // means the protocol's events ran out: no progress was possible. The run still writes
  // what it has, and says why it ended.
  result.completed_steps = protocol->completed_steps();
  if (stopped) {
    result.end_reason = "stopped";
  } else if (result.completed_steps != result.total_steps) {
    result.end_reason = "no_progress";
    result.stop_reason = "no_progress";
    result.end_message = no_progress_message(result, simulation.now(), faulty, scenario);
  }

  progress.finish();
  if (trace) trace->close();
  for (const MetricsRow& row : result.metrics) {
    if (diverged(row)) {
      result.diverged_at_step = row.step;
      break;
    }
  }
  std::string csv = metrics_csv_header();
  for (const MetricsRow& row : result.metrics) csv += metrics_csv_line(row);
  run_directory.write_file("metrics.csv", csv);
  std::string agents_csv = agent_metrics_csv_header();
  for (const AgentMetricsRow& row : agent_rows) agents_csv += agent_metrics_csv_line(row);
  run_directory.write_file("agents.csv", agents_csv);
  nlohmann::json extra = nlohmann::json::object();
  if (const auto* asynchronous = dynamic_cast<const AsynchronousConsensus*>(protocol.get())) {
    const StalenessStats& staleness = asynchronous->staleness();
    extra["staleness"] = {{"samples", staleness.samples}, {"mean", staleness.mean}, {"max", staleness.max}};
  }
  const BuildInfo build = build_info();
  nlohmann::json inputs = nlohmann::json::array();
  for (const InputFingerprint& input : fingerprint_inputs(scenario, data.source_files)) {
    inputs.push_back({{"role", input.role}, {"path", input.path}, {"sha256", input.sha256}});
  }
  extra["provenance"] = {{"cdsim_version", build.version}, {"git_commit", build.git_commit},
                         {"git_dirty", build.git_dirty},   {"build_type", build.build_type},
                         {"inputs", inputs}};
  if (faulty != nullptr) {
    const LossStats& lost = faulty->losses();
    extra["faults"] = {{"messages_sent", network.stats().messages_sent},
                       {"messages_delivered", network.stats().messages_delivered},
                       {"messages_lost_link_down", lost.messages_lost_link_down},
                       {"messages_lost_in_flight", lost.messages_lost_in_flight},
                       {"messages_lost_random", lost.messages_lost_random},
                       {"messages_lost_agent_down", lost.messages_lost_agent_down},
                       {"bytes_sent", network.stats().bytes_sent.bytes()},
                       {"bytes_delivered", network.stats().bytes_delivered.bytes()},
                       {"bytes_lost_link_down", lost.bytes_lost_link_down.bytes()},
                       {"bytes_lost_in_flight", lost.bytes_lost_in_flight.bytes()},
                       {"bytes_lost_random", lost.bytes_lost_random.bytes()},
                       {"bytes_lost_agent_down", lost.bytes_lost_agent_down.bytes()},
                       {"agent_changes", topology.faults.agents.size()}};
  }
  if (const auto* synchronous = dynamic_cast<const SynchronousConsensus*>(protocol.get())) {
    const WaitingStats& waiting = synchronous->waiting();
    extra["waiting"] = {{"agent_seconds", waiting.agent_wait.seconds()},
                        {"timeouts", waiting.timeouts},
                        {"late_messages_dropped", waiting.late_messages}};
  }
  // CHOCO-SGD and SGP under faults or a timeout: their waits, and the late messages they
  // still take (a q moving a copy, a running sum bringing its mass).
  const auto* choco = dynamic_cast<const ChocoSgd*>(protocol.get());
  const auto* push = dynamic_cast<const StochasticGradientPush*>(protocol.get());
  if ((choco != nullptr || push != nullptr) && (faulty != nullptr || scenario.algorithm.timeout > SimTime::zero())) {
    const WaitingStats& waiting = choco != nullptr ? choco->waiting() : push->waiting();
    extra["waiting"] = {{"agent_seconds", waiting.agent_wait.seconds()},
                        {"timeouts", waiting.timeouts},
                        {"late_messages", waiting.late_messages}};
    if (choco != nullptr) extra["waiting"]["whole_copies_sent"] = choco->whole_copies_sent();
  }
  const DeadlineStats* deadline = nullptr;
  if (const auto* fedavg = dynamic_cast<const FederatedAveraging*>(protocol.get())) deadline = &fedavg->deadline();
  if (const auto* server = dynamic_cast<const ParameterServer*>(protocol.get())) deadline = &server->deadline();
  if (deadline != nullptr && scenario.algorithm.timeout > SimTime::zero()) {
    extra["deadline"] = {{"rounds_closed_by_deadline", deadline->rounds_closed_by_deadline},
                         {"missing_answers", deadline->missing_answers},
                         {"late_messages_dropped", deadline->late_messages}};
  }
  if (topology.schedule) {
    const ScheduleSpectrum schedule_spectrum = analyze_schedule(*topology.schedule);
    extra["topology_schedule"] = {{"kind", topology.schedule->kind},
                                  {"period", schedule_spectrum.period},
                                  {"period_contraction", schedule_spectrum.period_contraction},
                                  {"per_round_contraction", schedule_spectrum.per_round_contraction},
                                  {"method", schedule_spectrum.method}};
  }
  extra["network"] = network_json(scenario, platform, network, simulation.now());
  if (trace) extra["busiest_links"] = busiest_links_json(run_directory.staged_path("events.pb"), network);
  if (!replay) {
    if (data.train.num_classes > 0) extra["label_histograms"] = shard_label_histograms(data.train, shards);
    extra["shard_sizes"] = nlohmann::json::array();
    for (const auto& shard : shards) extra["shard_sizes"].push_back(shard.size());
  }
  const std::string model_description =
      replay ? "none (communication-only replay of " + std::to_string(wire_parameters) + " parameters)"
             : reference_model->describe();
  run_directory.write_file("summary.json", summary_json(scenario, result, spectrum, graph, wire_parameters,
                                                        model_description, extra));
  run_directory.write_file("scenario.resolved.json", resolved_scenario_json(requested));
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  const nlohmann::json timing = {
      {"wall_seconds", result.wall_seconds},
      {"events_executed", simulation.events_executed()},
      {"events_per_wall_second",
       result.wall_seconds > 0 ? static_cast<double>(simulation.events_executed()) / result.wall_seconds : 0.0}};
  run_directory.write_file("timing.json", timing.dump(2) + "\n");
  stop_if_interrupted();
  run_directory.commit();
  result.run_directory = run_directory.final_path();
  return result;
}

}  // namespace cdsim
