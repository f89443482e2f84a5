#include "analysis/trace_analysis.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "analysis/trace_reader.h"
#include "sim/network.h"

namespace cdsim {
namespace {

using trace_type::kCompute;
using trace_type::kSend;
using trace_type::kTransmissionEnd;
using trace_type::kTransmissionStart;
using trace_type::kWait;

struct Edge {
  std::int64_t time_ns;
  int delta;  // +1 start, -1 end
  std::int64_t bytes;
};

// Per link, its transmission starts and ends sorted by time, ends before starts at equal times.
std::vector<std::vector<Edge>> link_edges(const std::vector<TraceRecord>& trace, std::size_t link_count) {
  std::vector<std::vector<Edge>> edges(link_count);
  for (const TraceRecord& record : trace) {
    if (record.type != kTransmissionStart && record.type != kTransmissionEnd) continue;
    if (record.link >= link_count) edges.resize(record.link + 1);
    const bool start = record.type == kTransmissionStart;
    edges[record.link].push_back({record.time_ns, start ? 1 : -1, start ? record.size_bytes : 0});
  }
  for (std::vector<Edge>& list : edges) {
    std::stable_sort(list.begin(), list.end(), [](const Edge& a, const Edge& b) {
      return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.delta < b.delta;
    });
  }
  return edges;
}

double microseconds(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

}  // namespace

std::vector<std::vector<BusyInterval>> link_busy_intervals(const std::vector<TraceRecord>& trace,
                                                           std::size_t link_count) {
  const std::vector<std::vector<Edge>> edges = link_edges(trace, link_count);
  std::vector<std::vector<BusyInterval>> intervals(edges.size());
  for (std::size_t link = 0; link < edges.size(); ++link) {
    std::int64_t active = 0;
    for (const Edge& edge : edges[link]) {
      if (edge.delta > 0) {
        if (active == 0) intervals[link].push_back({edge.time_ns, edge.time_ns, 0, 0});
        ++intervals[link].back().transmissions;
        intervals[link].back().bytes += edge.bytes;
      }
      active += edge.delta;
      if (active == 0 && !intervals[link].empty()) intervals[link].back().end_ns = edge.time_ns;
    }
  }
  return intervals;
}

std::vector<LinkUsage> link_usage(const std::vector<TraceRecord>& trace, std::size_t link_count,
                                  std::int64_t horizon_ns) {
  const std::vector<std::vector<Edge>> edges = link_edges(trace, link_count);
  const std::vector<std::vector<BusyInterval>> intervals = link_busy_intervals(trace, link_count);
  std::vector<LinkUsage> usage(edges.size());
  for (std::size_t link = 0; link < edges.size(); ++link) {
    LinkUsage& u = usage[link];
    u.link = link;
    std::uint64_t active = 0;
    for (const Edge& edge : edges[link]) {
      if (edge.delta > 0) {
        ++u.messages;
        u.bytes += edge.bytes;
        u.peak_concurrent = std::max(u.peak_concurrent, ++active);
      } else if (active > 0) {
        --active;
      }
    }
    for (const BusyInterval& interval : intervals[link]) u.busy_ns += interval.end_ns - interval.start_ns;
    u.busy_fraction = horizon_ns > 0 ? static_cast<double>(u.busy_ns) / static_cast<double>(horizon_ns) : 0.0;
  }
  return usage;
}

std::vector<LinkUsage> busiest_links(std::vector<LinkUsage> usage, std::size_t count) {
  std::stable_sort(usage.begin(), usage.end(), [](const LinkUsage& a, const LinkUsage& b) {
    if (a.busy_ns != b.busy_ns) return a.busy_ns > b.busy_ns;
    if (a.bytes != b.bytes) return a.bytes > b.bytes;
    return a.link < b.link;
  });
  if (usage.size() > count) usage.resize(count);
  return usage;
}

std::int64_t trace_horizon_ns(const std::vector<TraceRecord>& trace) {
  std::int64_t horizon = 0;
  for (const TraceRecord& record : trace) horizon = std::max(horizon, record.time_ns + record.duration_ns);
  return horizon;
}

std::vector<LinkName> read_link_names(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot read the links table");
  std::string line;
  std::getline(in, line);  // header
  std::vector<LinkName> names;
  std::size_t line_number = 1;
  while (std::getline(in, line)) {
    ++line_number;
    std::istringstream fields(line);
    std::string index, from, to;
    if (!std::getline(fields, index, ',') || !std::getline(fields, from, ',') || !std::getline(fields, to, ',')) {
      throw std::runtime_error(path.string() + ": line " + std::to_string(line_number) + ": malformed");
    }
    try {
      if (std::stoull(index) != names.size()) throw std::invalid_argument("index");
      names.push_back({static_cast<std::uint32_t>(std::stoul(from)), static_cast<std::uint32_t>(std::stoul(to))});
    } catch (const std::logic_error&) {
      throw std::runtime_error(path.string() + ": line " + std::to_string(line_number) + ": malformed");
    }
  }
  return names;
}

std::string chrome_trace_json(const std::vector<TraceRecord>& trace, const std::vector<LinkName>& links) {
  constexpr int kAgentsProcess = 1;
  constexpr int kLinksProcess = 2;
  nlohmann::json events = nlohmann::json::array();
  const auto metadata = [&events](const char* name, int pid, std::int64_t tid, const std::string& value) {
    nlohmann::json event = {{"name", name}, {"ph", "M"}, {"pid", pid}, {"args", {{"name", value}}}};
    if (tid >= 0) event["tid"] = tid;
    events.push_back(std::move(event));
  };
  metadata("process_name", kAgentsProcess, -1, "agents");
  metadata("process_name", kLinksProcess, -1, "links");
  std::map<std::uint32_t, bool> agents;  // the agents that appear, in id order
  for (const TraceRecord& record : trace) {
    if (record.type == kCompute || record.type == kWait) {
      agents[record.sender] = true;
      events.push_back({{"name", record.type == kCompute ? "compute" : "wait"},
                        {"cat", "agent"},
                        {"ph", "X"},
                        {"pid", kAgentsProcess},
                        {"tid", record.sender},
                        {"ts", microseconds(record.time_ns)},
                        {"dur", microseconds(record.duration_ns)},
                        {"args", {{"step", record.round}}}});
    } else if (record.type == kSend) {
      agents[record.sender] = true;
      events.push_back({{"name", "send"},
                        {"cat", "message"},
                        {"ph", "i"},
                        {"s", "t"},
                        {"pid", kAgentsProcess},
                        {"tid", record.sender},
                        {"ts", microseconds(record.time_ns)},
                        {"args", {{"to", record.receiver}, {"bytes", record.size_bytes}, {"round", record.round}}}});
    } else if (record.type == trace_type::kMessageLost) {
      agents[record.sender] = true;
      events.push_back({{"name", "lost"},
                        {"cat", "fault"},
                        {"ph", "i"},
                        {"s", "t"},
                        {"pid", kAgentsProcess},
                        {"tid", record.sender},
                        {"ts", microseconds(record.time_ns)},
                        {"args",
                         {{"to", record.receiver},
                          {"bytes", record.size_bytes},
                          {"round", record.round},
                          {"cause", loss_cause_name(static_cast<LossCause>(record.cause))}}}});
    } else if (record.type == trace_type::kLinkDown || record.type == trace_type::kLinkUp) {
      // A link's state concerns both of its directions: a global instant, across all tracks.
      const std::string pair = std::to_string(record.sender) + "-" + std::to_string(record.receiver);
      events.push_back({{"name", "link " + pair + (record.type == trace_type::kLinkDown ? " down" : " up")},
                        {"cat", "fault"},
                        {"ph", "i"},
                        {"s", "g"},
                        {"pid", kAgentsProcess},
                        {"tid", 0},
                        {"ts", microseconds(record.time_ns)}});
    }
  }
  for (const auto& [agent, present] : agents) {
    metadata("thread_name", kAgentsProcess, agent, "agent " + std::to_string(agent));
  }
  const std::vector<std::vector<BusyInterval>> intervals = link_busy_intervals(trace, links.size());
  for (std::size_t link = 0; link < intervals.size(); ++link) {
    if (intervals[link].empty()) continue;
    std::string name = "link " + std::to_string(link);
    if (link < links.size()) {
      name += " (" + std::to_string(links[link].from) + " -> " + std::to_string(links[link].to) + ")";
    }
    metadata("thread_name", kLinksProcess, static_cast<std::int64_t>(link), name);
    for (const BusyInterval& interval : intervals[link]) {
      events.push_back({{"name", "busy"},
                        {"cat", "link"},
                        {"ph", "X"},
                        {"pid", kLinksProcess},
                        {"tid", link},
                        {"ts", microseconds(interval.start_ns)},
                        {"dur", microseconds(interval.end_ns - interval.start_ns)},
                        {"args", {{"transmissions", interval.transmissions}, {"bytes", interval.bytes}}}});
    }
  }
  const nlohmann::json document = {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
  return document.dump() + "\n";
}

}  // namespace cdsim
