// The lines `cdsim plot` draws for a sweep: one per configuration, the mean over its seeds
// at each evaluation with a band (mean ± std, or the 95% Student-t interval), as JSON for
// analysis/plot.py --series. The k-th point of a line is over the seeds that have a k-th
// evaluation (runs stopped early by run.stop have fewer).
#pragma once

#include <string>
#include <vector>

#include "analysis/studies/summary.h"

namespace cdsim::studies {

enum class Band { kNone, kStd, kCi95 };

struct BandPanel {
  std::string x;  // metrics.csv column: epoch, sim_time_s or bytes_total
  std::string y;  // metrics.csv column
};

// {"metric": ..., "band": ..., "panels": [{"x", "y", "series": [{"label", "x", "y", "low",
// "high", "seeds"}]}]}. Throws std::invalid_argument for a column no run records.
std::string band_series_json(const std::vector<RunRecord>& runs, const std::vector<std::string>& by,
                             const std::vector<BandPanel>& panels, Band band);

}  // namespace cdsim::studies
