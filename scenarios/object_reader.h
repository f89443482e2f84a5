// Private to scenarios/: walks one JSON object of a scenario, reading typed fields with
// defaults, remembering which keys it consumed so that unknown keys are reported, and
// naming every bad value by its JSON pointer. Only .cpp files of scenarios/ include it.
#pragma once

#include <cstdint>
#include <cstddef>
#include <initializer_list>
#include <map>
#include <set>
#include <optional>
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

// The loader's field table: every field the readers of one load were asked for, with its
// JSON Schema (type, default, allowed values, bounds), by object. Loading an empty scenario
// with a table attached records them all, so `cdsim schema` comes from the same reads that
// check scenario files.
class FieldTable {
 public:
  // Merges `schema` into what is known of `key` in the object at `object_pointer`.
  void add(const std::string& object_pointer, std::string_view key, const Json& schema);
  // A JSON Schema of the object at `object_pointer`, its nested objects included; unknown
  // keys are rejected, as the loader rejects them.
  Json json_schema(const std::string& object_pointer) const;

 private:
  std::map<std::string, std::map<std::string, Json, std::less<>>> objects_;
};

class ObjectReader {
 public:
  // `object` must outlive the reader; throws InvalidInput if it is not an object. With a
  // `table`, every read also records its field there.
  ObjectReader(const Json& object, std::string pointer, FieldTable* table = nullptr);
  // The reader of the nested object at `key` (an absent or null one reads as {}), recording
  // into the same table.
  ObjectReader section(std::string_view key);

  const std::string& pointer() const { return pointer_; }
  const Json& json() const { return object_; }
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
  // A number in [minimum, maximum] ((minimum, maximum] when exclude_minimum).
  double number_in_range_or(std::string_view key, double fallback, double minimum, double maximum,
                            bool exclude_minimum = false);
  // Whole numbers: a JSON integer, or a float with no fraction, converted exactly (never
  // wrapped or saturated). Every count that sizes memory or work should state its bound
  // with count_or, so that a huge value is an error here and not an allocation later.
  std::uint64_t count_or(std::string_view key, std::uint64_t fallback, std::uint64_t minimum,
                         std::uint64_t maximum);
  // count_or for a signed field; `maximum` must not exceed INT64_MAX.
  std::int64_t int64_count_or(std::string_view key, std::int64_t fallback, std::int64_t minimum,
                              std::int64_t maximum);
  std::uint64_t unsigned_or(std::string_view key, std::uint64_t fallback);           // any uint64
  std::uint64_t positive_unsigned_or(std::string_view key, std::uint64_t fallback);  // >= 1
  std::vector<std::size_t> unsigned_list_or(std::string_view key, std::vector<std::size_t> fallback,
                                            std::size_t maximum_item = SIZE_MAX,
                                            std::size_t maximum_count = SIZE_MAX);
  std::vector<double> number_list_or(std::string_view key, std::vector<double> fallback);
  std::vector<std::vector<double>> matrix_or(std::string_view key,
                                             std::vector<std::vector<double>> fallback);

  // Quantities: a unit string or a plain number in SI base units.
  SimTime duration_or(std::string_view key, SimTime fallback);
  Bandwidth bandwidth_or(std::string_view key, Bandwidth fallback);
  ByteCount byte_count_or(std::string_view key, ByteCount fallback);
  // The same for a field whose absence means something of its own (e.g. unlimited): the
  // schema gives it no default, and an absent field gives std::nullopt.
  std::optional<SimTime> optional_duration(std::string_view key);
  std::optional<Bandwidth> optional_bandwidth(std::string_view key);

  // A nested object, or nullptr when absent (absence means all defaults).
  const Json* object_or_null(std::string_view key);
  // An array, or nullptr when absent.
  const Json* array_or_null(std::string_view key);

  // Throws InvalidInput naming the first key that no read consumed.
  void reject_unknown_keys() const;

 private:
  const Json* find(std::string_view key);
  // The present field `key` as a duration / bandwidth (a unit string or an SI number).
  SimTime parse_duration_field(std::string_view key);
  Bandwidth parse_bandwidth_field(std::string_view key);
  [[noreturn]] void fail(std::string_view key, const std::string& expected, const Json& found) const;
  void note(std::string_view key, const Json& schema);  // into the field table, if any

  const Json& object_;
  std::string pointer_;
  FieldTable* table_ = nullptr;
  std::set<std::string, std::less<>> known_;     // every key a read asked for
  std::set<std::string, std::less<>> consumed_;  // the keys present and read
};

}  // namespace cdsim::scenario_detail
