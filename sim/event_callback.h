// The action of a scheduled event: a move-only callable stored in place, so that
// scheduling an event never allocates (core/in_place_callback.h says what fits).
#pragma once

#include "core/in_place_callback.h"

namespace cdsim {

using EventCallback = InPlaceCallback;

}  // namespace cdsim
