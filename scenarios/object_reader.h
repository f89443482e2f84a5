// Private to scenarios/: walks one JSON object of a scenario, reading typed fields with
// defaults, remembering which keys it consumed so that unknown keys are reported, and
// naming every bad value by its JSON pointer. Only .cpp files of scenarios/ include it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim::scenario_detail {

using Json = nlohmann::json;

// JSON pointer escaping (RFC 6901): "~" -> "~0", "/" -> "~1".
std::string pointer_token(std::string_view key);

// A short, quoted rendering of a JSON value for error messages.
std::string describe_value(const Json& value);

class ObjectReader {
 public:
  // `object` must outlive the reader; throws InvalidInput if it is not an object.
  ObjectReader(const Json& object, std::string pointer);

  const std::string& pointer() const { return pointer_; }
  std::string field_pointer(std::string_view key) const;
  bool has(std::string_view key) const;

  std::string string_or(std::string_view key, const std::string& fallback);
  // A string that must be one of `allowed`.
  std::string choice_or(std::string_view key, const std::string& fallback,
                        std::initializer_list<std::string_view> allowed);
  bool bool_or(std::string_view key, bool fallback);
  double number_or(std::string_view key, double fallback);
  double positive_number_or(std::string_view key, double fallback);
  double nonnegative_number_or(std::string_view key, double fallback);
  double probability_or(std::string_view key, double fallback);  // in [0, 1]
  std::uint64_t unsigned_or(std::string_view key, std::uint64_t fallback);
  std::uint64_t positive_unsigned_or(std::string_view key, std::uint64_t fallback);
  std::vector<std::size_t> unsigned_list_or(std::string_view key, std::vector<std::size_t> fallback);
  std::vector<double> number_list_or(std::string_view key, std::vector<double> fallback);
  std::vector<std::vector<double>> matrix_or(std::string_view key,
                                             std::vector<std::vector<double>> fallback);

  // Quantities: a unit string or a plain number in SI base units.
  SimTime duration_or(std::string_view key, SimTime fallback);
  Bandwidth bandwidth_or(std::string_view key, Bandwidth fallback);
  ByteCount byte_count_or(std::string_view key, ByteCount fallback);

  // A nested object, or nullptr when absent (absence means all defaults).
  const Json* object_or_null(std::string_view key);
  // An array, or nullptr when absent.
  const Json* array_or_null(std::string_view key);

  // Throws InvalidInput naming the first key that no read consumed.
  void reject_unknown_keys() const;

 private:
  const Json* find(std::string_view key);
  std::uint64_t whole_number_at_least(std::string_view key, std::uint64_t fallback, std::uint64_t minimum);
  [[noreturn]] void fail(std::string_view key, const std::string& expected, const Json& found) const;

  const Json& object_;
  std::string pointer_;
  std::set<std::string, std::less<>> known_;     // every key a read asked for
  std::set<std::string, std::less<>> consumed_;  // the keys present and read
};

}  // namespace cdsim::scenario_detail
