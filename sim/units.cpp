#include "sim/units.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "core/invalid_input.h"
#include "sim/number_format.h"

namespace cdsim {
namespace {

// One accepted unit and how many base units (ns, bits per second, bytes) it stands for.
struct Unit {
  std::string_view name;
  std::int64_t factor;
};

// What a unit string denotes: its name in messages, its units, and its rules.
struct QuantityKind {
  std::string_view name;            // "duration"
  std::span<const Unit> units;      // the first one is used in examples
  bool unit_required;               // false: a bare number counts in base units
  bool whole_required;              // the scaled value must be an integer (byte counts)
  std::string_view example;         // "250us"
};

constexpr Unit kDurationUnits[] = {{"ns", 1},
                                   {"us", 1'000},
                                   {"ms", 1'000'000},
                                   {"s", 1'000'000'000},
                                   {"min", 60'000'000'000},
                                   {"h", 3'600'000'000'000}};

constexpr std::int64_t kKi = 1024;
constexpr Unit kBandwidthUnits[] = {{"bps", 1},
                                    {"kbps", 1'000},
                                    {"Kbps", 1'000},
                                    {"Mbps", 1'000'000},
                                    {"Gbps", 1'000'000'000},
                                    {"Tbps", 1'000'000'000'000},
                                    {"bit/s", 1},
                                    {"kbit/s", 1'000},
                                    {"Mbit/s", 1'000'000},
                                    {"Gbit/s", 1'000'000'000},
                                    {"Tbit/s", 1'000'000'000'000},
                                    {"B/s", 8},
                                    {"kB/s", 8'000},
                                    {"KB/s", 8'000},
                                    {"MB/s", 8'000'000},
                                    {"GB/s", 8'000'000'000},
                                    {"TB/s", 8'000'000'000'000},
                                    {"KiB/s", 8 * kKi},
                                    {"MiB/s", 8 * kKi * kKi},
                                    {"GiB/s", 8 * kKi * kKi * kKi},
                                    {"TiB/s", 8 * kKi * kKi * kKi * kKi}};

constexpr Unit kByteUnits[] = {{"B", 1},
                               {"kB", 1'000},
                               {"KB", 1'000},
                               {"MB", 1'000'000},
                               {"GB", 1'000'000'000},
                               {"TB", 1'000'000'000'000},
                               {"KiB", kKi},
                               {"MiB", kKi * kKi},
                               {"GiB", kKi * kKi * kKi},
                               {"TiB", kKi * kKi * kKi * kKi}};

constexpr QuantityKind kDuration{"duration", kDurationUnits, true, false, "250us"};
constexpr QuantityKind kBandwidth{"bandwidth", kBandwidthUnits, true, false, "1Gbps"};
constexpr QuantityKind kByteCount{"byte count", kByteUnits, false, true, "400KB"};

std::string unit_list(const QuantityKind& kind) {
  std::string list;
  for (const Unit& unit : kind.units) {
    if (!list.empty()) list += ", ";
    list += unit.name;
  }
  return list;
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

[[noreturn]] void fail(const QuantityKind& kind, std::string_view text, const std::string& problem) {
  throw InvalidInput("", "invalid " + std::string(kind.name) + " \"" + std::string(text) + "\": " + problem);
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Parses "<number> <unit>" into a non-negative count of base units. Integers are scaled
// exactly; numbers with a fraction or exponent go through a double and are rounded to the
// nearest base unit.
std::int64_t parse_quantity(std::string_view original, const QuantityKind& kind) {
  const std::string_view text = trim(original);
  const std::string expected = "expected a number followed by a unit, one of " + unit_list(kind) + " (e.g. \"" +
                               std::string(kind.example) + "\")";
  if (text.empty()) fail(kind, original, "it is empty; " + expected);

  const char* begin = text.data();
  const char* end = text.data() + text.size();
  double number = 0.0;
  const std::from_chars_result parsed = std::from_chars(begin, end, number);
  if (parsed.ec == std::errc::invalid_argument) fail(kind, original, "no number found; " + expected);
  const std::string_view number_text(begin, static_cast<std::size_t>(parsed.ptr - begin));
  const std::string_view unit_text = trim(std::string_view(parsed.ptr, static_cast<std::size_t>(end - parsed.ptr)));

  std::int64_t factor = 1;
  if (unit_text.empty()) {
    if (kind.unit_required) fail(kind, original, "the unit is missing; " + expected);
  } else {
    bool known = false;
    for (const Unit& unit : kind.units) {
      if (unit.name == unit_text) {
        factor = unit.factor;
        known = true;
        break;
      }
    }
    if (!known) {
      fail(kind, original, "unknown unit \"" + std::string(unit_text) + "\"; " + expected);
    }
  }

  const std::string too_large = "it is too large for a 64-bit count of " + std::string(kind.units.front().name);
  if (parsed.ec == std::errc::result_out_of_range) fail(kind, original, too_large);
  if (!std::isfinite(number)) fail(kind, original, "the number is not finite; " + expected);
  if (number < 0.0 || number_text.starts_with('-')) fail(kind, original, "it is negative; expected a value >= 0");

  if (all_digits(number_text)) {
    std::int64_t integer = 0;
    const std::from_chars_result exact = std::from_chars(number_text.data(), number_text.data() + number_text.size(), integer);
    std::int64_t scaled = 0;
    if (exact.ec != std::errc() || __builtin_mul_overflow(integer, factor, &scaled)) fail(kind, original, too_large);
    return scaled;
  }
  const double scaled = number * static_cast<double>(factor);
  const double rounded = std::round(scaled);
  if (rounded >= 9223372036854775808.0) fail(kind, original, too_large);
  if (kind.whole_required && std::abs(scaled - rounded) > 1e-9 * std::max(1.0, scaled)) {
    fail(kind, original, "it is not a whole number of " + std::string(kind.units.front().name));
  }
  return static_cast<std::int64_t>(rounded);
}

}  // namespace

SimTime parse_duration(std::string_view text) { return SimTime::from_ns(parse_quantity(text, kDuration)); }

SimTime duration_from_seconds(double seconds) {
  if (!(seconds >= 0.0)) {
    throw InvalidInput("", "invalid duration " + format_double(seconds) + " seconds: expected a number >= 0");
  }
  return SimTime::from_seconds(seconds);
}

Bandwidth parse_bandwidth(std::string_view text) {
  const std::int64_t bits_per_second = parse_quantity(text, kBandwidth);
  if (bits_per_second <= 0) {
    fail(kBandwidth, text, "it is zero or rounds to less than 1 bps; expected a rate > 0");
  }
  return Bandwidth::from_bits_per_second(bits_per_second);
}

Bandwidth bandwidth_from_bytes_per_second(double bytes_per_second) {
  return Bandwidth::from_bytes_per_second(bytes_per_second);
}

ByteCount parse_byte_count(std::string_view text) { return ByteCount{parse_quantity(text, kByteCount)}; }

ByteCount byte_count_from_number(double bytes) {
  const std::string found = "invalid byte count " + format_double(bytes);
  if (!std::isfinite(bytes) || bytes < 0.0) throw InvalidInput("", found + ": expected a finite number >= 0");
  if (bytes != std::floor(bytes)) throw InvalidInput("", found + ": expected a whole number of bytes");
  if (bytes >= 9223372036854775808.0) throw InvalidInput("", found + ": it is too large for a 64-bit count of bytes");
  return ByteCount{static_cast<std::int64_t>(bytes)};
}

namespace {

// A whole string that is a plain number, as a graph file writes one without a unit.
bool plain_number(std::string_view text, double& value) {
  if (text.empty()) return false;
  const std::string copy(text);
  char* end = nullptr;
  value = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

}  // namespace

SimTime parse_duration_or_seconds(std::string_view text) {
  double seconds = 0.0;
  return plain_number(text, seconds) ? duration_from_seconds(seconds) : parse_duration(text);
}

Bandwidth parse_bandwidth_or_bytes_per_second(std::string_view text) {
  double bytes_per_second = 0.0;
  return plain_number(text, bytes_per_second) ? bandwidth_from_bytes_per_second(bytes_per_second)
                                              : parse_bandwidth(text);
}

}  // namespace cdsim
