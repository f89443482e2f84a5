#include "analysis/studies/sweep_spec.h"

#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/invalid_input.h"
#include "scenarios/json_document.h"
#include "scenarios/scenario_loader.h"

namespace cdsim::studies {
namespace {

// ordered_json keeps the file's key order, which orders the axes and so the run ids.
using Json = nlohmann::ordered_json;

std::string pointer_token(const std::string& key) {
  std::string token;
  for (char c : key) token += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
  return token;
}

class SweepReader {
 public:
  explicit SweepReader(std::filesystem::path path) : path_(std::move(path)) {}
  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const {
    throw ScenarioError(path_.string(), pointer, message);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A sweep expands into at most this many runs: the bound is checked before the runs (or a
// seed count's list) are allocated. A larger campaign is several sweeps.
constexpr std::uint64_t kMaxSweepRuns = 1'000'000;

// The keys of a sweep file, each with the JSON Schema of its value: the reader accepts
// exactly these keys, and sweep_json_schema() is generated from the same table, so the two
// cannot drift apart. "#/$defs/scenario" is the scenario schema (scenario_json_schema).
struct SweepKey {
  const char* key;
  const char* description;
  Json schema;
};

std::vector<SweepKey> sweep_keys() {
  const Json axes = {{"type", "object"},
                     {"propertyNames", {{"minLength", 1}, {"not", {{"const", "seed"}}}}},
                     {"additionalProperties", {{"type", "array"}, {"minItems", 1}}}};
  return {
      {"name", "the default folder runs/<name>; default: the sweep file's stem", {{"type", "string"}, {"minLength", 1}}},
      {"description", "free text", {{"type", "string"}}},
      {"base", "the base scenario: a file relative to the sweep file, or an inline scenario",
       {{"oneOf", Json::array({{{"type", "string"}}, {{"$ref", "#/$defs/scenario"}}})}}},
      {"set", "field path -> value: overrides every run shares ('--set' form; null removes the field)",
       {{"type", "object"}, {"propertyNames", {{"minLength", 1}}}}},
      {"grid", "field path -> non-empty list of values: the product axes", axes},
      {"zip", "axes that vary together (equal-length lists), one object or a list of them",
       {{"oneOf", Json::array({{{"$ref", "#/$defs/zip_group"}},
                               {{"type", "array"}, {"items", {{"$ref", "#/$defs/zip_group"}}}}})}}},
      {"seeds", "a count n (seeds 1..n) or a list of distinct seeds; default [1]",
       {{"oneOf", Json::array({{{"type", "integer"}, {"minimum", 1}, {"maximum", kMaxSweepRuns}},
                               {{"type", "array"},
                                {"minItems", 1},
                                {"uniqueItems", true},
                                {"items", {{"type", "integer"}, {"minimum", 0}}}}})},
         {"default", Json::array({1})}}},
  };
}

void check_keys(const SweepReader& reader, const Json& object, const std::string& pointer,
                const std::set<std::string>& known) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (known.count(it.key()) == 0) {
      std::string list;
      for (const std::string& key : known) list += (list.empty() ? "" : ", ") + key;
      reader.fail(pointer + "/" + pointer_token(it.key()),
                  "unknown key \"" + it.key() + "\" (known keys here: " + list + ")");
    }
  }
}

std::vector<SweepAxis> read_axes(const SweepReader& reader, const Json& object, const std::string& pointer,
                                 std::size_t zip_group) {
  if (!object.is_object()) reader.fail(pointer, "expected an object of field path -> list of values");
  std::vector<SweepAxis> axes;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string axis_pointer = pointer + "/" + pointer_token(it.key());
    if (it.key().empty()) reader.fail(axis_pointer, "empty field path");
    if (it.key() == "seed") reader.fail(axis_pointer, "vary the seed with \"seeds\", not as an axis");
    if (!it.value().is_array()) reader.fail(axis_pointer, "expected a list of values");
    if (it.value().empty()) reader.fail(axis_pointer, "an axis needs at least one value");
    SweepAxis axis{it.key(), {}, zip_group};
    for (const Json& value : it.value()) axis.values.push_back(value.dump());
    axes.push_back(std::move(axis));
  }
  return axes;
}

std::vector<std::uint64_t> read_seeds(const SweepReader& reader, const Json* seeds) {
  if (seeds == nullptr) return {1};
  if (seeds->is_number_unsigned()) {
    const std::uint64_t count = seeds->get<std::uint64_t>();
    if (count == 0 || count > kMaxSweepRuns) {
      reader.fail("/seeds", "expected a count from 1 to " + std::to_string(kMaxSweepRuns) + " or a list of seeds, found " +
                                std::to_string(count));
    }
    std::vector<std::uint64_t> list;
    for (std::uint64_t s = 1; s <= count; ++s) list.push_back(s);
    return list;
  }
  if (!seeds->is_array() || seeds->empty()) reader.fail("/seeds", "expected a count >= 1 or a non-empty list of seeds");
  std::vector<std::uint64_t> list;
  std::set<std::uint64_t> seen;
  for (std::size_t i = 0; i < seeds->size(); ++i) {
    const Json& seed = (*seeds)[i];
    if (!seed.is_number_unsigned()) reader.fail("/seeds/" + std::to_string(i), "expected a whole number >= 0, found " + seed.dump());
    if (!seen.insert(seed.get<std::uint64_t>()).second) reader.fail("/seeds/" + std::to_string(i), "seed " + seed.dump() + " is listed twice");
    list.push_back(seed.get<std::uint64_t>());
  }
  return list;
}

// `pointer` is `within` or a field inside it.
bool is_within(const std::string& pointer, const std::string& within) {
  return pointer.compare(0, within.size(), within) == 0 && (pointer.size() == within.size() || pointer[within.size()] == '/');
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The short name of an axis in run ids: its last path element, or the whole path when
// two axes share a last element.
std::vector<std::string> short_names(const std::vector<SweepAxis>& axes) {
  std::vector<std::string> names;
  for (const SweepAxis& axis : axes) names.push_back(axis.field.substr(axis.field.rfind('.') + 1));
  for (std::size_t i = 0; i < axes.size(); ++i) {
    for (std::size_t j = 0; j < axes.size(); ++j) {
      if (i != j && names[i] == axes[j].field.substr(axes[j].field.rfind('.') + 1)) names[i] = axes[i].field;
    }
  }
  return names;
}

// A value as it appears in a run id and a folder name: strings without quotes, other JSON
// as written; characters outside [A-Za-z0-9.+-] become '-'.
std::string id_text(const std::string& json_value) {
  const Json value = Json::parse(json_value);
  const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  std::string safe;
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '+' || c == '-' || c == '_';
    safe += ok ? c : '-';
  }
  return safe.empty() ? "-" : safe;
}

// A zip group (an object) or a list of them, appended to `axes` with group numbers after
// the ones already there.
void read_zip(const SweepReader& reader, const Json& zip, std::vector<SweepAxis>& axes) {
  std::size_t first_group = 1;
  for (const SweepAxis& axis : axes) first_group = std::max(first_group, axis.zip_group + 1);
  const Json groups = zip.is_array() ? zip : Json::array({zip});
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::string pointer = zip.is_array() ? "/zip/" + std::to_string(g) : "/zip";
    std::vector<SweepAxis> group = read_axes(reader, groups[g], pointer, first_group + g);
    if (group.empty()) reader.fail(pointer, "a zip group needs at least one axis");
    for (const SweepAxis& axis : group) {
      if (axis.values.size() != group.front().values.size()) {
        reader.fail(pointer + "/" + pointer_token(axis.field),
                    "zipped axes vary together, so they need equal lengths: " + std::to_string(axis.values.size()) +
                        " values here, " + std::to_string(group.front().values.size()) + " for \"" +
                        group.front().field + "\"");
      }
    }
    axes.insert(axes.end(), group.begin(), group.end());
  }
}

}  // namespace

SweepSpec parse_sweep(const std::string& json_text, const std::filesystem::path& path) {
  const SweepReader reader(std::filesystem::absolute(path).lexically_normal());
  Json root;
  try {
    // The scenario files' checks first (encoding, depth, number range, duplicate keys), so
    // that nothing recursive sees an unsafe document; then parsed again keeping the keys in
    // the file's order, which orders the axes.
    scenario_detail::parse_json_document(json_text);
    root = Json::parse(json_text);
  } catch (const InvalidInput& error) {
    reader.fail(error.field(), error.what());
  }
  if (!root.is_object()) reader.fail("", "expected a sweep object with \"base\", \"grid\" and \"seeds\"");
  std::set<std::string> known;
  for (const SweepKey& key : sweep_keys()) known.insert(key.key);
  check_keys(reader, root, "", known);
  SweepSpec spec;
  spec.file = reader.path();
  spec.name = spec.file.stem().string();
  if (root.contains("name")) {
    if (!root["name"].is_string() || root["name"].get<std::string>().empty()) reader.fail("/name", "expected a non-empty string");
    spec.name = root["name"].get<std::string>();
  }
  if (!root.contains("base")) reader.fail("/base", "missing: a scenario file (relative to the sweep file) or an inline scenario");
  const Json& base = root["base"];
  if (base.is_string()) {
    spec.base_file = (spec.file.parent_path() / base.get<std::string>()).lexically_normal();
    std::error_code ignored;
    if (!std::filesystem::is_regular_file(spec.base_file, ignored)) {
      reader.fail("/base", "no such scenario file: " + spec.base_file.string());
    }
    spec.base_json = read_text(spec.base_file);
  } else if (base.is_object()) {
    // Inline: relative paths are the sweep file's; resolving it now writes them absolute.
    try {
      spec.base_json = resolved_scenario_json(parse_scenario(base.dump(), spec.file.string()));
    } catch (const ScenarioError& error) {
      const std::string prefix = spec.file.string() + ": " + (error.field().empty() ? "" : error.field() + ": ");
      const std::string message = error.what();
      reader.fail("/base" + error.field(), message.compare(0, prefix.size(), prefix) == 0 ? message.substr(prefix.size()) : message);
    }
  } else {
    reader.fail("/base", "expected a scenario file path or an inline scenario object");
  }
  if (root.contains("set")) {
    if (!root["set"].is_object()) reader.fail("/set", "expected an object of field path -> value");
    for (auto it = root["set"].begin(); it != root["set"].end(); ++it) {
      if (it.key().empty()) reader.fail("/set/", "empty field path");
      spec.fixed.push_back({it.key(), it.value().dump()});
    }
  }
  // Grid axes and zip groups make the factors of the product in the order the file gives them.
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it.key() == "grid") {
      const std::vector<SweepAxis> grid = read_axes(reader, it.value(), "/grid", 0);
      spec.axes.insert(spec.axes.end(), grid.begin(), grid.end());
    } else if (it.key() == "zip") {
      read_zip(reader, it.value(), spec.axes);
    }
  }
  std::set<std::string> fields;
  for (const SweepAxis& axis : spec.axes) {
    if (!fields.insert(axis.field).second) reader.fail("/zip", "axis \"" + axis.field + "\" appears twice");
  }
  const Json* seeds = root.contains("seeds") ? &root["seeds"] : nullptr;
  spec.seeds = read_seeds(reader, seeds);
  // The number of runs: each product axis and each zip group is one factor.
  std::uint64_t runs = spec.seeds.size();
  std::set<std::size_t> groups_counted;
  for (const SweepAxis& axis : spec.axes) {
    if (axis.zip_group != 0 && !groups_counted.insert(axis.zip_group).second) continue;
    const std::uint64_t values = axis.values.size();
    if (values != 0 && runs > kMaxSweepRuns / values) {
      reader.fail(axis.zip_group == 0 ? "/grid" : "/zip",
                  "the sweep would expand into more than " + std::to_string(kMaxSweepRuns) +
                      " runs; expected at most that many (split the campaign into several sweeps)");
    }
    runs *= values;
  }
  return spec;
}

SweepSpec read_sweep_file(const std::filesystem::path& path) {
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(path, ignored)) throw ScenarioError(path.string(), "", "no such sweep file");
  return parse_sweep(read_text(path), path);
}

std::vector<SweepRun> expand_sweep(const SweepSpec& spec) {
  // Factors of the product: each product axis alone, each zip group as one factor.
  std::vector<std::vector<std::size_t>> factors;  // axis indices per factor
  std::vector<std::size_t> group_factor;          // zip group -> factor index
  for (std::size_t a = 0; a < spec.axes.size(); ++a) {
    const std::size_t group = spec.axes[a].zip_group;
    if (group == 0) {
      factors.push_back({a});
      continue;
    }
    if (group_factor.size() <= group) group_factor.resize(group + 1, SIZE_MAX);
    if (group_factor[group] == SIZE_MAX) {
      group_factor[group] = factors.size();
      factors.push_back({});
    }
    factors[group_factor[group]].push_back(a);
  }
  const std::vector<std::string> names = short_names(spec.axes);
  std::vector<SweepRun> runs;
  std::vector<std::size_t> position(factors.size(), 0);
  for (;;) {
    for (const std::uint64_t seed : spec.seeds) {
      SweepRun run;
      run.seed = seed;
      run.overrides = spec.fixed;
      run.axis_values.resize(spec.axes.size());
      for (std::size_t f = 0; f < factors.size(); ++f) {
        for (const std::size_t a : factors[f]) run.axis_values[a] = spec.axes[a].values[position[f]];
      }
      for (std::size_t a = 0; a < spec.axes.size(); ++a) {
        run.overrides.push_back({spec.axes[a].field, run.axis_values[a]});
        if (run.axis_values[a] != "null") run.id += names[a] + "=" + id_text(run.axis_values[a]) + "__";
      }
      run.id += "seed=" + std::to_string(seed);
      run.overrides.push_back({"seed", std::to_string(seed)});
      runs.push_back(std::move(run));
    }
    // Odometer over the factors, last fastest; done when the first one wraps.
    std::size_t f = factors.size();
    bool done = false;
    while (true) {
      if (f == 0) {
        done = true;
        break;
      }
      --f;
      if (++position[f] < spec.axes[factors[f].front()].values.size()) break;
      position[f] = 0;
    }
    if (done) break;
  }
  std::set<std::string> ids;
  for (const SweepRun& run : runs) {
    if (!ids.insert(run.id).second) {
      throw ScenarioError(spec.file.string(), "/grid",
                          "two runs get the same id \"" + run.id + "\" (axis values that differ only in punctuation)");
    }
  }
  return runs;
}

Scenario load_run_scenario(const SweepSpec& spec, const SweepRun& run) {
  const std::string origin = spec.base_file.empty() ? spec.file.string() : spec.base_file.string();
  return parse_scenario(spec.base_json, origin, run.overrides);
}

void check_sweep_runs(const SweepSpec& spec, const std::vector<SweepRun>& runs) {
  for (const SweepRun& run : runs) {
    try {
      (void)load_run_scenario(spec, run);
    } catch (const ScenarioError& error) {
      // Blame the axis (or "set" entry) whose override the scenario error is about.
      std::string pointer = is_within(error.field(), "/seed") ? "/seeds" : "/base";
      for (std::size_t a = 0; a < spec.axes.size(); ++a) {
        if (is_within(error.field(), override_pointer(spec.axes[a].field))) {
          const SweepAxis& axis = spec.axes[a];
          std::size_t index = 0;
          while (index + 1 < axis.values.size() && axis.values[index] != run.axis_values[a]) ++index;
          const std::string group = axis.zip_group == 0 ? "/grid" : "/zip";
          pointer = group + "/" + pointer_token(axis.field) + "/" + std::to_string(index);
        }
      }
      for (const ScenarioOverride& fixed : spec.fixed) {
        if (is_within(error.field(), override_pointer(fixed.field))) pointer = "/set/" + pointer_token(fixed.field);
      }
      throw ScenarioError(spec.file.string(), pointer, std::string("run ") + run.id + ": " + error.what());
    }
  }
}

std::string resolved_sweep_json(const SweepSpec& spec) {
  Json root = Json::object();
  root["name"] = spec.name;
  if (spec.base_file.empty()) {
    root["base"] = Json::parse(spec.base_json);
  } else {
    root["base"] = spec.base_file.string();
  }
  Json set = Json::object();
  for (const ScenarioOverride& fixed : spec.fixed) set[fixed.field] = Json::parse(fixed.value);
  if (!set.empty()) root["set"] = set;
  Json grid = Json::object();
  std::vector<Json> zips;
  for (const SweepAxis& axis : spec.axes) {
    Json values = Json::array();
    for (const std::string& value : axis.values) values.push_back(Json::parse(value));
    if (axis.zip_group == 0) {
      grid[axis.field] = values;
    } else {
      if (zips.size() < axis.zip_group) zips.resize(axis.zip_group, Json::object());
      zips[axis.zip_group - 1][axis.field] = values;
    }
  }
  // In the order of the factors, which orders the runs.
  const bool grid_first = spec.axes.empty() || spec.axes.front().zip_group == 0;
  if (grid_first) root["grid"] = grid;
  if (!zips.empty()) root["zip"] = zips;
  if (!grid_first) root["grid"] = grid;
  root["seeds"] = spec.seeds;
  return root.dump(2) + "\n";
}

std::string sweep_json_schema() {
  Json properties = Json::object();
  for (const SweepKey& key : sweep_keys()) {
    Json field = key.schema;
    field["description"] = key.description;
    properties[key.key] = field;
  }
  const Json axes = properties["grid"];
  Json zip_group = axes;
  zip_group["minProperties"] = 1;
  zip_group["description"] = "field path -> list of values; the lists have equal lengths and vary together";
  Json schema = {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                 {"title", "cdsim sweep"},
                 {"description", "A cdsim sweep file: a base scenario, axes and seeds (docs/sweeps.md)"},
                 {"type", "object"},
                 {"required", Json::array({"base"})},
                 {"properties", properties},
                 {"additionalProperties", false}};
  Json scenario = Json::parse(scenario_json_schema());
  scenario.erase("$schema");
  schema["$defs"] = {{"scenario", scenario}, {"zip_group", zip_group}};
  return schema.dump(2) + "\n";
}

}  // namespace cdsim::studies
