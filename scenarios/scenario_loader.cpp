#include "scenarios/scenario_loader.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/compressor.h"
#include "core/invalid_input.h"
#include "scenarios/json_document.h"
#include "scenarios/field_use.h"
#include "scenarios/object_reader.h"
#include "scenarios/scenario_limits.h"
#include "sim/byte_count.h"
#include "sim/time.h"
#include "sim/units.h"

namespace cdsim {

using scenario_detail::Json;
using scenario_detail::ObjectReader;

ScenarioError::ScenarioError(std::string file, std::string field_pointer, const std::string& message)
    : std::runtime_error(file + ": " + (field_pointer.empty() ? std::string() : field_pointer + ": ") +
                         message),
      file_(std::move(file)),
      field_(std::move(field_pointer)) {}

namespace {

// Relative paths inside a scenario are relative to the scenario file's folder. They are
// kept absolute, so that the resolved scenario a run writes loads again from anywhere.
std::string resolve_path(const std::string& path, const std::filesystem::path& base_dir) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return std::filesystem::absolute(base_dir / path).lexically_normal().string();
}

// Throws InvalidInput naming the first field of `json` (a section at `pointer`) that the
// section's kind would ignore.
template <typename Reads>
void reject_unused_fields(const Json& json, const std::string& pointer, const std::string& what, Reads reads) {
  if (!json.is_object()) return;
  for (const auto& [key, value] : json.items()) {
    if (!reads(key)) {
      throw InvalidInput(pointer + "/" + scenario_detail::pointer_token(key),
                         "\"" + key + "\" is not used by " + what + "; remove it");
    }
  }
}

TopologySpec read_topology(ObjectReader reader, const std::filesystem::path& base_dir) {
  const std::string pointer = reader.pointer();
  TopologySpec spec;
  spec.kind = reader.choice_or(
      "kind", spec.kind,
      {"complete", "ring", "ring_lattice", "path", "star", "grid", "torus", "hypercube",
       "binary_tree", "erdos_renyi", "random_regular", "watts_strogatz", "barabasi_albert",
       "exponential", "one_peer_exponential", "random_matching", "schedule", "edge_list", "dot", "graphml"});
  spec.neighbors_per_side = reader.count_or("neighbors_per_side", spec.neighbors_per_side, 1, limits::kMaxAgents);
  spec.rows = reader.count_or("rows", spec.rows, 0, limits::kMaxAgents);
  spec.edge_probability = reader.probability_or("edge_probability", spec.edge_probability);
  spec.degree = reader.count_or("degree", spec.degree, 0, limits::kMaxAgents);
  spec.rewire_probability = reader.probability_or("rewire_probability", spec.rewire_probability);
  spec.attach_edges = reader.count_or("attach_edges", spec.attach_edges, 1, limits::kMaxAgents);
  spec.file = resolve_path(reader.string_or("file", spec.file), base_dir);
  spec.period = reader.count_or("period", spec.period, 1, limits::kMaxSteps);
  if (const Json* phases = reader.array_or_null("phases")) {
    for (std::size_t i = 0; i < phases->size(); ++i) {
      const std::string phase_pointer = pointer + "/phases/" + std::to_string(i);
      ObjectReader phase_reader((*phases)[i], phase_pointer);
      TopologyPhase phase;
      phase.steps = phase_reader.int64_count_or("steps", 1, 1, static_cast<std::int64_t>(limits::kMaxSteps));
      phase.topology = read_topology(phase_reader.section("topology"), base_dir);
      phase_reader.reject_unknown_keys();
      spec.phases.push_back(std::move(phase));
    }
  }
  reader.reject_unknown_keys();
  reject_unused_fields(reader.json(), pointer, "topology \"" + spec.kind + "\"",
                       [&](const std::string& key) { return topology_reads(spec.kind, key); });
  const bool needs_file = spec.kind == "edge_list" || spec.kind == "dot" || spec.kind == "graphml";
  if (needs_file && spec.file.empty()) {
    throw InvalidInput(pointer + "/file", "topology kind \"" + spec.kind + "\" needs a \"file\"");
  }
  if (spec.kind == "schedule" && spec.phases.empty()) {
    throw InvalidInput(pointer + "/phases", "topology kind \"schedule\" needs a list of \"phases\"");
  }
  return spec;
}

MixingSpec read_mixing(ObjectReader reader, const std::filesystem::path& base_dir) {
  MixingSpec spec;
  spec.rule = reader.choice_or("rule", spec.rule,
                               {"metropolis_hastings", "uniform", "max_degree", "ring_preset", "explicit"});
  spec.lazy = reader.bool_or("lazy", spec.lazy);
  spec.self_weight = reader.probability_or("self_weight", spec.self_weight);
  spec.neighbor_weight = reader.probability_or("neighbor_weight", spec.neighbor_weight);
  spec.matrix = reader.matrix_or("matrix", spec.matrix);
  spec.file = resolve_path(reader.string_or("file", spec.file), base_dir);
  spec.allow_asymmetric = reader.bool_or("allow_asymmetric", spec.allow_asymmetric);
  reader.reject_unknown_keys();
  reject_unused_fields(reader.json(), "/mixing", "mixing rule \"" + spec.rule + "\"",
                       [&](const std::string& key) { return mixing_reads(spec.rule, key); });
  if (spec.rule == "explicit" && spec.matrix.empty() && spec.file.empty()) {
    throw InvalidInput("/mixing/matrix", "rule \"explicit\" needs a \"matrix\" or a \"file\"");
  }
  return spec;
}

LatencyDistribution read_latency_distribution(ObjectReader reader) {
  LatencyDistribution d;
  d.kind = reader.choice_or("kind", d.kind, {"fixed", "uniform", "log_normal"});
  // Every field is read whatever the kind (so that `cdsim schema` knows them all); a field
  // the kind does not use is then an error naming it.
  d.min = reader.duration_or("min", d.min);
  d.max = reader.duration_or("max", d.max);
  d.median = reader.duration_or("median", d.median);
  d.sigma = reader.nonnegative_number_or("sigma", d.sigma);
  reader.reject_unknown_keys();
  reject_unused_fields(reader.json(), "/network/latency_distribution", "latency distribution \"" + d.kind + "\"",
                       [&](const std::string& key) {
                         if (key == "kind") return true;
                         if (key == "min" || key == "max") return d.kind == "uniform";
                         return d.kind == "log_normal";  // median, sigma
                       });
  if (d.kind == "uniform" && d.max < d.min) {
    throw InvalidInput("/network/latency_distribution/max",
                       "expected a latency >= min (" + to_string(d.min) + "), found " + to_string(d.max));
  }
  return d;
}

std::vector<AgentClass> read_agent_classes(const Json* array) {
  std::vector<AgentClass> classes;
  if (array == nullptr) return classes;
  double total = 0.0;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string pointer = "/network/agent_classes/" + std::to_string(i);
    ObjectReader reader((*array)[i], pointer);
    AgentClass c;
    c.name = reader.string_or("name", "class " + std::to_string(i));
    c.fraction = reader.probability_or("fraction", c.fraction);
    c.uplink = reader.bandwidth_or("uplink", c.uplink);
    c.downlink = reader.bandwidth_or("downlink", c.downlink);
    c.latency = reader.duration_or("latency", c.latency);
    reader.reject_unknown_keys();
    total += c.fraction;
    if (total > 1.0 + 1e-9) {
      throw InvalidInput(pointer + "/fraction", "the classes' fractions add up to " + std::to_string(total) +
                                                    "; expected a total of at most 1");
    }
    classes.push_back(std::move(c));
  }
  return classes;
}

NicSpec read_nic(ObjectReader reader) {
  NicSpec nic;  // unset means unlimited
  nic.uplink = reader.optional_bandwidth("uplink");
  nic.downlink = reader.optional_bandwidth("downlink");
  reader.reject_unknown_keys();
  return nic;
}

// A WAN latency matrix: R rows of R durations (unit strings or seconds), symmetric.
std::vector<std::vector<SimTime>> read_latency_matrix(const Json* rows, const std::string& pointer) {
  std::vector<std::vector<SimTime>> matrix;
  if (rows == nullptr) return matrix;
  if (rows->size() > limits::kMaxAgents) throw InvalidInput(pointer, "expected at most one region per agent");
  for (std::size_t r = 0; r < rows->size(); ++r) {
    const Json& row = (*rows)[r];
    const std::string row_pointer = pointer + "/" + std::to_string(r);
    if (!row.is_array() || row.size() != rows->size()) {
      throw InvalidInput(row_pointer, "expected an array of " + std::to_string(rows->size()) +
                                          " latencies (one per region), found " + row.dump());
    }
    std::vector<SimTime> latencies;
    for (std::size_t s = 0; s < row.size(); ++s) {
      try {
        if (row[s].is_string()) {
          latencies.push_back(parse_duration(row[s].get<std::string>()));
        } else if (row[s].is_number()) {
          latencies.push_back(duration_from_seconds(row[s].get<double>()));
        } else {
          throw InvalidInput("", "expected a duration such as \"20ms\" or a number of seconds, found " + row[s].dump());
        }
      } catch (const InvalidInput& error) {
        throw InvalidInput(row_pointer + "/" + std::to_string(s), error.what());
      }
    }
    matrix.push_back(std::move(latencies));
  }
  for (std::size_t r = 0; r < matrix.size(); ++r) {
    for (std::size_t s = 0; s < r; ++s) {
      if (matrix[r][s] != matrix[s][r]) {
        throw InvalidInput(pointer + "/" + std::to_string(r) + "/" + std::to_string(s),
                           to_string(matrix[r][s]) + " differs from [" + std::to_string(s) + "][" +
                               std::to_string(r) + "] = " + to_string(matrix[s][r]) + "; expected a symmetric matrix");
      }
    }
  }
  return matrix;
}

PlatformSpec read_platform(ObjectReader reader, const std::filesystem::path& base_dir) {
  PlatformSpec p;
  const std::string pointer = reader.pointer();
  p.kind = reader.choice_or("kind", p.kind, {"switch", "tree", "dumbbell", "regions", "file"});
  p.file = resolve_path(reader.string_or("file", p.file), base_dir);  // file: a GraphML platform
  p.hosts_per_switch = reader.count_or("hosts_per_switch", p.hosts_per_switch, 1, limits::kMaxAgents);
  p.oversubscription = reader.positive_number_or("oversubscription", p.oversubscription);
  p.core_latency = reader.optional_duration("core_latency");      // unset: network.latency
  p.core_bandwidth = reader.optional_bandwidth("core_bandwidth");  // unset: network.bandwidth
  p.wan_latency = read_latency_matrix(reader.array_or_null("wan_latency"), pointer + "/wan_latency");
  reader.reject_unknown_keys();
  reject_unused_fields(reader.json(), pointer, "platform \"" + p.kind + "\"", [&](const std::string& key) {
    if (key == "kind") return true;
    if (key == "hosts_per_switch" || key == "oversubscription") return p.kind == "tree";
    if (key == "core_latency") return p.kind == "tree" || p.kind == "dumbbell";
    if (key == "core_bandwidth") return p.kind == "dumbbell" || p.kind == "regions";
    if (key == "file") return p.kind == "file";
    return p.kind == "regions";  // wan_latency
  });
  if (p.kind == "file" && p.file.empty()) {
    throw InvalidInput(pointer + "/file", "platform \"file\" needs the path of a GraphML file with node roles");
  }
  if (p.kind == "regions" && p.wan_latency.size() < 2) {
    throw InvalidInput(pointer + "/wan_latency", "platform \"regions\" needs a latency matrix of at least 2 regions");
  }
  return p;
}

NetworkSpec read_network(ObjectReader reader, const std::filesystem::path& base_dir) {
  NetworkSpec spec;
  spec.model = reader.choice_or("model", spec.model, {"point_to_point", "nic", "switch", "platform"});
  spec.latency = reader.duration_or("latency", spec.latency);
  spec.bandwidth = reader.bandwidth_or("bandwidth", spec.bandwidth);
  spec.latency_distribution = read_latency_distribution(reader.section("latency_distribution"));
  spec.agent_classes = read_agent_classes(reader.array_or_null("agent_classes"));
  spec.nic = read_nic(reader.section("nic"));
  spec.platform = read_platform(reader.section("platform"), base_dir);
  reader.reject_unknown_keys();
  reject_unused_fields(reader.json(), "/network", "network model \"" + spec.model + "\"", [&](const std::string& key) {
    if (key == "nic") return spec.model != "point_to_point";
    if (key == "platform") return spec.model == "platform";
    return true;
  });
  return spec;
}

ComputeSpec read_compute(ObjectReader reader) {
  ComputeSpec spec;
  spec.step_time = reader.duration_or("step_time", spec.step_time);
  spec.flops_per_second = reader.nonnegative_number_or("flops_per_second", spec.flops_per_second);
  spec.speed_spread = reader.number_in_range_or("speed_spread", spec.speed_spread, 0.0, limits::kMaxSpeedSpread);
  spec.straggler_probability = reader.probability_or("straggler_probability", spec.straggler_probability);
  spec.straggler_slowdown =
      reader.number_in_range_or("straggler_slowdown", spec.straggler_slowdown, 1.0, limits::kMaxStragglerSlowdown);
  reader.reject_unknown_keys();
  return spec;
}

PartitionSpec read_partition(ObjectReader reader) {
  PartitionSpec spec;
  spec.kind = reader.choice_or("kind", spec.kind, {"iid", "label_shards", "dirichlet", "fractions"});
  spec.classes_per_agent = reader.positive_unsigned_or("classes_per_agent", spec.classes_per_agent);
  spec.dirichlet_alpha = reader.positive_number_or("dirichlet_alpha", spec.dirichlet_alpha);
  spec.fractions = reader.number_list_or("fractions", spec.fractions);
  reader.reject_unknown_keys();
  return spec;
}

void read_data(ObjectReader reader, const std::filesystem::path& base_dir, DataSpec& data,
               PartitionSpec& partition) {
  data.source = reader.choice_or("source", data.source,
                                 {"synthetic_linear", "synthetic_logistic", "gaussian_mixture",
                                  "fashion_mnist", "mnist_digits", "idx", "cifar10", "cifar100"});
  data.train_samples = reader.count_or("train_samples", data.train_samples, 1, limits::kMaxSyntheticSamples);
  data.test_samples = reader.count_or("test_samples", data.test_samples, 1, limits::kMaxSyntheticSamples);
  data.dimension = reader.count_or("dimension", data.dimension, 1, limits::kMaxLayerWidth);
  data.classes = reader.count_or("classes", data.classes, 1, 100'000);
  data.noise_std = reader.nonnegative_number_or("noise_std", data.noise_std);
  data.path = resolve_path(reader.string_or("path", data.path), base_dir);
  data.max_train_samples = reader.count_or("max_train_samples", data.max_train_samples, 0, limits::kMaxSampleCap);
  data.max_test_samples = reader.count_or("max_test_samples", data.max_test_samples, 0, limits::kMaxSampleCap);
  data.normalize = reader.bool_or("normalize", data.normalize);
  partition = read_partition(reader.section("partition"));
  reader.reject_unknown_keys();
}

ModelSpec read_model(ObjectReader reader) {
  ModelSpec spec;
  spec.kind = reader.choice_or("kind", spec.kind,
                               {"linear_regression", "softmax_regression", "logistic_regression",
                                "mlp", "paper_fcn", "paper_cnn", "none"});
  spec.parameters = reader.count_or("parameters", spec.parameters, 0, limits::kMaxWireParameters);
  spec.hidden = reader.unsigned_list_or("hidden", spec.hidden, limits::kMaxLayerWidth, limits::kMaxHiddenLayers);
  spec.activation = reader.choice_or("activation", spec.activation, {"relu", "tanh"});
  spec.dropout = reader.number_or("dropout", spec.dropout);
  if (spec.dropout < 0.0 || spec.dropout >= 1.0) {
    throw InvalidInput("/model/dropout", "expected a number in [0, 1), found " + std::to_string(spec.dropout));
  }
  spec.init = reader.choice_or("init", spec.init, {"glorot_uniform", "zeros", "normal"});
  reader.reject_unknown_keys();
  // A replay never builds a model, so its parameter count is checked here; the other
  // kinds are checked against the data when the run builds them.
  if (is_replay(spec) || spec.parameters != 0) {
    try {
      validate(spec);
    } catch (const InvalidInput& error) {
      throw error.within("/model");
    }
  }
  return spec;
}

StepSizeSchedule read_schedule(ObjectReader reader) {
  StepSizeSchedule schedule;
  schedule.kind = reader.choice_or("kind", schedule.kind, {"constant", "step", "inverse_sqrt", "inverse", "power"});
  schedule.drop_factor = reader.positive_number_or("drop_factor", schedule.drop_factor);
  schedule.drop_every = reader.int64_count_or("drop_every", schedule.drop_every, 1, limits::kMaxDropEvery);
  schedule.decay = reader.nonnegative_number_or("decay", schedule.decay);
  schedule.exponent = reader.positive_number_or("exponent", schedule.exponent);
  reader.reject_unknown_keys();
  try {
    validate(schedule);
  } catch (const InvalidInput& error) {
    throw error.within("/algorithm/schedule");
  }
  return schedule;
}

CompressorSpec read_compression(ObjectReader reader) {
  CompressorSpec spec;
  spec.kind = reader.choice_or("kind", spec.kind,
                               {"identity", "top_k", "random_k", "qsgd", "scaled_sign", "float16", "bfloat16"});
  spec.count = reader.unsigned_or("count", spec.count);
  spec.fraction = reader.probability_or("fraction", spec.fraction);
  const std::uint64_t levels = reader.unsigned_or("levels", spec.levels);
  if (levels > (1u << 24)) {
    throw InvalidInput("/algorithm/compression/levels", "expected at most 2^24 levels, found " + std::to_string(levels));
  }
  spec.levels = static_cast<std::uint32_t>(levels);
  spec.unbiased = reader.bool_or("unbiased", spec.unbiased);
  reader.reject_unknown_keys();
  try {
    Compressor{spec};
  } catch (const InvalidInput& error) {
    throw error.within("/algorithm/compression");
  }
  return spec;
}

AlgorithmSpec read_algorithm(ObjectReader reader) {
  AlgorithmSpec spec;
  spec.kind = reader.choice_or("kind", spec.kind, {"cdsgd", "cdmsgd", "cdmsgd_two_sequence", "async_cdsgd", "choco_sgd", "sgp", "sgd", "msgd", "fedavg"});
  spec.learning_rate = reader.positive_number_or("learning_rate", spec.learning_rate);
  spec.momentum = reader.number_or("momentum", spec.momentum);
  if (spec.momentum < 0.0 || spec.momentum >= 1.0) {
    throw InvalidInput("/algorithm/momentum",
                       "expected a number in [0, 1), found " + std::to_string(spec.momentum));
  }
  spec.weight_decay = reader.nonnegative_number_or("weight_decay", spec.weight_decay);
  spec.batch_size = reader.count_or("batch_size", spec.batch_size, 1, limits::kMaxBatchSize);
  spec.schedule = read_schedule(reader.section("schedule"));
  spec.consensus_steps = reader.count_or("consensus_steps", spec.consensus_steps, 1, limits::kMaxConsensusSteps);
  spec.consensus_weight = reader.probability_or("consensus_weight", spec.consensus_weight);
  spec.overlap_communication = reader.bool_or("overlap_communication", spec.overlap_communication);
  spec.timeout = reader.duration_or("timeout", spec.timeout);
  spec.compression = read_compression(reader.section("compression"));
  spec.error_feedback = reader.bool_or("error_feedback", spec.error_feedback);
  spec.consensus_step_size = reader.positive_number_or("consensus_step_size", spec.consensus_step_size);
  if (spec.consensus_step_size > 1.0) {
    throw InvalidInput("/algorithm/consensus_step_size",
                       "expected gamma in (0, 1], found " + std::to_string(spec.consensus_step_size));
  }
  spec.communication = reader.choice_or("communication", spec.communication, {"parameter_server", "all_reduce", "none"});
  spec.client_fraction = reader.probability_or("client_fraction", spec.client_fraction);
  if (spec.client_fraction <= 0.0) {
    throw InvalidInput("/algorithm/client_fraction", "expected a fraction in (0, 1], found 0");
  }
  spec.local_epochs =
      reader.number_in_range_or("local_epochs", spec.local_epochs, 0.0, limits::kMaxLocalEpochs, true);
  reader.reject_unknown_keys();
  reject_unused_fields(reader.json(), "/algorithm", "algorithm \"" + spec.kind + "\"",
                       [&](const std::string& key) { return algorithm_reads(spec.kind, key); });
  return spec;
}

StopSpec read_stop(ObjectReader reader) {
  StopSpec spec;
  spec.metric = reader.choice_or("metric", "",
                                 {"train_loss", "test_loss", "train_accuracy", "test_accuracy",
                                  "average_model_test_loss", "average_model_test_accuracy", "consensus_distance"});
  const bool accuracy = spec.metric.find("accuracy") != std::string::npos;
  const std::string direction = reader.choice_or("direction", accuracy ? "at_least" : "at_most", {"at_least", "at_most"});
  spec.at_least = direction == "at_least";
  spec.value = reader.number_or("value", spec.value);
  spec.sim_time = reader.duration_or("sim_time", spec.sim_time);
  spec.bytes = reader.byte_count_or("bytes", spec.bytes);
  reader.reject_unknown_keys();
  if (!spec.metric.empty() && !reader.has("value")) {
    throw InvalidInput("/run/stop/value", "a metric target needs a \"value\"");
  }
  if (spec.metric.empty() && reader.has("value")) {
    throw InvalidInput("/run/stop/metric", "a \"value\" needs the \"metric\" it is a target for");
  }
  return spec;
}

// Defaults: mode "full" ("off" for a replay, which has nothing to evaluate), whole sets,
// every agent up to kDefaultEvaluatedAgents and a seeded subset of that many beyond.
EvaluationSpec read_evaluation(ObjectReader reader, std::size_t agents, bool replay) {
  EvaluationSpec spec;
  spec.mode = reader.choice_or("mode", replay ? "off" : spec.mode, {"full", "test", "average_model", "off"});
  spec.samples = reader.count_or("samples", spec.samples, 0, limits::kMaxSampleCap);
  spec.agents =
      reader.count_or("agents", agents > kDefaultEvaluatedAgents ? kDefaultEvaluatedAgents : 0, 0, limits::kMaxAgents);
  reader.reject_unknown_keys();
  if (replay && spec.mode != "off") {
    throw InvalidInput("/run/evaluation/mode", "a communication-only replay (model kind \"none\") has no model "
                                               "to evaluate; expected \"off\", found \"" + spec.mode + "\"");
  }
  if (spec.agents > agents) {
    throw InvalidInput("/run/evaluation/agents", "expected at most the " + std::to_string(agents) +
                                                     " agents of the run (0 for all), found " +
                                                     std::to_string(spec.agents));
  }
  return spec;
}

RunSpec read_run(ObjectReader reader, std::size_t agents, bool replay) {
  RunSpec spec;
  const bool has_steps = reader.has("steps");
  const bool has_epochs = reader.has("epochs");
  spec.steps = reader.int64_count_or("steps", 0, 1, limits::kMaxSteps);
  // Read either way: the field table lists it.
  const double epochs = reader.number_in_range_or("epochs", 1.0, 0.0, limits::kMaxEpochs, true);
  spec.epochs = has_epochs ? epochs : 0.0;
  spec.eval_every_steps = reader.int64_count_or("eval_every_steps", 0, 0, limits::kMaxSteps);
  spec.eval_every_time = reader.duration_or("eval_every_time", spec.eval_every_time);
  spec.trace = reader.bool_or("trace", spec.trace);
  spec.stop = read_stop(reader.section("stop"));
  spec.evaluation = read_evaluation(reader.section("evaluation"), agents, replay);
  reader.reject_unknown_keys();
  if (has_steps && has_epochs) {
    throw InvalidInput("/run", "give either \"steps\" or \"epochs\", not both");
  }
  if (!has_steps && !has_epochs) spec.epochs = 1.0;
  return spec;
}

// A platform link's two ends, ["host:h" or "switch:s", ...] (fault_spec.h).
std::vector<PlatformNodeName> read_platform_link(const Json& link, const std::string& pointer) {
  if (link.size() != 2) throw InvalidInput(pointer, "expected a platform link's two ends, e.g. [\"host:0\", \"switch:0\"]");
  std::vector<PlatformNodeName> ends;
  for (std::size_t k = 0; k < 2; ++k) {
    const std::string where = pointer + "/" + std::to_string(k);
    const auto bad = [&] {
      return InvalidInput(where, "expected \"host:<h>\" or \"switch:<s>\", found " + scenario_detail::describe_value(link[k]));
    };
    if (!link[k].is_string()) throw bad();
    const std::string text = link[k].get<std::string>();
    const std::size_t colon = text.find(':');
    const std::string role = text.substr(0, colon);
    const std::string digits = colon == std::string::npos ? "" : text.substr(colon + 1);
    if ((role != "host" && role != "switch") || digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      throw bad();
    }
    ends.push_back(PlatformNodeName{role == "switch", static_cast<std::size_t>(std::stoul(digits))});
  }
  return ends;
}

// A fault's "link": two agents [a, b] (into `agents`) or a platform link's two ends
// ["host:h", "switch:s"] (into `ends`).
void read_fault_link(ObjectReader& reader, std::vector<std::size_t>& agents, std::vector<PlatformNodeName>& ends,
                     std::size_t maximum_count = SIZE_MAX) {
  const Json* link = reader.has("link") ? &reader.json()["link"] : nullptr;
  if (link != nullptr && link->is_array() && !link->empty() && (*link)[0].is_string()) {
    reader.array_or_null("link");
    ends = read_platform_link(*link, reader.field_pointer("link"));
  } else {
    agents = reader.unsigned_list_or("link", agents, SIZE_MAX, maximum_count);
  }
}

FaultSpec read_faults(ObjectReader reader, const std::filesystem::path& base_dir) {
  FaultSpec spec;
  spec.loss_probability = reader.probability_or("loss_probability", spec.loss_probability);
  if (const Json* losses = reader.array_or_null("link_loss")) {
    for (std::size_t i = 0; i < losses->size(); ++i) {
      const std::string pointer = "/faults/link_loss/" + std::to_string(i);
      ObjectReader loss_reader((*losses)[i], pointer);
      LinkLoss loss;
      if (!loss_reader.has("link")) throw InvalidInput(pointer + "/link", "every link loss needs a \"link\": [a, b]");
      if (!loss_reader.has("probability")) throw InvalidInput(pointer + "/probability", "every link loss needs a \"probability\"");
      read_fault_link(loss_reader, loss.link, loss.platform_link, 2);
      loss.probability = loss_reader.probability_or("probability", loss.probability);
      loss_reader.reject_unknown_keys();
      spec.link_loss.push_back(std::move(loss));
    }
  }
  {
    ObjectReader churn = reader.section("churn");
    spec.churn.trace = resolve_path(churn.string_or("trace", spec.churn.trace), base_dir);
    spec.churn.mean_online = churn.duration_or("mean_online", spec.churn.mean_online);
    spec.churn.mean_offline = churn.duration_or("mean_offline", spec.churn.mean_offline);
    spec.churn.horizon = churn.duration_or("horizon", spec.churn.horizon);
    spec.churn.fraction = churn.number_in_range_or("fraction", spec.churn.fraction, 0.0, 1.0, true);
    const bool model = spec.churn.mean_online > SimTime::zero() || spec.churn.mean_offline > SimTime::zero() ||
                       spec.churn.horizon > SimTime::zero();
    if (model && !(spec.churn.mean_online > SimTime::zero() && spec.churn.mean_offline > SimTime::zero() &&
                   spec.churn.horizon > SimTime::zero())) {
      throw InvalidInput("/faults/churn", "the churn model needs mean_online, mean_offline and horizon, all > 0");
    }
    if (model && !spec.churn.trace.empty()) {
      throw InvalidInput("/faults/churn/trace", "give a trace file or the model's means, not both");
    }
    if (churn.has("fraction") && !model) throw InvalidInput("/faults/churn/fraction", "only the churn model reads it");
    churn.reject_unknown_keys();
  }
  if (const Json* events = reader.array_or_null("events")) {
    for (std::size_t i = 0; i < events->size(); ++i) {
      const std::string pointer = "/faults/events/" + std::to_string(i);
      ObjectReader event_reader((*events)[i], pointer);
      FaultEvent event;
      if (!event_reader.has("at")) throw InvalidInput(pointer + "/at", "every fault needs a time \"at\"");
      event.at = event_reader.duration_or("at", event.at);
      event.kind = event_reader.choice_or("kind", "", {"link_down", "link_up", "partition", "heal", "crash", "recover",
                                                      "link_degrade"});
      if (event.kind.empty()) throw InvalidInput(pointer + "/kind", "every fault needs a \"kind\"");
      read_fault_link(event_reader, event.link, event.platform_link);
      if (!event.platform_link.empty() && event.kind != "link_down" && event.kind != "link_up" &&
          event.kind != "link_degrade") {
        throw InvalidInput(pointer + "/link", "only link_down, link_up and link_degrade name a platform link");
      }
      if (event_reader.has("agent")) event.agent = event_reader.unsigned_or("agent", 0);
      if (event_reader.has("latency")) event.latency = event_reader.duration_or("latency", SimTime::zero());
      if (event_reader.has("bandwidth")) event.bandwidth = event_reader.bandwidth_or("bandwidth", Bandwidth::from_bits_per_second(1));
      const bool agent_event = event.kind == "crash" || event.kind == "recover";
      if (agent_event != event.agent.has_value()) {
        throw InvalidInput(pointer + "/agent", agent_event ? "a " + event.kind + " needs an \"agent\""
                                                           : "only crash and recover name an \"agent\"");
      }
      const bool degrade = event.kind == "link_degrade";
      if (degrade && !event.latency && !event.bandwidth) {
        throw InvalidInput(pointer, "a link_degrade needs a \"latency\", a \"bandwidth\" or both");
      }
      if (!degrade && (event.latency || event.bandwidth)) {
        throw InvalidInput(pointer + (event.latency ? "/latency" : "/bandwidth"), "only link_degrade reads it");
      }
      if (const Json* groups = event_reader.array_or_null("groups")) {
        for (std::size_t g = 0; g < groups->size(); ++g) {
          const Json& group = (*groups)[g];
          if (!group.is_array()) throw InvalidInput(pointer + "/groups/" + std::to_string(g), "expected a list of agents");
          std::vector<std::size_t> agents;
          for (std::size_t k = 0; k < group.size(); ++k) {
            if (!group[k].is_number_unsigned()) {
              throw InvalidInput(pointer + "/groups/" + std::to_string(g) + "/" + std::to_string(k), "expected an agent number");
            }
            agents.push_back(group[k].get<std::size_t>());
          }
          event.groups.push_back(std::move(agents));
        }
      }
      event_reader.reject_unknown_keys();
      if (!spec.events.empty() && event.at < spec.events.back().at) {
        throw InvalidInput(pointer + "/at", "faults must be listed in time order; " + to_string(event.at) +
                                                " comes after " + to_string(spec.events.back().at));
      }
      spec.events.push_back(std::move(event));
    }
  }
  reader.reject_unknown_keys();
  return spec;
}

bool is_safe_name(const std::string& name) {
  if (name.empty() || name == "." || name == "..") return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Scenario read_scenario(ObjectReader reader, const std::string& origin) {
  const std::filesystem::path origin_path(origin);
  const std::filesystem::path base_dir = origin_path.has_parent_path() ? origin_path.parent_path() : "";
  Scenario scenario;
  const std::string default_name = origin_path.stem().empty() ? "scenario" : origin_path.stem().string();
  scenario.name = reader.string_or("name", default_name);
  if (!is_safe_name(scenario.name)) {
    throw InvalidInput("/name", "expected a name of letters, digits, '-', '_' or '.', found \"" +
                                    scenario.name + "\"");
  }
  reader.string_or("description", "");  // free text for humans; not used by the run
  scenario.seed = reader.unsigned_or("seed", scenario.seed);
  scenario.agents = reader.count_or("agents", scenario.agents, 1, limits::kMaxAgents);
  scenario.topology = read_topology(reader.section("topology"), base_dir);
  scenario.mixing = read_mixing(reader.section("mixing"), base_dir);
  const std::string& topology_kind = scenario.topology.kind;
  const bool may_be_ring = topology_kind == "ring" || topology_kind == "ring_lattice" || topology_kind == "edge_list" ||
                           topology_kind == "dot" || topology_kind == "graphml";
  if (scenario.mixing.rule == "ring_preset" && !may_be_ring) {
    throw InvalidInput("/mixing/rule", "ring_preset needs a ring topology (ring, ring_lattice or a graph file), found \"" +
                                           topology_kind + "\"");
  }
  scenario.network = read_network(reader.section("network"), base_dir);
  const PlatformSpec& platform = scenario.network.platform;
  if (scenario.network.model == "platform" && platform.kind == "regions" && platform.wan_latency.size() > scenario.agents) {
    throw InvalidInput("/network/platform/wan_latency", std::to_string(platform.wan_latency.size()) + " regions for " +
                                                            std::to_string(scenario.agents) +
                                                            " agents; expected at most one region per agent");
  }
  scenario.compute = read_compute(reader.section("compute"));
  read_data(reader.section("data"), base_dir, scenario.data, scenario.partition);
  scenario.model = read_model(reader.section("model"));
  scenario.algorithm = read_algorithm(reader.section("algorithm"));
  scenario.run = read_run(reader.section("run"), scenario.agents, is_replay(scenario.model));
  scenario.faults = read_faults(reader.section("faults"), base_dir);
  reader.reject_unknown_keys();
  if (is_replay(scenario.model) && scenario.compute.flops_per_second > 0.0) {
    throw InvalidInput("/compute/flops_per_second", "a communication-only replay (model kind \"none\") has no "
                                                    "FLOPs to time; give compute.step_time instead");
  }
  return scenario;
}

}  // namespace

Scenario parse_scenario(const std::string& json_text, const std::string& origin) {
  try {
    return read_scenario(ObjectReader(scenario_detail::parse_json_document(json_text), ""), origin);
  } catch (const InvalidInput& error) {
    throw ScenarioError(origin, error.field(), error.what());
  }
}

std::string scenario_json_schema() {
  scenario_detail::FieldTable table;
  const Json empty = Json::object();
  read_scenario(ObjectReader(empty, "", &table), "scenario.json");
  Json schema = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                 {"title", "cdsim scenario"},
                 {"description", "A cdsim scenario file; every field, its unit and default: docs/scenario.md"}};
  schema.update(table.json_schema(""));
  // A file's name defaults to its stem, not to the name of the empty scenario read here.
  Json& name = schema["properties"]["name"];
  name.erase("default");
  name["description"] = "letters, digits, '-', '_' or '.'; default: the file name without .json";
  return schema.dump(2) + "\n";
}

Scenario load_scenario(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw ScenarioError(path, "", "is a directory; expected a scenario file");
  }
  if (!std::filesystem::is_regular_file(path, ignored)) {
    throw ScenarioError(path, "", "no such scenario file");
  }
  // Scenarios are a few kilobytes; a bound keeps a wrong path (a data set) from being read whole.
  constexpr std::uintmax_t kMaxScenarioBytes = 64 << 20;
  const std::uintmax_t size = std::filesystem::file_size(path, ignored);
  if (!ignored && size > kMaxScenarioBytes) {
    throw ScenarioError(path, "", "the file has " + std::to_string(size) +
                                      " bytes; expected a scenario of at most 64 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError(path, "", "cannot open the scenario file for reading");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path);
}

namespace {

// Drops the fields of `section` that `reads` says its kind does not use.
template <typename Reads>
void erase_unused(Json& section, Reads reads) {
  for (auto it = section.begin(); it != section.end();) {
    it = reads(it.key()) ? std::next(it) : section.erase(it);
  }
}

Json compression_json(const CompressorSpec& spec) {
  Json json = {{"kind", spec.kind}};
  if (spec.count > 0) json["count"] = spec.count;
  if (spec.fraction > 0.0) json["fraction"] = spec.fraction;
  if (spec.kind == "qsgd") json["levels"] = spec.levels;
  if (spec.kind == "qsgd" || spec.kind == "random_k") json["unbiased"] = spec.unbiased;
  return json;
}

Json topology_json(const TopologySpec& t) {
  Json json = {{"kind", t.kind},
               {"neighbors_per_side", t.neighbors_per_side},
               {"rows", t.rows},
               {"edge_probability", t.edge_probability},
               {"degree", t.degree},
               {"rewire_probability", t.rewire_probability},
               {"attach_edges", t.attach_edges},
               {"file", t.file}};
  if (t.kind == "random_matching") json["period"] = t.period;
  if (!t.phases.empty()) {
    json["phases"] = Json::array();
    for (const TopologyPhase& phase : t.phases) {
      json["phases"].push_back({{"topology", topology_json(phase.topology)}, {"steps", phase.steps}});
    }
  }
  erase_unused(json, [&](const std::string& key) { return topology_reads(t.kind, key); });
  return json;
}

}  // namespace

std::string resolved_scenario_json(const Scenario& s) {
  Json root = Json::object();
  root["name"] = s.name;
  root["seed"] = s.seed;
  root["agents"] = s.agents;
  root["topology"] = topology_json(s.topology);
  root["mixing"] = {{"rule", s.mixing.rule},
                    {"lazy", s.mixing.lazy},
                    {"self_weight", s.mixing.self_weight},
                    {"neighbor_weight", s.mixing.neighbor_weight},
                    {"matrix", s.mixing.matrix},
                    {"file", s.mixing.file},
                    {"allow_asymmetric", s.mixing.allow_asymmetric}};
  root["network"] = {{"model", s.network.model},
                     {"latency", to_string(s.network.latency)},
                     {"bandwidth", to_string(s.network.bandwidth)}};
  const LatencyDistribution& latency = s.network.latency_distribution;
  if (latency.kind == "uniform") {
    root["network"]["latency_distribution"] = {{"kind", latency.kind}, {"min", to_string(latency.min)},
                                               {"max", to_string(latency.max)}};
  } else if (latency.kind == "log_normal") {
    root["network"]["latency_distribution"] = {{"kind", latency.kind}, {"median", to_string(latency.median)},
                                               {"sigma", latency.sigma}};
  }
  if (!s.network.agent_classes.empty()) {
    Json classes = Json::array();
    for (const AgentClass& c : s.network.agent_classes) {
      classes.push_back({{"name", c.name}, {"fraction", c.fraction}, {"uplink", to_string(c.uplink)},
                         {"downlink", to_string(c.downlink)}, {"latency", to_string(c.latency)}});
    }
    root["network"]["agent_classes"] = classes;
  }
  if (s.network.model != "point_to_point") {
    Json nic = Json::object();
    if (s.network.nic.uplink) nic["uplink"] = to_string(*s.network.nic.uplink);
    if (s.network.nic.downlink) nic["downlink"] = to_string(*s.network.nic.downlink);
    root["network"]["nic"] = nic;
  }
  if (s.network.model == "platform") {
    const PlatformSpec& p = s.network.platform;
    Json platform = {{"kind", p.kind}};
    if (p.kind == "tree") {
      platform["hosts_per_switch"] = p.hosts_per_switch;
      platform["oversubscription"] = p.oversubscription;
    }
    if (p.kind == "file") platform["file"] = p.file;
    if (p.core_latency) platform["core_latency"] = to_string(*p.core_latency);
    if (p.core_bandwidth) platform["core_bandwidth"] = to_string(*p.core_bandwidth);
    if (p.kind == "regions") {
      Json rows = Json::array();
      for (const std::vector<SimTime>& row : p.wan_latency) {
        Json entries = Json::array();
        for (const SimTime latency : row) entries.push_back(to_string(latency));
        rows.push_back(entries);
      }
      platform["wan_latency"] = rows;
    }
    root["network"]["platform"] = platform;
  }
  root["compute"] = {{"step_time", to_string(s.compute.step_time)},
                     {"flops_per_second", s.compute.flops_per_second},
                     {"speed_spread", s.compute.speed_spread},
                     {"straggler_probability", s.compute.straggler_probability},
                     {"straggler_slowdown", s.compute.straggler_slowdown}};
  root["data"] = {{"source", s.data.source},
                  {"train_samples", s.data.train_samples},
                  {"test_samples", s.data.test_samples},
                  {"dimension", s.data.dimension},
                  {"classes", s.data.classes},
                  {"noise_std", s.data.noise_std},
                  {"path", s.data.path},
                  {"max_train_samples", s.data.max_train_samples},
                  {"max_test_samples", s.data.max_test_samples},
                  {"normalize", s.data.normalize},
                  {"partition",
                   {{"kind", s.partition.kind},
                    {"classes_per_agent", s.partition.classes_per_agent},
                    {"dirichlet_alpha", s.partition.dirichlet_alpha},
                    {"fractions", s.partition.fractions}}}};
  root["model"] = {{"kind", s.model.kind},
                   {"parameters", s.model.parameters},
                   {"hidden", s.model.hidden},
                   {"activation", s.model.activation},
                   {"dropout", s.model.dropout},
                   {"init", s.model.init}};
  const StepSizeSchedule& schedule = s.algorithm.schedule;
  root["algorithm"] = {{"kind", s.algorithm.kind},
                       {"learning_rate", s.algorithm.learning_rate},
                       {"momentum", s.algorithm.momentum},
                       {"weight_decay", s.algorithm.weight_decay},
                       {"batch_size", s.algorithm.batch_size},
                       {"schedule",
                        {{"kind", schedule.kind},
                         {"drop_factor", schedule.drop_factor},
                         {"drop_every", schedule.drop_every},
                         {"decay", schedule.decay},
                         {"exponent", schedule.exponent}}},
                       {"consensus_steps", s.algorithm.consensus_steps},
                       {"consensus_weight", s.algorithm.consensus_weight},
                       {"overlap_communication", s.algorithm.overlap_communication},
                       {"timeout", to_string(s.algorithm.timeout)},
                       {"compression", compression_json(s.algorithm.compression)},
                       {"error_feedback", s.algorithm.error_feedback},
                       {"consensus_step_size", s.algorithm.consensus_step_size},
                       {"communication", s.algorithm.communication},
                       {"client_fraction", s.algorithm.client_fraction},
                       {"local_epochs", s.algorithm.local_epochs}};
  Json run = {{"eval_every_steps", s.run.eval_every_steps},
              {"eval_every_time", to_string(s.run.eval_every_time)},
              {"evaluation", {{"mode", s.run.evaluation.mode},
                              {"samples", s.run.evaluation.samples},
                              {"agents", s.run.evaluation.agents}}},
              {"trace", s.run.trace}};
  const StopSpec& stop = s.run.stop;
  run["stop"] = {{"sim_time", to_string(stop.sim_time)}, {"bytes", to_string(stop.bytes)}};
  if (!stop.metric.empty()) {
    run["stop"]["metric"] = stop.metric;
    run["stop"]["value"] = stop.value;
    run["stop"]["direction"] = stop.at_least ? "at_least" : "at_most";
  }
  if (s.run.steps > 0) {
    run["steps"] = s.run.steps;
  } else {
    run["epochs"] = s.run.epochs;
  }
  root["run"] = run;
  if (s.faults.any()) {
    Json events = Json::array();
    for (const FaultEvent& e : s.faults.events) {
      Json event = {{"at", to_string(e.at)}, {"kind", e.kind}};
      if (!e.link.empty()) event["link"] = e.link;
      if (!e.platform_link.empty()) event["link"] = Json{e.platform_link[0].text(), e.platform_link[1].text()};
      if (!e.groups.empty()) event["groups"] = e.groups;
      if (e.agent) event["agent"] = *e.agent;
      if (e.latency) event["latency"] = to_string(*e.latency);
      if (e.bandwidth) event["bandwidth"] = to_string(*e.bandwidth);
      events.push_back(event);
    }
    Json link_loss = Json::array();
    for (const LinkLoss& loss : s.faults.link_loss) {
      const Json link = loss.platform_link.empty() ? Json(loss.link)
                                                   : Json{loss.platform_link[0].text(), loss.platform_link[1].text()};
      link_loss.push_back({{"link", link}, {"probability", loss.probability}});
    }
    root["faults"] = {{"loss_probability", s.faults.loss_probability}, {"link_loss", link_loss}, {"events", events}};
    const ChurnSpec& churn = s.faults.churn;
    if (!churn.trace.empty()) root["faults"]["churn"] = {{"trace", churn.trace}};
    if (churn.mean_online > SimTime::zero()) {
      root["faults"]["churn"] = {{"mean_online", to_string(churn.mean_online)},
                                 {"mean_offline", to_string(churn.mean_offline)},
                                 {"horizon", to_string(churn.horizon)},
                                 {"fraction", churn.fraction}};
    }
  }
  // Only the fields each section's kind reads, so the resolved scenario loads back.
  erase_unused(root["algorithm"], [&](const std::string& key) { return algorithm_reads(s.algorithm.kind, key); });
  erase_unused(root["topology"], [&](const std::string& key) { return topology_reads(s.topology.kind, key); });
  erase_unused(root["mixing"], [&](const std::string& key) { return mixing_reads(s.mixing.rule, key); });
  return root.dump(2) + "\n";
}

}  // namespace cdsim
