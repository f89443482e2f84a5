// A sweep: a base scenario, a grid of axes (field path -> values; the runs are the
// product of the axes, with zip groups whose axes vary together) and seeds, read from a
// sweep file and expanded into runs with readable, stable ids. The schema is in
// docs/sweeps.md; errors name the sweep file and the JSON pointer, as for scenarios.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/scenario_overrides.h"

namespace cdsim::studies {

struct SweepAxis {
  std::string field;                // dotted scenario path, e.g. "topology.kind"
  std::vector<std::string> values;  // each value as JSON text
  std::size_t zip_group = 0;        // 0: a product axis; k > 0: varies with group k's other axes
};

struct SweepSpec {
  std::string name;                      // default: the sweep file's stem
  std::filesystem::path file;            // the sweep file (absolute)
  std::filesystem::path base_file;       // the base scenario file (absolute); empty when inline
  std::string base_json;                 // the base scenario's JSON text
  std::vector<ScenarioOverride> fixed;   // "set": overrides every run shares
  std::vector<SweepAxis> axes;           // in the file's order: grid axes, then zip groups
  std::vector<std::uint64_t> seeds;
};

// One run of a sweep: its id and the overrides that make its scenario from the base.
struct SweepRun {
  std::string id;                       // e.g. "kind=ring__learning_rate=0.05__seed=1"
  std::vector<std::string> axis_values;  // JSON text, one per SweepSpec::axes entry
  std::uint64_t seed = 0;
  std::vector<ScenarioOverride> overrides;  // fixed, then the axes, then seed
};

// Reads and checks a sweep file (JSON syntax, known keys, non-empty axes, equal zip
// lengths, seeds); throws ScenarioError naming the file and the pointer. Scenario fields
// are checked by check_sweep_runs.
SweepSpec read_sweep_file(const std::filesystem::path& path);
// Parses sweep JSON text; `path` names it and anchors relative paths.
SweepSpec parse_sweep(const std::string& json_text, const std::filesystem::path& path);

// The runs in a fixed order: the product of the axes (first axis slowest), seeds fastest.
// Throws ScenarioError when two runs would get the same id.
std::vector<SweepRun> expand_sweep(const SweepSpec& spec);

// The scenario of one run, loaded like `cdsim run BASE --set ...` would load it; a
// ScenarioError names the base scenario's file and field.
Scenario load_run_scenario(const SweepSpec& spec, const SweepRun& run);

// Loads every run's scenario, so that a bad axis value or an unknown field fails before
// anything runs; throws ScenarioError naming the sweep file and the axis' JSON pointer
// (e.g. "/grid/topology.kind/1"), with the scenario loader's message.
void check_sweep_runs(const SweepSpec& spec, const std::vector<SweepRun>& runs);

// The JSON Schema (draft 2020-12) of sweep files, from the same key table the reader
// checks; an inline base is checked against the scenario schema (`cdsim schema --sweep`).
std::string sweep_json_schema();

// The resolved sweep (sweep.json): base as an absolute path or inline object, the axes,
// zip groups and seeds written out.
std::string resolved_sweep_json(const SweepSpec& spec);

}  // namespace cdsim::studies
