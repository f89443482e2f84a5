// Test helper: runs a callable that must throw cdsim::InvalidInput and hands back the
// exception, so a test can check its field pointer and message.
#pragma once

#include <doctest/doctest.h>

#include "core/invalid_input.h"

namespace cdsim::testing {

template <typename F>
InvalidInput error_of(F f) {
  try {
    f();
  } catch (const InvalidInput& e) {
    return e;
  }
  FAIL("expected InvalidInput");
  return InvalidInput("", "");
}

}  // namespace cdsim::testing
