// Must NOT compile: a lambda whose captures exceed InPlaceCallback's 56-byte buffer. The
// test core_tests.in_place_callback_too_large builds this file and expects the static_assert's
// message in the compiler output.
#include <array>
#include <cstdint>

#include "core/in_place_callback.h"

int main() {
  std::array<std::int64_t, 8> numbers{};  // 64 bytes
  cdsim::InPlaceCallback callback([numbers] { (void)numbers; });
  callback();
}
