#include "sim/protocols/churn.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include "core/input_file.h"
#include "core/invalid_input.h"
#include "core/rng.h"
#include "sim/units.h"

namespace cdsim {
namespace {

constexpr const char* kField = "/faults/churn/trace";
// About three million intervals: far beyond any availability trace of a simulated run.
constexpr std::uintmax_t kMaxTraceBytes = std::uintmax_t{64} << 20;

struct Interval {
  SimTime from;
  SimTime until;  // SimTime::max(): to the end
  std::size_t line = 0;
};

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

// A duration cell: a unit string or a plain number of seconds.
SimTime parse_time(const std::string& cell) {
  std::size_t used = 0;
  double seconds = 0.0;
  try {
    seconds = std::stod(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == cell.size() && !cell.empty()) return duration_from_seconds(seconds);
  return parse_duration(cell);
}

// Sorted by time, then agent, keeping the order of equal keys.
void sort_changes(std::vector<AgentStateChange>& changes) {
  std::stable_sort(changes.begin(), changes.end(), [](const AgentStateChange& a, const AgentStateChange& b) {
    return a.at != b.at ? a.at < b.at : a.agent.value < b.agent.value;
  });
}

}  // namespace

std::vector<AgentStateChange> parse_availability_trace(const std::string& text, const std::string& name,
                                                       std::size_t agents, SimTime latest) {
  std::map<std::size_t, std::vector<Interval>> online;
  std::istringstream lines(text);
  std::string line;
  std::size_t number = 0;
  const char* columns[] = {"agent", "online_from", "online_until"};
  auto fail = [&](std::size_t column, const std::string& message) -> InvalidInput {
    return InvalidInput(kField, name + ":" + std::to_string(number) + ": " + columns[column] + ": " + message);
  };
  bool first_row = true;
  while (std::getline(lines, line)) {
    ++number;
    const std::string row = trim(line);
    if (row.empty() || row.front() == '#') continue;
    std::vector<std::string> cells;
    std::stringstream split(row);
    std::string cell;
    while (std::getline(split, cell, ',')) cells.push_back(trim(cell));
    if (!row.empty() && row.back() == ',') cells.emplace_back();
    if (first_row && !cells.empty() && cells[0] == "agent") {
      first_row = false;
      continue;
    }
    first_row = false;
    if (cells.size() != 3) {
      throw InvalidInput(kField, name + ":" + std::to_string(number) + ": expected 3 columns (agent, online_from, "
                                 "online_until), found " + std::to_string(cells.size()));
    }
    std::size_t agent = 0;
    {
      std::size_t used = 0;
      unsigned long long value = 0;
      try {
        value = std::stoull(cells[0], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != cells[0].size() || cells[0].front() == '-') {
        throw fail(0, "expected an agent number, found \"" + cells[0] + "\"");
      }
      if (value >= agents) {
        throw fail(0, "no agent " + cells[0] + " (there are " + std::to_string(agents) + ")");
      }
      agent = static_cast<std::size_t>(value);
    }
    Interval interval;
    interval.line = number;
    for (std::size_t column = 1; column <= 2; ++column) {
      if (column == 2 && cells[2].empty()) {
        interval.until = SimTime::max();
        continue;
      }
      SimTime time;
      try {
        time = parse_time(cells[column]);
      } catch (const InvalidInput& error) {
        throw fail(column, error.what());
      }
      if (time > latest) throw fail(column, to_string(time) + " is beyond the simulated clock's range (2^62 ns)");
      (column == 1 ? interval.from : interval.until) = time;
    }
    if (!(interval.from < interval.until)) throw fail(2, "expected a time after online_from");
    online[agent].push_back(interval);
  }
  std::vector<AgentStateChange> changes;
  for (auto& [agent, intervals] : online) {
    std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) { return a.from < b.from; });
    const AgentId id{static_cast<std::uint32_t>(agent)};
    SimTime online_until = SimTime::zero();  // the end of the latest interval: offline from there
    for (std::size_t i = 0; i < intervals.size(); ++i) {
      const Interval& interval = intervals[i];
      if (i > 0 && interval.from < online_until) {
        number = interval.line;
        throw fail(1, "agent " + std::to_string(agent) + " is already online then (an earlier interval ends at " +
                          to_string(online_until) + ")");
      }
      // Offline from the end of the previous interval (or from 0) to this one's start; an
      // interval that starts where the previous one ends continues it.
      if (interval.from > online_until || (i == 0 && interval.from > SimTime::zero())) {
        changes.push_back({online_until, id, false});
        changes.push_back({interval.from, id, true});
      }
      online_until = interval.until;
    }
    if (online_until != SimTime::max()) changes.push_back({online_until, id, false});
  }
  sort_changes(changes);
  return changes;
}

std::vector<AgentStateChange> read_availability_trace(const std::string& path, std::size_t agents, SimTime latest) {
  require_input_file(path, kField, "CSV availability trace", kMaxTraceBytes);
  std::ifstream file(path, std::ios::binary);
  if (!file) throw InvalidInput(kField, "cannot read the availability trace '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  return parse_availability_trace(text.str(), path, agents, latest);
}

std::vector<AgentStateChange> churn_model_changes(const ChurnSpec& churn, std::size_t agents, std::uint64_t seed) {
  std::vector<AgentStateChange> changes;
  if (agents == 0) return changes;
  const std::size_t churning = std::max<std::size_t>(
      1, std::min(agents, static_cast<std::size_t>(std::llround(churn.fraction * static_cast<double>(agents)))));
  // A partial Fisher-Yates shuffle picks which agents churn.
  std::vector<std::size_t> order(agents);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng pick(seed, 0, RngPurpose::kChurn);
  for (std::size_t i = 0; i < churning; ++i) {
    std::swap(order[i], order[i + static_cast<std::size_t>(pick.uniform_index(agents - i))]);
  }
  order.resize(churning);
  std::sort(order.begin(), order.end());
  // Each agent changes about horizon / (mean_online + mean_offline) times twice; bound the list.
  const double expected = 2.0 * static_cast<double>(churning) * churn.horizon.seconds() /
                          (churn.mean_online.seconds() + churn.mean_offline.seconds());
  if (!(expected <= 1e7)) {
    throw InvalidInput("/faults/churn/horizon", "the churn model would make about " + std::to_string(expected) +
                                                    " changes; expected at most 1e7 (longer means or a shorter horizon)");
  }
  for (std::size_t agent : order) {
    Rng rng(seed, agent + 1, RngPurpose::kChurn);
    const AgentId id{static_cast<std::uint32_t>(agent)};
    SimTime now = SimTime::zero();
    bool up = true;
    while (true) {
      const double mean = (up ? churn.mean_online : churn.mean_offline).seconds();
      // Inverse transform; 1 - u is in (0, 1], so the log is finite.
      const double wait = -mean * std::log(1.0 - rng.uniform01());
      const double next = now.seconds() + wait;
      if (!(next <= churn.horizon.seconds())) break;
      now = std::max(now, SimTime::from_seconds(next));
      up = !up;
      changes.push_back({now, id, up});
    }
  }
  sort_changes(changes);
  return changes;
}

}  // namespace cdsim
