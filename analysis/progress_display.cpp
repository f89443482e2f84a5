#include "analysis/progress_display.h"

#include <cmath>
#include <ostream>
#include <string>

namespace cdsim {
namespace {

std::string format_duration_hms(double seconds) {
  const auto total = static_cast<long long>(std::llround(seconds));
  const long long h = total / 3600, m = (total / 60) % 60, s = total % 60;
  char buffer[32];
  if (h > 0) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", h, m, s);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld", m, s);
  }
  return buffer;
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::ostream* out, bool terminal, std::int64_t total_steps)
    : out_(out),
      terminal_(terminal),
      total_steps_(total_steps),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void ProgressDisplay::step_complete(std::int64_t step, double sim_time_s) {
  if (out_ == nullptr || !terminal_) return;
  const auto now = std::chrono::steady_clock::now();
  // Redraw at most ten times a second: a terminal is slower than the simulator.
  if (step != total_steps_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  redraw(step, sim_time_s);
}

void ProgressDisplay::redraw(std::int64_t step, double sim_time_s) {
  constexpr int kBarWidth = 24;
  const double fraction = total_steps_ > 0 ? static_cast<double>(step) / static_cast<double>(total_steps_) : 1.0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = "\r[" + std::string(static_cast<std::size_t>(filled), '#') +
                     std::string(static_cast<std::size_t>(kBarWidth - filled), '-') + "] step " +
                     std::to_string(step) + "/" + std::to_string(total_steps_) + "  sim " +
                     format_number(sim_time_s) + " s";
  if (!last_figure_.empty()) line += "  " + last_figure_;
  if (fraction > 0.0 && fraction < 1.0) line += "  ETA " + format_duration_hms(elapsed * (1.0 - fraction) / fraction);
  *out_ << line << "\x1b[K" << std::flush;  // erase what a longer previous line left
  drawn_ = true;
}

void ProgressDisplay::evaluated(const MetricsRow& row) {
  if (out_ == nullptr) return;
  const MetricsColumns& c = row.computed;
  // The headline figure: the agents' test accuracy (or loss), else the averaged model's.
  last_figure_.clear();
  if (c.test) {
    last_figure_ = std::isfinite(row.test_accuracy) ? "test_acc " + format_number(row.test_accuracy)
                                                    : "test_loss " + format_number(row.test_loss);
  } else if (c.average_model) {
    last_figure_ = std::isfinite(row.average_model_test_accuracy)
                       ? "avg_model_acc " + format_number(row.average_model_test_accuracy)
                       : "avg_model_loss " + format_number(row.average_model_test_loss);
  }
  if (terminal_) {
    redraw(row.step, row.sim_time_s);
    return;
  }
  *out_ << "step " << row.step << "/" << total_steps_ << "  epoch " << format_number(row.epoch) << "  sim "
        << format_number(row.sim_time_s) << " s";
  if (c.train) *out_ << "  train_loss " << format_number(row.train_loss);
  if (c.test) *out_ << "  test_loss " << format_number(row.test_loss);
  if (c.test && std::isfinite(row.test_accuracy)) *out_ << "  test_acc " << format_number(row.test_accuracy);
  if (!c.test && !last_figure_.empty()) *out_ << "  " << last_figure_;
  if (c.consensus) *out_ << "  consensus " << format_number(row.consensus_distance);
  if (!c.train && !c.test && !c.average_model) *out_ << "  bytes " << row.bytes_total;
  *out_ << "\n";
}

void ProgressDisplay::finish() {
  if (out_ != nullptr && terminal_ && drawn_) *out_ << "\n";
}

}  // namespace cdsim
