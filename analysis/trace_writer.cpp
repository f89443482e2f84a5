#include "analysis/trace_writer.h"

#include <google/protobuf/util/delimited_message_util.h>

#include <stdexcept>
#include <string>

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
    write_message(wire::TraceEvent::SEND, message, now, 0);
  };
  observer.on_transmission_start = [this](const Message& message, SimTime start, std::size_t link) {
    write_message(wire::TraceEvent::TRANSMISSION_START, message, start, link);
  };
  observer.on_transmission_end = [this](const Message& message, SimTime end, std::size_t link) {
    write_message(wire::TraceEvent::TRANSMISSION_END, message, end, link);
  };
  observer.on_delivered = [this](const Message& message, SimTime now) {
    write_message(wire::TraceEvent::ARRIVAL, message, now, 0);
  };
  observer.on_lost = [this](const Message& message, SimTime now, LossCause cause) {
    TraceRecord record{wire::TraceEvent::MESSAGE_LOST, now.ns(), message.from.value, message.to.value,
                       message.size.bytes(), message.round, message.kind, 0, 0};
    record.cause = static_cast<std::uint32_t>(cause);
    write(record);
  };
  observer.on_link_state = [this](AgentId a, AgentId b, bool up, SimTime now) {
    TraceRecord record;
    record.type = up ? wire::TraceEvent::LINK_UP : wire::TraceEvent::LINK_DOWN;
    record.time_ns = now.ns();
    record.sender = a.value;
    record.receiver = b.value;
    write(record);
  };
  network.add_observer(std::move(observer));
}

void TraceWriter::attach(ComputeModel& compute, const Simulation& simulation) {
  compute.set_observer([this, &simulation](std::size_t agent, SimTime duration) {
    if (agent >= compute_end_.size()) {
      compute_end_.resize(agent + 1);
      steps_finished_.resize(agent + 1, 0);
    }
    const SimTime start = simulation.now();
    compute_end_[agent] = start + duration;
    const auto node = static_cast<std::uint32_t>(agent);
    write(TraceRecord{wire::TraceEvent::COMPUTE, start.ns(), node, node, 0, steps_finished_[agent] + 1, 0, 0,
                      duration.ns()});
  });
}

void TraceWriter::agent_finished(std::size_t agent, std::int64_t step, SimTime now) {
  if (agent >= compute_end_.size()) return;  // never computed (no compute model attached)
  steps_finished_[agent] = step;
  const std::optional<SimTime> end = compute_end_[agent];
  compute_end_[agent].reset();
  if (!end || now <= *end) return;
  const auto node = static_cast<std::uint32_t>(agent);
  write(TraceRecord{wire::TraceEvent::WAIT, end->ns(), node, node, 0, step, 0, 0, (now - *end).ns()});
}

void TraceWriter::evaluation(std::int64_t step, SimTime now) {
  TraceRecord record;
  record.type = wire::TraceEvent::EVALUATION;
  record.time_ns = now.ns();
  record.round = step;
  write(record);
}

void TraceWriter::write_message(int type, const Message& message, SimTime time, std::uint64_t link) {
  write(TraceRecord{type, time.ns(), message.from.value, message.to.value, message.size.bytes(), message.round,
                    message.kind, link, 0});
}

void TraceWriter::write(const TraceRecord& record) {
  wire::TraceEvent event;
  event.set_type(static_cast<wire::TraceEvent::Type>(record.type));
  event.set_time_ns(record.time_ns);
  event.set_sender(record.sender);
  event.set_receiver(record.receiver);
  event.set_size_bytes(record.size_bytes);
  event.set_round(record.round);
  event.set_kind(record.kind);
  event.set_link(record.link);
  event.set_duration_ns(record.duration_ns);
  event.set_cause(record.cause);
  if (!google::protobuf::util::SerializeDelimitedToOstream(event, &out_)) {
    throw std::runtime_error(path_.string() + ": cannot write the events trace");
  }
  ++events_written_;
}

void TraceWriter::close() {
  out_.close();
  if (!out_) throw std::runtime_error(path_.string() + ": cannot finish writing the events trace");
}

std::string links_csv(const Network& network) {
  std::string csv = "link,from,to,latency_ns,bandwidth_bps\n";
  for (std::size_t i = 0; i < network.link_count(); ++i) {
    const LinkEndpoints ends = network.link_endpoints(i);
    const LinkSpec& spec = network.link_spec(i);
    csv += std::to_string(i) + "," + std::to_string(ends.from.value) + "," + std::to_string(ends.to.value) + "," +
           std::to_string(spec.latency.ns()) + "," + std::to_string(spec.bandwidth.bits_per_second()) + "\n";
  }
  return csv;
}

}  // namespace cdsim
