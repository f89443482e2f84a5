// Test helper: learning tests take seconds in an optimized build and minutes in an
// unoptimized or sanitized one (Eigen at -O0 under ASan), where they are skipped; the
// gradient and reader tests still run there.
#pragma once

namespace cdsim::testing {

#if defined(NDEBUG) && !defined(CDSIM_SANITIZED)
inline constexpr bool kSkipSlow = false;
#else
inline constexpr bool kSkipSlow = true;
#endif

}  // namespace cdsim::testing
