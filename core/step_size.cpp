#include "core/step_size.h"

#include <cmath>

#include "core/invalid_input.h"

namespace cdsim {

void validate(const StepSizeSchedule& schedule) {
  const std::string& kind = schedule.kind;
  if (kind == "constant") return;
  if (kind == "step") {
    if (!(schedule.drop_factor > 0.0 && schedule.drop_factor <= 1.0))
      throw InvalidInput("/drop_factor", "drop_factor must be in (0, 1]");
    if (schedule.drop_every < 1)
      throw InvalidInput("/drop_every", "drop_every must be at least 1 step");
    return;
  }
  if (kind == "inverse_sqrt" || kind == "inverse") {
    if (!(schedule.decay >= 0.0) || !std::isfinite(schedule.decay))
      throw InvalidInput("/decay", "decay must be a finite number >= 0");
    return;
  }
  if (kind == "power") {
    if (!(schedule.exponent > 0.0) || !std::isfinite(schedule.exponent))
      throw InvalidInput("/exponent", "exponent must be a finite number > 0");
    return;
  }
  throw InvalidInput("/kind", "unknown step-size schedule \"" + kind +
                                  "\"; expected constant, step, inverse_sqrt, inverse or power");
}

double step_size(const StepSizeSchedule& schedule, std::int64_t step) {
  const double k = static_cast<double>(step < 0 ? 0 : step);
  const std::string& kind = schedule.kind;
  if (kind == "step")
    return std::pow(schedule.drop_factor, static_cast<double>(step / schedule.drop_every));
  if (kind == "inverse_sqrt") return 1.0 / std::sqrt(1.0 + schedule.decay * k);
  if (kind == "inverse") return 1.0 / (1.0 + schedule.decay * k);
  if (kind == "power") return 1.0 / std::pow(k + 1.0, schedule.exponent);
  return 1.0;
}

}  // namespace cdsim
