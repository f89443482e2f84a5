#include "analysis/trace_writer.h"

#include <google/protobuf/util/delimited_message_util.h>

#include <stdexcept>

#include "cdsim_wire.pb.h"

namespace cdsim {

TraceWriter::TraceWriter(const std::filesystem::path& path)
    : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
  if (!out_) throw std::runtime_error(path.string() + ": cannot open the events trace for writing");
}

TraceWriter::~TraceWriter() = default;

void TraceWriter::attach(Network& network) {
  NetworkObserver observer;
  observer.on_send = [this](const Message& message, SimTime now) {
    write(wire::TraceEvent::SEND, message, now, 0);
  };
  observer.on_transmission_start = [this](const Message& message, SimTime start, std::size_t link) {
    write(wire::TraceEvent::TRANSMISSION_START, message, start, link);
  };
  observer.on_delivered = [this](const Message& message, SimTime now) {
    write(wire::TraceEvent::ARRIVAL, message, now, 0);
  };
  network.add_observer(std::move(observer));
}

void TraceWriter::write(int type, const Message& message, SimTime time, std::uint64_t link) {
  wire::TraceEvent event;
  event.set_type(static_cast<wire::TraceEvent::Type>(type));
  event.set_time_ns(time.ns());
  event.set_sender(message.from.value);
  event.set_receiver(message.to.value);
  event.set_size_bytes(message.size.bytes());
  event.set_round(message.round);
  event.set_kind(message.kind);
  event.set_link(link);
  if (!google::protobuf::util::SerializeDelimitedToOstream(event, &out_)) {
    throw std::runtime_error(path_.string() + ": cannot write the events trace");
  }
  ++events_written_;
}

void TraceWriter::close() {
  out_.close();
  if (!out_) throw std::runtime_error(path_.string() + ": cannot finish writing the events trace");
}

}  // namespace cdsim
