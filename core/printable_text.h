// Bytes of a user's input shown in an error message: printable ASCII as it is, every other
// byte as \xNN, so that a message is one clean line on any terminal whatever the input held.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace cdsim {

inline std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7F) {
      out += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned>(byte));
      out += hex;
    }
  }
  return out;
}

}  // namespace cdsim
