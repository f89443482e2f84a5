// One events-trace record as a plain value, and the reader of events.pb files (written by
// analysis/trace_writer.h from the same records), for `cdsim trace` and the Python module.
// TraceRecord mirrors the TraceEvent of proto/cdsim_wire.proto field by field; the
// generated header stays private.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cdsim {

// TraceEvent.Type's values (trace_reader.cpp checks them against the schema); a record may
// hold others, written by a newer build.
namespace trace_type {
inline constexpr int kSend = 0;
inline constexpr int kTransmissionStart = 1;
inline constexpr int kArrival = 2;
inline constexpr int kTransmissionEnd = 3;
inline constexpr int kCompute = 4;
inline constexpr int kWait = 5;
inline constexpr int kEvaluation = 6;
inline constexpr int kMessageLost = 7;
inline constexpr int kLinkDown = 8;
inline constexpr int kLinkUp = 9;
}  // namespace trace_type

struct TraceRecord {
  int type = 0;  // a TraceEvent.Type value (trace_type); see trace_event_type_name
  std::int64_t time_ns = 0;
  std::uint32_t sender = 0;
  std::uint32_t receiver = 0;
  std::int64_t size_bytes = 0;
  std::int64_t round = 0;
  std::uint32_t kind = 0;
  std::uint64_t link = 0;
  std::int64_t duration_ns = 0;
  std::uint32_t cause = 0;  // message_lost: a LossCause value (sim/network.h)
};

// Every record of the file, in file order. Throws std::runtime_error naming the file when
// it cannot be opened or a record is truncated or malformed.
std::vector<TraceRecord> read_trace(const std::filesystem::path& path);

// The schema's name of a TraceEvent.Type in lower case ("send", "transmission_start", ...),
// or "type_<n>" for a value this build does not know.
std::string trace_event_type_name(int type);

}  // namespace cdsim
