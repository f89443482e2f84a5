#include "analysis/trace_reader.h"

#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/util/delimited_message_util.h>

#include <cctype>
#include <fstream>
#include <stdexcept>

#include "cdsim_wire.pb.h"

namespace cdsim {

static_assert(trace_type::kSend == wire::TraceEvent::SEND);
static_assert(trace_type::kTransmissionStart == wire::TraceEvent::TRANSMISSION_START);
static_assert(trace_type::kArrival == wire::TraceEvent::ARRIVAL);
static_assert(trace_type::kTransmissionEnd == wire::TraceEvent::TRANSMISSION_END);
static_assert(trace_type::kCompute == wire::TraceEvent::COMPUTE);
static_assert(trace_type::kWait == wire::TraceEvent::WAIT);
static_assert(trace_type::kEvaluation == wire::TraceEvent::EVALUATION);
static_assert(trace_type::kMessageLost == wire::TraceEvent::MESSAGE_LOST);
static_assert(trace_type::kLinkDown == wire::TraceEvent::LINK_DOWN);
static_assert(trace_type::kLinkUp == wire::TraceEvent::LINK_UP);

std::vector<TraceRecord> read_trace(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open the events trace");
  google::protobuf::io::IstreamInputStream stream(&in);
  std::vector<TraceRecord> records;
  bool clean_eof = false;
  while (true) {
    wire::TraceEvent event;  // fresh each time: nothing carries over from the previous record
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&event, &stream, &clean_eof)) break;
    records.push_back(TraceRecord{static_cast<int>(event.type()), event.time_ns(), event.sender(),
                                  event.receiver(), event.size_bytes(), event.round(), event.kind(),
                                  event.link(), event.duration_ns(), event.cause()});
  }
  if (!clean_eof) {
    throw std::runtime_error(path.string() + ": malformed or truncated events trace after record " +
                             std::to_string(records.size()));
  }
  return records;
}

std::string trace_event_type_name(int type) {
  if (!wire::TraceEvent::Type_IsValid(type)) return "type_" + std::to_string(type);
  std::string name = wire::TraceEvent::Type_Name(static_cast<wire::TraceEvent::Type>(type));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace cdsim
