// What a long run shows while it goes: on a terminal, one line redrawn in place (bar,
// step, simulated time, last test figure, estimated time left); elsewhere, one plain line
// per evaluation; with no stream, nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>

#include "analysis/metrics.h"

namespace cdsim {

class ProgressDisplay {
 public:
  // `out` may be nullptr (silent). `terminal` selects the redrawn line.
  ProgressDisplay(std::ostream* out, bool terminal, std::int64_t total_steps);

  void step_complete(std::int64_t step, double sim_time_s);
  void evaluated(const MetricsRow& row);
  // Ends the redrawn line, if any.
  void finish();

 private:
  void redraw(std::int64_t step, double sim_time_s);

  std::ostream* out_;
  bool terminal_;
  std::int64_t total_steps_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::string last_figure_;
  bool drawn_ = false;
};

}  // namespace cdsim
