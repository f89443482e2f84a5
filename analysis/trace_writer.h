// The optional events trace of a run: every message's send, transmission start and
// arrival, written as length-delimited TraceEvent records (proto/cdsim_wire.proto) to one
// file. Subscribes to a network's observer hooks; never changes what the network does.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>

#include "sim/network.h"

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
  // Flushes and closes; throws std::runtime_error if anything failed to write.
  void close();
  std::uint64_t events_written() const { return events_written_; }

 private:
  void write(int type, const Message& message, SimTime time, std::uint64_t link);

  std::filesystem::path path_;
  std::ofstream out_;
  std::uint64_t events_written_ = 0;
};

}  // namespace cdsim
