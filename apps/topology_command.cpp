// `cdsim topology`: what-if figures of one or more topologies before any training runs.
// Each spec is a scenario file, or inline JSON with --spec merged onto the first scenario
// file given (onto the defaults when there is none); --set applies to all of them. Only
// the agents, seed, topology, mixing, network and model size matter here. Each report also
// says which network model the run would use and, for shared links, its physical network.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <optional>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/topology_whatif.h"
#include "apps/commands.h"
#include "apps/override_option.h"
#include "apps/scenario_errors.h"
#include "scenarios/scenario_loader.h"
#include "scenarios/scenario_topology.h"
#include "analysis/metrics.h"
#include "core/invalid_input.h"
#include "topologies/generators.h"
#include "topologies/mixing_schedule.h"
#include "topologies/graph_io.h"
#include "topologies/topology_report.h"

namespace cdsim::apps {
namespace {

constexpr std::uint64_t kMaxWhatIfParameters = std::uint64_t{1} << 40;
// A what-if graph is built whole; beyond this many edges it would not fit in memory.
constexpr double kMaxWhatIfEdges = 1e8;

struct TopologyArguments {
  std::vector<std::string> files;
  std::vector<std::string> inline_specs;
  std::vector<std::string> overrides;  // --set FIELD=VALUE, applied to every spec
  bool json = false;
  std::string dot_path;
  std::uint64_t parameters = 0;  // 0: the scenario model's parameter count
  double factor = 1000.0;
  bool shared_uplink = false;
};

nlohmann::json to_json(const NetworkSummary& n) {
  return {{"model", n.model},
          {"platform", n.platform.empty() ? nlohmann::json() : nlohmann::json(n.platform)},
          {"hosts", n.hosts},
          {"switches", n.switches},
          {"physical_links", n.physical_links},
          {"protocol_edges", n.protocol_links}};
}

std::string network_line(const std::string& name, const NetworkSummary& n) {
  std::string line = name + ": network \"" + n.model + "\": ";
  if (n.platform.empty()) {
    line += std::to_string(n.physical_links) + " point-to-point links (FIFO) between " + std::to_string(n.hosts) + " nodes";
  } else {
    const std::string what = n.platform == "nic" ? " NICs" : " switches";
    line += "platform \"" + n.platform + "\", " + std::to_string(n.hosts) + " hosts, " + std::to_string(n.switches) +
            what + ", " + std::to_string(n.physical_links) + " full-duplex links shared max-min fairly";
  }
  return line + "\n";
}

nlohmann::json to_json(const NamedReport& named) {
  nlohmann::json object = {{"name", named.name}};
  for (const ReportField& field : report_fields(named.report)) {
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            object[field.key] = nullptr;
          } else {
            object[field.key] = value;
          }
        },
        field.value);
  }
  return object;
}

// An inline spec as a JSON merge patch (RFC 7386) on the first scenario file, whose folder
// relative paths are then taken from; on the defaults when no file is given.
Scenario spec_scenario(const TopologyArguments& arguments, const std::string& spec_text, const std::string& label,
                       const std::vector<ScenarioOverride>& overrides) {
  const nlohmann::json spec = nlohmann::json::parse(spec_text, nullptr, /*allow_exceptions=*/false);
  if (spec.is_discarded() || !spec.is_object()) return parse_scenario(spec_text, "spec", overrides);  // reports it
  if (arguments.files.empty()) return parse_scenario(spec_text, "spec", overrides);
  const std::string& base_path = arguments.files.front();
  std::ifstream in(base_path, std::ios::binary);
  std::ostringstream base_text;
  base_text << in.rdbuf();
  nlohmann::json base = nlohmann::json::parse(base_text.str(), nullptr, /*allow_exceptions=*/false);
  if (base.is_discarded()) return load_scenario(base_path);  // reports the syntax error
  base.merge_patch(spec);
  // Without a name of its own the spec is named after its base and its place.
  if (!spec.contains("name")) {
    const std::string stem = std::filesystem::path(base_path).stem().string();
    base["name"] = (base.contains("name") && base["name"].is_string() ? base["name"].get<std::string>() : stem) + "." + label;
  }
  return parse_scenario(base.dump(), base_path, overrides);
}

int describe(const TopologyArguments& arguments) {
  std::vector<std::pair<std::string, std::string>> sources;  // (origin, JSON text or "" for a file)
  std::vector<std::string> labels;
  for (const std::string& file : arguments.files) sources.emplace_back(file, "");
  for (std::size_t i = 0; i < arguments.inline_specs.size(); ++i) {
    sources.emplace_back("--spec " + std::to_string(i + 1), arguments.inline_specs[i]);
    labels.resize(sources.size());
    labels.back() = "spec" + std::to_string(i + 1);
  }
  if (sources.empty()) {
    std::cerr << "error: give at least one scenario file or --spec JSON\n";
    return kExitBadInput;
  }
  if (!arguments.dot_path.empty() && sources.size() != 1) {
    std::cerr << "error: --dot draws one topology; give exactly one spec\n";
    return kExitBadInput;
  }
  std::vector<NamedReport> reports;
  labels.resize(sources.size());
  // Time-varying topologies: the spectrum of one period's product, beside the report of
  // round 0 (whose graph column is the union of the rounds' graphs).
  std::vector<std::optional<std::pair<std::string, ScheduleSpectrum>>> schedules;
  std::vector<NetworkSummary> networks;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    const auto& [origin, text] = sources[s];
    const int code = with_scenario_errors(origin, [&] {
      const std::vector<ScenarioOverride> overrides = parse_overrides(arguments.overrides);
      const Scenario scenario = text.empty() ? load_scenario(origin, overrides) : spec_scenario(arguments, text, labels[s], overrides);
      const double edges = expected_edge_count(scenario.topology, scenario.agents);
      if (edges > kMaxWhatIfEdges) {
        throw InvalidInput("/topology", "the graph would have about " + format_number(edges) +
                                            " edges; expected at most 1e8");
      }
      WhatIfOptions options;
      options.parameters = arguments.parameters;
      options.disagreement_factor = arguments.factor;
      options.shared_uplink = arguments.shared_uplink;
      reports.push_back(scenario_topology_report(scenario, options));
      schedules.emplace_back();
      const ScenarioTopology topology = build_scenario_topology(scenario);
      networks.push_back(summarize_network(scenario, topology));
      if (topology.schedule) schedules.back().emplace(topology.schedule->kind, analyze_schedule(*topology.schedule));
      if (!arguments.dot_path.empty()) {
        std::ofstream out(arguments.dot_path, std::ios::binary);
        out << write_dot(topology.graph, topology.mixing);
        if (!out) throw std::runtime_error(arguments.dot_path + ": cannot write the drawing");
      }
      return kExitSuccess;
    });
    if (code != kExitSuccess) return code;
  }
  if (arguments.json) {
    nlohmann::json array = nlohmann::json::array();
    for (std::size_t i = 0; i < reports.size(); ++i) {
      nlohmann::json object = to_json(reports[i]);
      object["network"] = to_json(networks[i]);
      if (schedules[i]) {
        const ScheduleSpectrum& spectrum = schedules[i]->second;
        object["schedule"] = {{"kind", schedules[i]->first},
                              {"period", spectrum.period},
                              {"period_contraction", spectrum.period_contraction},
                              {"per_round_contraction", spectrum.per_round_contraction},
                              {"method", spectrum.method}};
      }
      array.push_back(object);
    }
    std::cout << array.dump(2) << "\n";
  } else {
    std::cout << format_report_table(reports);
    for (std::size_t i = 0; i < reports.size(); ++i) std::cout << network_line(reports[i].name, networks[i]);
    for (std::size_t i = 0; i < reports.size(); ++i) {
      if (!schedules[i]) continue;
      const ScheduleSpectrum& spectrum = schedules[i]->second;
      char line[256];
      std::snprintf(line, sizeof line,
                    "%s: time-varying (%s), period %zu rounds; ||W_P...W_1 - J|| = %.6g over a period "
                    "(%.6g per round, %s); the row above shows round 0 on the union graph\n",
                    reports[i].name.c_str(), schedules[i]->first.c_str(), spectrum.period,
                    spectrum.period_contraction, spectrum.per_round_contraction, spectrum.method.c_str());
      std::cout << line;
    }
  }
  return kExitSuccess;
}

}  // namespace

void add_topology_command(CLI::App& app, CommandResult& result) {
  auto arguments = std::make_shared<TopologyArguments>();
  CLI::App* command = app.add_subcommand(
      "topology", "Spectral what-if of topologies: gap, edges, bytes and time per round, steps to agree");
  command->add_option("scenarios", arguments->files, "Scenario files (their topology, mixing, network, model)");
  command->add_option("--spec", arguments->inline_specs,
                      "Inline scenario JSON merged onto the first scenario file (or the defaults), "
                      "e.g. '{\"agents\": 16, \"topology\": {\"kind\": \"torus\"}}'");
  add_override_option(command, arguments->overrides);
  command->add_flag("--json", arguments->json, "Print JSON instead of a table");
  command->add_option("--dot", arguments->dot_path, "Write a Graphviz drawing with the mixing weights");
  // 2^40 parameters (4 TiB messages) keeps every byte count and time of the report exact.
  command->add_option("--parameters", arguments->parameters,
                      "Model size in parameters, at most 2^40 (default: the scenario's model)")
      ->check(CLI::Range(std::uint64_t{0}, kMaxWhatIfParameters));
  command->add_option("--factor", arguments->factor, "Disagreement shrink factor to predict steps for")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  command->add_flag("--shared-uplink", arguments->shared_uplink,
                    "An agent's messages share one uplink (default: one link per edge, as cdsim run)");
  command->callback([arguments, &result] { result.exit_code = describe(*arguments); });
}

}  // namespace cdsim::apps
