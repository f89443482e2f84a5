#include "analysis/studies/summary.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>
#include <nlohmann/json.hpp>

namespace cdsim::studies {
namespace {

using Json = nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One CSV line into cells (quoted cells as index.csv writes them).
std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.emplace_back();
    } else if (c != '\r') {
      cells.back() += c;
    }
  }
  return cells;
}

std::vector<std::vector<std::string>> read_csv(const std::filesystem::path& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_text(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(csv_cells(line));
  }
  if (rows.empty()) throw std::runtime_error(path.string() + ": empty table");
  return rows;
}

std::string value_text(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

// Every leaf of a JSON object as (dotted path, value text); arrays are leaves.
void flatten(const Json& node, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    }
  } else {
    out[prefix] = value_text(node);
  }
}

struct LoadedRun {
  RunRecord record;
  std::map<std::string, std::string> fields;  // the resolved scenario, flattened
};

LoadedRun load_run_directory(const std::filesystem::path& directory) {
  LoadedRun run;
  run.record.directory = directory;
  const std::filesystem::path resolved = directory / "scenario.resolved.json";
  const Json scenario = Json::parse(read_text(resolved), nullptr, /*allow_exceptions=*/false);
  if (scenario.is_discarded() || !scenario.is_object()) throw std::runtime_error(resolved.string() + ": not a scenario");
  flatten(scenario, "", run.fields);
  run.record.seed = scenario.value("seed", std::uint64_t{0});
  run.record.metrics = read_metrics_csv(directory / "metrics.csv");
  return run;
}

// The axes of a sweep folder's sweep.json, in its order.
std::vector<std::string> sweep_axes(const std::filesystem::path& folder) {
  const nlohmann::ordered_json sweep = nlohmann::ordered_json::parse(read_text(folder / "sweep.json"), nullptr, false);
  if (sweep.is_discarded()) throw std::runtime_error((folder / "sweep.json").string() + ": malformed JSON");
  std::vector<std::string> axes;
  for (auto entry = sweep.begin(); entry != sweep.end(); ++entry) {
    if (entry.key() == "grid") {
      for (auto it = entry.value().begin(); it != entry.value().end(); ++it) axes.push_back(it.key());
    } else if (entry.key() == "zip") {
      for (const auto& group : entry.value()) {
        for (auto it = group.begin(); it != group.end(); ++it) axes.push_back(it.key());
      }
    }
  }
  return axes;
}

std::string format_value(double value) {
  if (!std::isfinite(value)) return "nan";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

// A number, or null when it is not finite (JSON has no NaN).
void set_number(double value, Json& slot) { slot = std::isfinite(value) ? Json(value) : Json(); }

Json statistic_json(const Statistic& s) {
  Json object = Json::object();
  object["n"] = s.n;
  set_number(s.mean, object["mean"]);
  set_number(s.std_dev, object["std"]);
  set_number(s.ci95, object["ci95"]);
  set_number(s.mean - s.ci95, object["ci95_low"]);
  set_number(s.mean + s.ci95, object["ci95_high"]);
  return object;
}

// "0.812 ± 0.004 [0.802, 0.822]" for table and markdown cells.
std::string statistic_text(const Statistic& s) {
  if (s.n == 0) return "-";
  if (s.n == 1) return format_value(s.mean);
  return format_value(s.mean) + " ± " + format_value(s.std_dev) + " [" + format_value(s.mean - s.ci95) + ", " +
         format_value(s.mean + s.ci95) + "]";
}

std::vector<std::vector<std::string>> text_rows(const std::vector<GroupSummary>& groups,
                                                const std::vector<std::string>& metrics,
                                                const std::optional<Target>& target) {
  std::vector<std::string> header;
  if (!groups.empty()) {
    for (const auto& entry : groups.front().configuration) header.push_back(entry.first);
  }
  header.push_back("seeds");
  for (const std::string& metric : metrics) header.push_back(metric);
  if (target) {
    const std::string name = target->metric + (target->at_least ? ">=" : "<=") + format_value(target->value);
    header.push_back("reached " + name);
    for (const char* what : {"epochs to target", "steps to target", "sim s to target", "bytes to target"}) {
      header.push_back(what);
    }
  }
  std::vector<std::vector<std::string>> rows = {header};
  for (const GroupSummary& group : groups) {
    std::vector<std::string> row;
    for (const auto& entry : group.configuration) row.push_back(entry.second);
    row.push_back(std::to_string(group.seeds.size()));
    for (const std::string& metric : metrics) {
      const auto it = std::find_if(group.finals.begin(), group.finals.end(), [&](const auto& f) { return f.first == metric; });
      row.push_back(it == group.finals.end() ? "-" : statistic_text(it->second));
    }
    if (group.target) {
      const TargetReach& t = *group.target;
      row.push_back(std::to_string(t.reached) + "/" + std::to_string(t.runs));
      for (const Statistic* s : {&t.epochs, &t.steps, &t.sim_time_s, &t.bytes}) row.push_back(statistic_text(*s));
    }
    rows.push_back(row);
  }
  return rows;
}

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (unsigned char c : text) width += (c & 0xC0) != 0x80 ? 1 : 0;  // UTF-8 code points
  return width;
}

}  // namespace

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> parts;
  std::string part;
  for (const char c : text + ",") {
    if (c != ',') {
      part += c;
    } else if (!part.empty()) {
      parts.push_back(part);
      part.clear();
    }
  }
  return parts;
}

std::size_t MetricsTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw std::out_of_range("no metrics column \"" + name + "\"");
}

bool MetricsTable::has(const std::string& name) const {
  return std::find(columns.begin(), columns.end(), name) != columns.end();
}

MetricsTable read_metrics_csv(const std::filesystem::path& path) {
  const std::vector<std::vector<std::string>> cells = read_csv(path);
  MetricsTable table;
  table.columns = cells.front();
  for (std::size_t r = 1; r < cells.size(); ++r) {
    if (cells[r].size() != table.columns.size()) {
      throw std::runtime_error(path.string() + ": line " + std::to_string(r + 1) + " has " +
                               std::to_string(cells[r].size()) + " cells, the header " +
                               std::to_string(table.columns.size()));
    }
    std::vector<double> row;
    for (const std::string& cell : cells[r]) {
      if (cell.empty() || cell == "nan") {
        row.push_back(kNaN);
        continue;
      }
      std::size_t used = 0;
      double value = kNaN;
      try {
        value = std::stod(cell, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != cell.size()) throw std::runtime_error(path.string() + ": line " + std::to_string(r + 1) + ": not a number: " + cell);
      row.push_back(value);
    }
    table.rows.push_back(std::move(row));
  }
  if (table.rows.empty()) throw std::runtime_error(path.string() + ": no rows");
  return table;
}

std::vector<RunRecord> load_runs(const std::vector<std::filesystem::path>& paths) {
  std::vector<LoadedRun> loaded;
  std::vector<std::string> axes;
  for (const std::filesystem::path& path : paths) {
    std::error_code error;
    if (std::filesystem::is_regular_file(path / "sweep.json", error)) {
      for (const std::string& axis : sweep_axes(path)) {
        if (std::find(axes.begin(), axes.end(), axis) == axes.end()) axes.push_back(axis);
      }
      const std::vector<std::vector<std::string>> index = read_csv(path / "index.csv");
      const std::vector<std::string>& header = index.front();
      const auto status = std::find(header.begin(), header.end(), "status");
      const auto run_dir = std::find(header.begin(), header.end(), "run_dir");
      if (status == header.end() || run_dir == header.end()) {
        throw std::runtime_error((path / "index.csv").string() + ": no status or run_dir column");
      }
      for (std::size_t r = 1; r < index.size(); ++r) {
        const std::vector<std::string>& row = index[r];
        if (row.size() != header.size()) throw std::runtime_error((path / "index.csv").string() + ": ragged row " + std::to_string(r + 1));
        if (row[static_cast<std::size_t>(status - header.begin())] != "complete") continue;
        loaded.push_back(load_run_directory(path / row[static_cast<std::size_t>(run_dir - header.begin())]));
      }
    } else if (std::filesystem::is_regular_file(path / "metrics.csv", error)) {
      loaded.push_back(load_run_directory(path));
    } else {
      throw std::runtime_error(path.string() + ": neither a sweep folder (sweep.json) nor a run directory (metrics.csv)");
    }
  }
  // Fields the runs differ in join the sweep axes, in path order.
  std::set<std::string> all_fields;
  for (const LoadedRun& run : loaded) {
    for (const auto& field : run.fields) all_fields.insert(field.first);
  }
  for (const std::string& field : all_fields) {
    if (field == "seed" || field == "name" || field == "description") continue;
    if (std::find(axes.begin(), axes.end(), field) != axes.end()) continue;
    // A field some runs lack belongs to a kind only some runs have (a torus' rows, say):
    // the kind tells those runs apart already.
    std::set<std::string> values;
    bool everywhere = true;
    for (const LoadedRun& run : loaded) {
      const auto it = run.fields.find(field);
      if (it == run.fields.end()) {
        everywhere = false;
      } else {
        values.insert(it->second);
      }
    }
    if (everywhere && values.size() > 1) axes.push_back(field);
  }
  std::vector<RunRecord> records;
  for (LoadedRun& run : loaded) {
    for (const std::string& axis : axes) {
      const auto it = run.fields.find(axis);
      run.record.configuration.emplace_back(axis, it == run.fields.end() ? std::string() : it->second);
    }
    records.push_back(std::move(run.record));
  }
  return records;
}

Target parse_target(const std::string& text) {
  Target target;
  std::size_t split = std::string::npos, value_at = 0;
  if ((split = text.find(">=")) != std::string::npos) {
    target.at_least = true;
    value_at = split + 2;
  } else if ((split = text.find("<=")) != std::string::npos) {
    target.at_least = false;
    value_at = split + 2;
  } else if ((split = text.find('=')) != std::string::npos) {
    value_at = split + 1;
    target.at_least = text.substr(0, split).find("accuracy") != std::string::npos;
  } else {
    throw std::invalid_argument("--target expects METRIC=VALUE (or METRIC>=VALUE, METRIC<=VALUE), found \"" + text + "\"");
  }
  target.metric = text.substr(0, split);
  const std::string value = text.substr(value_at);
  std::size_t used = 0;
  try {
    target.value = std::stod(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (target.metric.empty() || value.empty() || used != value.size()) {
    throw std::invalid_argument("--target expects METRIC=VALUE with a number, found \"" + text + "\"");
  }
  return target;
}

double student_t_975(std::size_t degrees_of_freedom) {
  const boost::math::students_t distribution(static_cast<double>(degrees_of_freedom));
  return boost::math::quantile(distribution, 0.975);
}

Statistic describe(std::span<const double> values) {
  Statistic s;
  double sum = 0.0;
  for (const double v : values) {
    if (std::isnan(v)) continue;
    sum += v;
    ++s.n;
  }
  if (s.n == 0) return {0, kNaN, kNaN, kNaN};
  s.mean = sum / static_cast<double>(s.n);
  if (s.n < 2) {
    s.std_dev = s.ci95 = kNaN;
    return s;
  }
  double squares = 0.0;
  for (const double v : values) {
    if (!std::isnan(v)) squares += (v - s.mean) * (v - s.mean);
  }
  s.std_dev = std::sqrt(squares / static_cast<double>(s.n - 1));
  s.ci95 = student_t_975(s.n - 1) * s.std_dev / std::sqrt(static_cast<double>(s.n));
  return s;
}

std::vector<GroupSummary> summarize(const std::vector<RunRecord>& runs, const std::vector<std::string>& by,
                                    const std::optional<Target>& target) {
  for (const std::string& field : by) {
    const bool known = std::any_of(runs.begin(), runs.end(), [&](const RunRecord& run) {
      return std::any_of(run.configuration.begin(), run.configuration.end(), [&](const auto& c) { return c.first == field; });
    });
    if (!known && !runs.empty()) {
      std::string list;
      for (const auto& c : runs.front().configuration) list += (list.empty() ? "" : ", ") + c.first;
      throw std::invalid_argument("--by " + field + ": not a field the runs differ in (they differ in: " +
                                  (list.empty() ? "nothing but the seed" : list) + ")");
    }
  }
  if (target && !std::any_of(runs.begin(), runs.end(), [&](const RunRecord& r) { return r.metrics.has(target->metric); })) {
    throw std::invalid_argument("--target " + target->metric + ": no run records that metric");
  }
  std::vector<GroupSummary> groups;
  std::vector<std::vector<const RunRecord*>> members;
  for (const RunRecord& run : runs) {
    Configuration key;
    for (const auto& entry : run.configuration) {
      if (by.empty() || std::find(by.begin(), by.end(), entry.first) != by.end()) key.push_back(entry);
    }
    if (!by.empty()) {  // in the order --by names them
      std::stable_sort(key.begin(), key.end(), [&](const auto& a, const auto& b) {
        return std::find(by.begin(), by.end(), a.first) < std::find(by.begin(), by.end(), b.first);
      });
    }
    auto it = std::find_if(groups.begin(), groups.end(), [&](const GroupSummary& g) { return g.configuration == key; });
    if (it == groups.end()) {
      groups.push_back(GroupSummary{key, {}, {}, std::nullopt});
      members.emplace_back();
      it = groups.end() - 1;
    }
    it->seeds.push_back(run.seed);
    members[static_cast<std::size_t>(it - groups.begin())].push_back(&run);
  }
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::vector<std::string> metrics;
    for (const RunRecord* run : members[g]) {
      for (const std::string& column : run->metrics.columns) {
        if (column != "step" && std::find(metrics.begin(), metrics.end(), column) == metrics.end()) metrics.push_back(column);
      }
    }
    for (const std::string& metric : metrics) {
      std::vector<double> finals;
      for (const RunRecord* run : members[g]) {
        finals.push_back(run->metrics.has(metric) ? run->metrics.rows.back()[run->metrics.column(metric)] : kNaN);
      }
      groups[g].finals.emplace_back(metric, describe(finals));
    }
    if (!target) continue;
    TargetReach reach;
    std::vector<double> epochs, steps, seconds, bytes;
    for (const RunRecord* run : members[g]) {
      ++reach.runs;
      if (!run->metrics.has(target->metric)) continue;
      const MetricsTable& m = run->metrics;
      const std::size_t column = m.column(target->metric);
      for (const std::vector<double>& row : m.rows) {
        const double v = row[column];
        if (std::isnan(v) || (target->at_least ? v < target->value : v > target->value)) continue;
        ++reach.reached;
        epochs.push_back(row[m.column("epoch")]);
        steps.push_back(row[m.column("step")]);
        seconds.push_back(row[m.column("sim_time_s")]);
        bytes.push_back(row[m.column("bytes_total")]);
        break;
      }
    }
    reach.epochs = describe(epochs);
    reach.steps = describe(steps);
    reach.sim_time_s = describe(seconds);
    reach.bytes = describe(bytes);
    groups[g].target = reach;
  }
  return groups;
}

std::vector<std::string> default_summary_metrics(const std::vector<GroupSummary>& groups) {
  std::vector<std::string> metrics;
  for (const char* metric : {"test_accuracy", "average_model_test_accuracy", "test_loss", "sim_time_s", "bytes_total"}) {
    const bool recorded = std::any_of(groups.begin(), groups.end(), [&](const GroupSummary& g) {
      return std::any_of(g.finals.begin(), g.finals.end(), [&](const auto& f) { return f.first == metric && f.second.n > 0; });
    });
    if (recorded) metrics.emplace_back(metric);
  }
  return metrics;
}

std::string format_summary(const std::vector<GroupSummary>& groups, SummaryFormat format,
                           const std::vector<std::string>& metrics, const std::optional<Target>& target) {
  if (format == SummaryFormat::kJson) {
    Json array = Json::array();
    for (const GroupSummary& group : groups) {
      Json object = Json::object();
      Json configuration = Json::object();
      for (const auto& [field, value] : group.configuration) configuration[field] = value;
      object["configuration"] = configuration;
      object["seeds"] = group.seeds;
      Json finals = Json::object();
      for (const auto& [metric, statistic] : group.finals) finals[metric] = statistic_json(statistic);
      object["final"] = finals;
      if (group.target) {
        const TargetReach& t = *group.target;
        object["target"] = {{"metric", target->metric}, {"value", target->value},
                            {"direction", target->at_least ? "at_least" : "at_most"},
                            {"reached", t.reached}, {"runs", t.runs},
                            {"epochs", statistic_json(t.epochs)}, {"steps", statistic_json(t.steps)},
                            {"sim_time_s", statistic_json(t.sim_time_s)}, {"bytes", statistic_json(t.bytes)}};
      }
      array.push_back(object);
    }
    return array.dump(2) + "\n";
  }
  if (format == SummaryFormat::kCsv) {
    std::vector<std::string> all_metrics;
    for (const GroupSummary& group : groups) {
      for (const auto& f : group.finals) {
        if (std::find(all_metrics.begin(), all_metrics.end(), f.first) == all_metrics.end()) all_metrics.push_back(f.first);
      }
    }
    std::string csv;
    std::vector<std::string> header;
    if (!groups.empty()) {
      for (const auto& entry : groups.front().configuration) header.push_back(entry.first);
    }
    header.push_back("seeds");
    for (const std::string& metric : all_metrics) {
      for (const char* part : {"_mean", "_std", "_ci95"}) header.push_back(metric + part);
    }
    if (target) {
      header.insert(header.end(), {"target_reached", "target_runs"});
      for (const char* what : {"epochs", "steps", "sim_time_s", "bytes"}) {
        for (const char* part : {"_mean", "_std", "_ci95"}) header.push_back(std::string(what) + "_to_target" + part);
      }
    }
    auto join = [](const std::vector<std::string>& cells) {
      std::string line;
      for (const std::string& cell : cells) {
        const bool quote = cell.find_first_of(",\"") != std::string::npos;
        std::string escaped;
        for (char c : cell) escaped += c == '"' ? std::string("\"\"") : std::string(1, c);
        line += (line.empty() ? "" : ",") + (quote ? "\"" + escaped + "\"" : escaped);
      }
      return line + "\n";
    };
    auto number = [](double v) { return std::isfinite(v) ? format_value(v) : std::string(); };
    csv += join(header);
    for (const GroupSummary& group : groups) {
      std::vector<std::string> row;
      for (const auto& entry : group.configuration) row.push_back(entry.second);
      std::string seeds;
      for (const std::uint64_t seed : group.seeds) seeds += (seeds.empty() ? "" : " ") + std::to_string(seed);
      row.push_back(seeds);
      for (const std::string& metric : all_metrics) {
        const auto it = std::find_if(group.finals.begin(), group.finals.end(), [&](const auto& f) { return f.first == metric; });
        const Statistic s = it == group.finals.end() ? Statistic{0, kNaN, kNaN, kNaN} : it->second;
        row.insert(row.end(), {number(s.mean), number(s.std_dev), number(s.ci95)});
      }
      if (group.target) {
        const TargetReach& t = *group.target;
        row.insert(row.end(), {std::to_string(t.reached), std::to_string(t.runs)});
        for (const Statistic* s : {&t.epochs, &t.steps, &t.sim_time_s, &t.bytes}) {
          row.insert(row.end(), {number(s->mean), number(s->std_dev), number(s->ci95)});
        }
      }
      csv += join(row);
    }
    return csv;
  }
  const std::vector<std::vector<std::string>> rows = text_rows(groups, metrics, target);
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line = format == SummaryFormat::kMarkdown ? "|" : "";
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const std::string& cell = rows[r][c];
      const std::string pad(widths[c] - display_width(cell), ' ');
      if (format == SummaryFormat::kMarkdown) {
        line += " " + cell + pad + " |";
      } else {
        line += (c == 0 ? "" : "  ") + cell + pad;
      }
    }
    while (format == SummaryFormat::kTable && !line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if (r == 0 && format == SummaryFormat::kMarkdown) {
      std::string rule = "|";
      for (const std::size_t w : widths) rule += std::string(w + 2, '-') + "|";
      out += rule + "\n";
    }
  }
  return out;
}

}  // namespace cdsim::studies
