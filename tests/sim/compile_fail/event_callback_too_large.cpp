// Must NOT compile: a lambda whose captures exceed EventCallback's 56-byte buffer. The
// test sim_tests.event_callback_too_large builds this file and expects the static_assert's
// message in the compiler output.
#include <array>
#include <cstdint>

#include "sim/event_callback.h"

int main() {
  std::array<std::int64_t, 8> numbers{};  // 64 bytes
  cdsim::EventCallback callback([numbers] { (void)numbers; });
  callback();
}
