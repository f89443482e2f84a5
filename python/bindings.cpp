// _cdsim: the Python extension under the cdsim package (python/cdsim/). Thin bindings over
// the libraries `cdsim` itself uses: a scenario comes in as a file path or as JSON text, is
// loaded by the same loader, and errors leave as cdsim.ScenarioError (a ValueError) or
// cdsim.RunError (a RuntimeError) whose message is the one line the program prints after
// "error: ". Simulating releases the GIL. Everything else (DataFrames, run directories,
// sweeps) is pure Python in the package.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "analysis/run_errors.h"
#include "analysis/run_scenario.h"
#include "analysis/studies/sweep_runner.h"
#include "analysis/studies/sweep_spec.h"
#include "analysis/topology_whatif.h"
#include "analysis/trace_reader.h"
#include "scenarios/scenario_check.h"
#include "scenarios/scenario_loader.h"
#include "sim/network.h"

namespace py = pybind11;

namespace cdsim::python {
namespace {

// Raised in Python as cdsim.ScenarioError and cdsim.RunError, with the program's message.
class BadScenario : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class RunFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where a scenario comes from: a file (loaded by path) or JSON text named `origin` in errors.
struct ScenarioSource {
  std::string path_or_text;
  bool is_file = true;
  std::string origin;  // the name errors give: the path, or what the caller called the text

  Scenario load() const {
    return is_file ? load_scenario(path_or_text) : parse_scenario(path_or_text, origin);
  }
};

ScenarioSource source_from(const std::string& path_or_text, bool is_file, const std::string& origin) {
  return ScenarioSource{path_or_text, is_file, is_file ? path_or_text : origin};
}

// Runs `body` and maps its exceptions as apps/scenario_errors.h does for the program.
template <typename Body>
auto with_scenario_errors(const ScenarioSource& source, Body body) {
  try {
    return body();
  } catch (const py::error_already_set&) {
    throw;
  } catch (...) {
    const RunFailure failure = current_run_failure(source.origin);
    if (failure.bad_input) throw BadScenario(failure.message);
    throw RunFailed(failure.message);
  }
}

py::dict validate(const std::string& path_or_text, bool is_file, const std::string& origin) {
  const ScenarioSource source = source_from(path_or_text, is_file, origin);
  return with_scenario_errors(source, [&] {
    const Scenario scenario = as_simulated(source.load());
    const ScenarioTopology topology = check_scenario(scenario);
    py::dict info;
    info["name"] = scenario.name;
    info["agents"] = scenario.agents;
    info["topology"] = scenario.topology.kind;
    info["edges"] = topology.graph.edge_count();
    info["algorithm"] = scenario.algorithm.kind;
    return info;
  });
}

std::string resolve(const std::string& path_or_text, bool is_file, const std::string& origin) {
  const ScenarioSource source = source_from(path_or_text, is_file, origin);
  return with_scenario_errors(source, [&] { return resolved_scenario_json(source.load()); });
}

std::size_t default_threads() { return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 8); }

py::dict run(const std::string& path_or_text, bool is_file, const std::string& origin, const std::string& out,
             std::size_t threads, bool progress) {
  if (threads < 1 || threads > 256) throw py::value_error("threads must be in [1, 256]");
  const ScenarioSource source = source_from(path_or_text, is_file, origin);
  RunResult result = with_scenario_errors(source, [&] {
    const Scenario scenario = source.load();
    RunOptions options;
    options.output_directory = out;
    options.progress = progress ? &std::cerr : nullptr;
    options.notices = &std::cerr;
    options.threads = threads;
    py::gil_scoped_release release;
    return run_scenario(scenario, options);
  });
  py::dict info;
  info["run_directory"] = result.run_directory.string();
  info["wall_seconds"] = result.wall_seconds;
  info["total_steps"] = result.total_steps;
  info["diverged_at_step"] = result.diverged_at_step ? py::cast(*result.diverged_at_step) : py::none();
  return info;
}

py::dict topology_report(const std::string& path_or_text, bool is_file, const std::string& origin,
                         std::uint64_t parameters, double factor, bool shared_uplink) {
  const ScenarioSource source = source_from(path_or_text, is_file, origin);
  NetworkSummary network;
  const NamedReport named = with_scenario_errors(source, [&] {
    WhatIfOptions options;
    options.parameters = parameters;
    options.disagreement_factor = factor;
    options.shared_uplink = shared_uplink;
    const Scenario scenario = source.load();
    NamedReport report = scenario_topology_report(scenario, options);
    network = summarize_network(scenario, build_scenario_topology(scenario));
    return report;
  });
  py::dict figures;
  figures["name"] = named.name;
  for (const ReportField& field : report_fields(named.report)) {
    figures[py::str(field.key)] = std::visit(
        [](const auto& value) -> py::object {
          if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::monostate>) {
            return py::none();
          } else {
            return py::cast(value);
          }
        },
        field.value);
  }
  py::dict network_figures;  // as `cdsim topology --json` writes them
  network_figures["model"] = network.model;
  network_figures["platform"] = network.platform.empty() ? py::object(py::none()) : py::object(py::str(network.platform));
  network_figures["hosts"] = network.hosts;
  network_figures["switches"] = network.switches;
  network_figures["physical_links"] = network.physical_links;
  network_figures["protocol_edges"] = network.protocol_links;
  figures["network"] = network_figures;
  return figures;
}

// A sweep in this process, one run after another (studies::run_sweep_in_process): a sweep
// file, or sweep JSON text anchored at `anchor` (relative paths in it are the anchor's
// folder's). Returns the folder and each run's id and status.
py::dict sweep(const std::string& path_or_text, bool is_file, const std::string& anchor, const std::string& out,
               std::size_t threads, bool progress) {
  if (threads < 1 || threads > 256) throw py::value_error("threads must be in [1, 256]");
  studies::SweepSpec spec;
  std::vector<studies::SweepRun> runs;
  try {
    spec = is_file ? studies::read_sweep_file(path_or_text) : studies::parse_sweep(path_or_text, anchor);
    runs = studies::expand_sweep(spec);
    studies::check_sweep_runs(spec, runs);
  } catch (const ScenarioError& error) {
    throw BadScenario(error.what());
  }
  studies::SweepOptions options;
  options.output_directory = out;
  options.progress = progress ? &std::cerr : nullptr;
  std::vector<studies::RunStatus> statuses;
  std::filesystem::path folder;
  try {
    py::gil_scoped_release release;
    statuses = studies::run_sweep_in_process(spec, runs, options, threads);
    folder = studies::sweep_folder(spec, options);
  } catch (const std::exception& error) {
    throw RunFailed(error.what());
  }
  py::dict result;
  result["directory"] = folder.string();
  py::dict status_by_id;
  for (std::size_t i = 0; i < runs.size(); ++i) status_by_id[py::str(runs[i].id)] = studies::to_string(statuses[i]);
  result["statuses"] = status_by_id;
  return result;
}

// The trace as one NumPy array per TraceEvent field, plus the type names by value.
py::dict read_trace_columns(const std::string& path) {
  std::vector<TraceRecord> records;
  {
    py::gil_scoped_release release;
    records = read_trace(path);
  }
  const auto column = [&records](auto member) {
    using T = std::decay_t<decltype(records.front().*member)>;
    py::array_t<T> array(static_cast<py::ssize_t>(records.size()));
    T* data = array.mutable_data();
    for (std::size_t i = 0; i < records.size(); ++i) data[i] = records[i].*member;
    return array;
  };
  py::dict columns;
  columns["type"] = column(&TraceRecord::type);
  columns["time_ns"] = column(&TraceRecord::time_ns);
  columns["sender"] = column(&TraceRecord::sender);
  columns["receiver"] = column(&TraceRecord::receiver);
  columns["size_bytes"] = column(&TraceRecord::size_bytes);
  columns["round"] = column(&TraceRecord::round);
  columns["kind"] = column(&TraceRecord::kind);
  columns["link"] = column(&TraceRecord::link);
  columns["duration_ns"] = column(&TraceRecord::duration_ns);
  columns["cause"] = column(&TraceRecord::cause);
  py::dict names;
  for (const TraceRecord& record : records) {
    if (!names.contains(py::int_(record.type))) names[py::int_(record.type)] = trace_event_type_name(record.type);
  }
  columns["type_names"] = names;
  return columns;
}

}  // namespace
}  // namespace cdsim::python

PYBIND11_MODULE(_cdsim, m) {
  using namespace cdsim::python;
  m.doc() = "cdsim's C++ core; use the cdsim package, not this module";
  py::register_exception<BadScenario>(m, "ScenarioError", PyExc_ValueError);
  py::register_exception<RunFailed>(m, "RunError", PyExc_RuntimeError);
  m.def("validate", &validate, py::arg("path_or_text"), py::arg("is_file"), py::arg("origin"));
  m.def("resolve", &resolve, py::arg("path_or_text"), py::arg("is_file"), py::arg("origin"));
  m.def("run", &run, py::arg("path_or_text"), py::arg("is_file"), py::arg("origin"), py::arg("out"),
        py::arg("threads"), py::arg("progress"));
  m.def("default_threads", &default_threads);
  m.def("topology_report", &topology_report, py::arg("path_or_text"), py::arg("is_file"), py::arg("origin"),
        py::arg("parameters"), py::arg("factor"), py::arg("shared_uplink"));
  m.def("read_trace_columns", &read_trace_columns, py::arg("path"));
  m.def("scenario_json_schema", &cdsim::scenario_json_schema);
  m.def("sweep_json_schema", &cdsim::studies::sweep_json_schema);
  m.def("sweep", &sweep, py::arg("path_or_text"), py::arg("is_file"), py::arg("anchor"), py::arg("out"),
        py::arg("threads"), py::arg("progress"));
  m.def("loss_cause_names", [] {
    py::dict names;  // every LossCause value this build names
    for (std::uint32_t value = 1; value < 64; ++value) {
      const std::string name = cdsim::loss_cause_name(static_cast<cdsim::LossCause>(value));
      if (name != "unknown") names[py::int_(value)] = name;
    }
    return names;
  });
  m.attr("__version__") = "0.1.0";
}
