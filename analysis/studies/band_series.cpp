#include "analysis/studies/band_series.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace cdsim::studies {
namespace {

using Json = nlohmann::json;

std::string label_of(const Configuration& configuration) {
  std::string label;
  for (const auto& [field, value] : configuration) {
    if (value.empty()) continue;  // a field this configuration leaves at its default (a null axis value)
    label += (label.empty() ? "" : ", ") + field.substr(field.rfind('.') + 1) + "=" + value;
  }
  return label.empty() ? "all runs" : label;
}

Json number_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(); }

}  // namespace

std::string band_series_json(const std::vector<RunRecord>& runs, const std::vector<std::string>& by,
                             const std::vector<BandPanel>& panels, Band band) {
  // Group exactly as summaries do (same fields, same order).
  const std::vector<GroupSummary> groups = summarize(runs, by, std::nullopt);
  std::vector<std::vector<const RunRecord*>> members(groups.size());
  for (const RunRecord& run : runs) {
    for (std::size_t g = 0; g < groups.size(); ++g) {
      const Configuration& key = groups[g].configuration;
      const bool member = std::all_of(key.begin(), key.end(), [&](const auto& entry) {
        return std::find(run.configuration.begin(), run.configuration.end(), entry) != run.configuration.end();
      });
      if (member) {
        members[g].push_back(&run);
        break;
      }
    }
  }
  Json out = {{"band", band == Band::kNone ? "none" : band == Band::kStd ? "std" : "ci95"}, {"panels", Json::array()}};
  for (const BandPanel& panel : panels) {
    for (const char* column : {panel.x.c_str(), panel.y.c_str()}) {
      if (!std::any_of(runs.begin(), runs.end(), [&](const RunRecord& r) { return r.metrics.has(column); })) {
        throw std::invalid_argument(std::string("no run records the metric \"") + column + "\"");
      }
    }
    Json series = Json::array();
    for (std::size_t g = 0; g < groups.size(); ++g) {
      std::size_t length = 0;
      for (const RunRecord* run : members[g]) length = std::max(length, run->metrics.rows.size());
      Json xs = Json::array(), ys = Json::array(), lows = Json::array(), highs = Json::array(), counts = Json::array();
      for (std::size_t k = 0; k < length; ++k) {
        std::vector<double> x, y;
        for (const RunRecord* run : members[g]) {
          const MetricsTable& m = run->metrics;
          if (k >= m.rows.size() || !m.has(panel.x) || !m.has(panel.y)) continue;
          const double xv = m.rows[k][m.column(panel.x)], yv = m.rows[k][m.column(panel.y)];
          if (!std::isfinite(xv) || !std::isfinite(yv)) continue;
          x.push_back(xv);
          y.push_back(yv);
        }
        if (y.empty()) continue;
        const Statistic sx = describe(x), sy = describe(y);
        const double half = band == Band::kStd ? sy.std_dev : band == Band::kCi95 ? sy.ci95 : 0.0;
        xs.push_back(sx.mean);
        ys.push_back(sy.mean);
        lows.push_back(number_or_null(sy.mean - half));
        highs.push_back(number_or_null(sy.mean + half));
        counts.push_back(sy.n);
      }
      series.push_back({{"label", label_of(groups[g].configuration)}, {"x", xs}, {"y", ys}, {"low", lows},
                        {"high", highs}, {"seeds", counts}});
    }
    out["panels"].push_back({{"x", panel.x}, {"y", panel.y}, {"series", series}});
  }
  return out.dump(1) + "\n";
}

}  // namespace cdsim::studies
