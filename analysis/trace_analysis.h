// What a run's events trace says about its links and agents: per-link traffic, busy time
// and peak concurrency (from the transmission start/end events, so it holds for every
// network model, the shared ones included), and a Chrome trace-event timeline (one track
// per agent with its compute, waits and sends, one per link with its busy intervals).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "analysis/trace_reader.h"

namespace cdsim {

struct LinkUsage {
  std::size_t link = 0;
  std::uint64_t messages = 0;       // transmissions started on it
  std::int64_t bytes = 0;           // their sizes
  std::int64_t busy_ns = 0;         // time with at least one transmission on it
  double busy_fraction = 0.0;       // busy_ns / horizon
  std::uint64_t peak_concurrent = 0;  // most transmissions on it at once
};

// A maximal interval during which a link carries at least one transmission.
struct BusyInterval {
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  std::uint64_t transmissions = 0;  // started within it
  std::int64_t bytes = 0;
};

// One entry per link 0 .. link_count - 1 (links no transmission used have zeros); busy
// fractions over [0, horizon_ns]. A transmission ending at the instant another starts
// counts as one after the other, not concurrent.
std::vector<LinkUsage> link_usage(const std::vector<TraceRecord>& trace, std::size_t link_count,
                                  std::int64_t horizon_ns);

// Each link's busy intervals, in time order.
std::vector<std::vector<BusyInterval>> link_busy_intervals(const std::vector<TraceRecord>& trace,
                                                           std::size_t link_count);

// The links sorted by busy fraction (then bytes, then index), at most `count`.
std::vector<LinkUsage> busiest_links(std::vector<LinkUsage> usage, std::size_t count);

// Endpoints of a link, for naming the timeline's link tracks.
struct LinkName {
  std::uint32_t from = 0;
  std::uint32_t to = 0;
};

// The end of the traced time: the latest instant any record reaches (intervals included).
std::int64_t trace_horizon_ns(const std::vector<TraceRecord>& trace);

// links.csv of a run directory (analysis/trace_writer.h), by link index. Throws
// std::runtime_error naming the file when it cannot be read or a line is malformed.
std::vector<LinkName> read_link_names(const std::filesystem::path& path);

// Chrome trace-event JSON (the "JSON Object Format", loadable in chrome://tracing and
// Perfetto): process 1 "agents" with one thread per agent (complete events "compute" and
// "wait", instant events "send" and, under faults, "lost" with its cause), process 2
// "links" with one thread per used link (complete events "busy"), and global instant
// events "link A-B down" / "up"; timestamps in microseconds of simulated time.
std::string chrome_trace_json(const std::vector<TraceRecord>& trace, const std::vector<LinkName>& links);

}  // namespace cdsim
