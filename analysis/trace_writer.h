// The optional events trace of a run: every message's send, transmission start and end on
// each link, and arrival; every agent's compute intervals and its waits from the end of a
// compute to the completion of that step; each evaluation; and, under faults, every lost
// message (with its cause) and every link going down or up. Written as length-delimited
// TraceEvent records (proto/cdsim_wire.proto) to one file. Subscribes to the network's and
// the compute model's observer hooks; never changes what they do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/trace_reader.h"
#include "sim/network.h"
#include "sim/protocols/compute_model.h"
#include "sim/simulation.h"

namespace cdsim {

class TraceWriter {
 public:
  // Opens `path` for writing; throws std::runtime_error naming it on failure.
  explicit TraceWriter(const std::filesystem::path& path);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  // Records `network`'s events from now on; the writer must outlive the network's runs.
  void attach(Network& network);
  // Records every compute `compute` charges, at `simulation`'s clock (its observer slot is
  // the writer's from now on); both must outlive the runs.
  void attach(ComputeModel& compute, const Simulation& simulation);
  // `agent` has finished `step` at `now`: writes its wait since its last compute ended.
  void agent_finished(std::size_t agent, std::int64_t step, SimTime now);
  // Step `step` was evaluated at `now`.
  void evaluation(std::int64_t step, SimTime now);
  // Flushes and closes; throws std::runtime_error if anything failed to write.
  void close();
  std::uint64_t events_written() const { return events_written_; }

 private:
  void write(const TraceRecord& record);
  void write_message(int type, const Message& message, SimTime time, std::uint64_t link);

  std::filesystem::path path_;
  std::ofstream out_;
  std::uint64_t events_written_ = 0;
  // Per agent: when its last compute ends, and the step it is computing.
  std::vector<std::optional<SimTime>> compute_end_;
  std::vector<std::int64_t> steps_finished_;
};

// links.csv of a run directory: one line per directed link of `network` (the indices of
// the trace's link field) with its endpoints, latency in nanoseconds and bandwidth in bits
// per second.
std::string links_csv(const Network& network);

}  // namespace cdsim
