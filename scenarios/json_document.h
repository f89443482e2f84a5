// Private to scenarios/ (and loaders built on it): turns the text of a JSON input file
// into a nlohmann value only after checks that make the rest safe and every error clear:
// the encoding (UTF-8; a UTF-16/32 file or NUL bytes are named as such), the nesting depth
// (at most kMaxJsonDepth, checked by a flat scan before any recursive code sees the
// value), numbers beyond a double's range, and duplicate keys. Errors are InvalidInput
// with the JSON pointer of the culprit ("" for the whole text) and a message that never
// contains raw bytes of the input.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cdsim::scenario_detail {

// Objects and arrays nested deeper than this are rejected (a scenario needs about 4).
inline constexpr std::size_t kMaxJsonDepth = 64;

// Throws InvalidInput(pointer, message); a syntax error's message starts "malformed JSON
// at line L, column C: ".
nlohmann::json parse_json_document(std::string_view text);

}  // namespace cdsim::scenario_detail
