// Test helpers shared by the topologies tests: capturing the InvalidInput a call must
// throw (to check its field pointer and message), and building a rule's mixing matrix.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "core/invalid_input.h"
#include "topologies/mixing_matrix.h"

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

inline MixingMatrix with_rule(const Graph& graph, const std::string& rule) {
  MixingSpec spec;
  spec.rule = rule;
  return build_mixing_matrix(graph, spec);
}

}  // namespace cdsim::testing
