#include "scenarios/object_reader.h"

#include <cmath>
#include <limits>

#include "core/invalid_input.h"
#include "sim/number_format.h"
#include "sim/time.h"
#include "sim/units.h"

namespace cdsim::scenario_detail {

std::string pointer_token(std::string_view key) {
  std::string token;
  for (char c : key) {
    if (c == '~') {
      token += "~0";
    } else if (c == '/') {
      token += "~1";
    } else {
      token += c;
    }
  }
  return token;
}

namespace {

constexpr std::size_t kMaxDescriptionLength = 60;

// Appends a compact rendering of `value` to `out`, stopping once `out` is longer than
// kMaxDescriptionLength: each level of nesting adds a character, so the recursion is as
// shallow as the description is short, however deep the value.
void render(const Json& value, std::string& out) {
  if (out.size() > kMaxDescriptionLength) return;
  if (value.is_object() || value.is_array()) {
    const bool object = value.is_object();
    out += object ? '{' : '[';
    bool first = true;
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (out.size() > kMaxDescriptionLength) return;
      if (!first) out += ',';
      first = false;
      if (object) out += Json(it.key()).dump(-1, ' ', false, Json::error_handler_t::replace) + ":";
      render(*it, out);
    }
    out += object ? '}' : ']';
    return;
  }
  out += value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string describe_value(const Json& value) {
  std::string text;
  render(value, text);
  if (text.size() > kMaxDescriptionLength) text = text.substr(0, kMaxDescriptionLength) + "...";
  return text + " (" + std::string(value.type_name()) + ")";
}

void FieldTable::add(const std::string& object_pointer, std::string_view key, const Json& schema) {
  auto& fields = objects_[object_pointer];
  auto it = fields.find(key);
  if (it == fields.end()) it = fields.emplace(std::string(key), Json::object()).first;
  it->second.update(schema);
}

Json FieldTable::json_schema(const std::string& object_pointer) const {
  Json properties = Json::object();
  const auto object = objects_.find(object_pointer);
  if (object != objects_.end()) {
    for (const auto& [key, field] : object->second) {
      const std::string nested = object_pointer + "/" + pointer_token(key);
      Json schema = objects_.count(nested) > 0 ? json_schema(nested) : field;
      // null means "use the default" wherever a reader reads.
      if (schema.contains("type") && schema["type"].is_string()) {
        schema["type"] = Json::array({schema["type"], "null"});
      } else if (schema.contains("type") && schema["type"].is_array()) {
        schema["type"].push_back("null");
      }
      properties[key] = std::move(schema);
    }
  }
  return {{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
}

ObjectReader::ObjectReader(const Json& object, std::string pointer, FieldTable* table)
    : object_(object), pointer_(std::move(pointer)), table_(table) {
  if (!object_.is_object()) {
    throw InvalidInput(pointer_, "expected an object, found " + describe_value(object_));
  }
}

ObjectReader ObjectReader::section(std::string_view key) {
  static const Json kEmpty = Json::object();  // immutable constant, not shared state
  const Json* object = object_or_null(key);
  note(key, {{"type", "object"}});
  return ObjectReader(object != nullptr ? *object : kEmpty, field_pointer(key), table_);
}

void ObjectReader::note(std::string_view key, const Json& schema) {
  if (table_ != nullptr) table_->add(pointer_, key, schema);
}

std::string ObjectReader::field_pointer(std::string_view key) const {
  return pointer_ + "/" + pointer_token(key);
}

bool ObjectReader::has(std::string_view key) const { return object_.contains(key); }

const Json* ObjectReader::find(std::string_view key) {
  known_.emplace(key);
  auto it = object_.find(key);
  if (it == object_.end()) return nullptr;
  consumed_.emplace(key);
  if (it->is_null()) return nullptr;  // null means "use the default"
  return &*it;
}

void ObjectReader::fail(std::string_view key, const std::string& expected, const Json& found) const {
  throw InvalidInput(field_pointer(key), "expected " + expected + ", found " + describe_value(found));
}

std::string ObjectReader::string_or(std::string_view key, const std::string& fallback) {
  note(key, {{"type", "string"}, {"default", fallback}});
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_string()) fail(key, "a string", *value);
  return value->get<std::string>();
}

std::string ObjectReader::choice_or(std::string_view key, const std::string& fallback,
                                    std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (std::string_view option : allowed) {
    if (!list.empty()) list += ", ";
    list.append("\"").append(option).append("\"");
  }
  note(key, {{"type", "string"}, {"enum", Json(std::vector<std::string>(allowed.begin(), allowed.end()))},
             {"default", fallback}});
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_string()) fail(key, "one of " + list, *value);
  const std::string text = value->get<std::string>();
  for (std::string_view option : allowed) {
    if (text == option) return text;
  }
  fail(key, "one of " + list, *value);
}

bool ObjectReader::bool_or(std::string_view key, bool fallback) {
  note(key, {{"type", "boolean"}, {"default", fallback}});
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) fail(key, "true or false", *value);
  return value->get<bool>();
}

double ObjectReader::number_or(std::string_view key, double fallback) {
  note(key, {{"type", "number"}, {"default", fallback}});
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_number()) fail(key, "a number", *value);
  const double number = value->get<double>();
  if (!std::isfinite(number)) fail(key, "a finite number", *value);
  return number;
}

double ObjectReader::positive_number_or(std::string_view key, double fallback) {
  const double number = number_or(key, fallback);
  note(key, {{"exclusiveMinimum", 0}});
  if (has(key) && !(number > 0.0)) fail(key, "a number > 0", object_.at(std::string(key)));
  return number;
}

double ObjectReader::nonnegative_number_or(std::string_view key, double fallback) {
  const double number = number_or(key, fallback);
  note(key, {{"minimum", 0}});
  if (has(key) && number < 0.0) fail(key, "a number >= 0", object_.at(std::string(key)));
  return number;
}

double ObjectReader::probability_or(std::string_view key, double fallback) {
  const double number = number_or(key, fallback);
  note(key, {{"minimum", 0}, {"maximum", 1}});
  if (has(key) && (number < 0.0 || number > 1.0)) fail(key, "a number in [0, 1]", object_.at(std::string(key)));
  return number;
}

namespace {

constexpr double kTwoTo64 = 18446744073709551616.0;  // exactly representable

bool is_whole_number(const Json& value) {
  if (value.is_number_unsigned()) return true;
  if (value.is_number_integer()) return value.get<std::int64_t>() >= 0;
  if (value.is_number_float()) {
    const double number = value.get<double>();
    return number >= 0.0 && std::floor(number) == number && number < kTwoTo64;
  }
  return false;
}

// Only for values is_whole_number accepts: the conversion is then exact, never wrapping.
std::uint64_t whole_number(const Json& value) {
  if (value.is_number_float()) return static_cast<std::uint64_t>(value.get<double>());
  return value.get<std::uint64_t>();
}

// The JSON Schema of a count field (for the field table).
Json count_schema(std::uint64_t fallback, std::uint64_t minimum, std::uint64_t maximum) {
  Json schema = {{"type", "integer"}, {"minimum", minimum}};
  if (maximum != std::numeric_limits<std::uint64_t>::max()) schema["maximum"] = maximum;
  if (fallback >= minimum && fallback <= maximum) schema["default"] = fallback;
  return schema;
}

std::string range_text(std::uint64_t minimum, std::uint64_t maximum) {
  if (maximum == std::numeric_limits<std::uint64_t>::max()) return ">= " + std::to_string(minimum);
  return "from " + std::to_string(minimum) + " to " + std::to_string(maximum);
}

}  // namespace

std::uint64_t ObjectReader::unsigned_or(std::string_view key, std::uint64_t fallback) {
  return count_or(key, fallback, 0, std::numeric_limits<std::uint64_t>::max());
}

std::uint64_t ObjectReader::positive_unsigned_or(std::string_view key, std::uint64_t fallback) {
  return count_or(key, fallback, 1, std::numeric_limits<std::uint64_t>::max());
}

std::uint64_t ObjectReader::count_or(std::string_view key, std::uint64_t fallback, std::uint64_t minimum,
                                     std::uint64_t maximum) {
  note(key, count_schema(fallback, minimum, maximum));
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  const std::string expected = "a whole number " + range_text(minimum, maximum);
  if (!is_whole_number(*value)) fail(key, expected, *value);
  const std::uint64_t number = whole_number(*value);
  if (number < minimum || number > maximum) fail(key, expected, *value);
  return number;
}

std::int64_t ObjectReader::int64_count_or(std::string_view key, std::int64_t fallback, std::int64_t minimum,
                                          std::int64_t maximum) {
  return static_cast<std::int64_t>(count_or(key, static_cast<std::uint64_t>(fallback),
                                            static_cast<std::uint64_t>(minimum), static_cast<std::uint64_t>(maximum)));
}

double ObjectReader::number_in_range_or(std::string_view key, double fallback, double minimum, double maximum,
                                        bool exclude_minimum) {
  const double number = number_or(key, fallback);
  note(key, {{exclude_minimum ? "exclusiveMinimum" : "minimum", minimum}, {"maximum", maximum}});
  if (!has(key)) return number;
  const bool low = exclude_minimum ? !(number > minimum) : !(number >= minimum);
  if (low || !(number <= maximum)) {
    fail(key, std::string("a number ") + (exclude_minimum ? "> " : ">= ") + format_double(minimum) +
                  " and <= " + format_double(maximum),
         object_.at(std::string(key)));
  }
  return number;
}

std::vector<std::size_t> ObjectReader::unsigned_list_or(std::string_view key, std::vector<std::size_t> fallback,
                                                        std::size_t maximum_item, std::size_t maximum_count) {
  note(key, {{"type", "array"},
             {"items", {{"type", "integer"}, {"minimum", 0}, {"maximum", maximum_item}}},
             {"maxItems", maximum_count},
             {"default", fallback}});
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_array()) fail(key, "an array of whole numbers", *value);
  if (value->size() > maximum_count) {
    fail(key, "an array of at most " + std::to_string(maximum_count) + " whole numbers", *value);
  }
  std::vector<std::size_t> list;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const Json& item = (*value)[i];
    if (!is_whole_number(item) || whole_number(item) > maximum_item) {
      throw InvalidInput(field_pointer(key) + "/" + std::to_string(i),
                         "expected a whole number " + range_text(0, maximum_item) + ", found " + describe_value(item));
    }
    list.push_back(static_cast<std::size_t>(whole_number(item)));
  }
  return list;
}

std::vector<double> ObjectReader::number_list_or(std::string_view key, std::vector<double> fallback) {
  note(key, {{"type", "array"}, {"items", {{"type", "number"}}}, {"default", fallback}});
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_array()) fail(key, "an array of numbers", *value);
  std::vector<double> list;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const Json& item = (*value)[i];
    if (!item.is_number() || !std::isfinite(item.get<double>())) {
      throw InvalidInput(field_pointer(key) + "/" + std::to_string(i),
                         "expected a finite number, found " + describe_value(item));
    }
    list.push_back(item.get<double>());
  }
  return list;
}

std::vector<std::vector<double>> ObjectReader::matrix_or(
    std::string_view key, std::vector<std::vector<double>> fallback) {
  note(key, {{"type", "array"}, {"items", {{"type", "array"}, {"items", {{"type", "number"}}}}}, {"default", fallback}});
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_array()) fail(key, "an array of rows (arrays of numbers)", *value);
  std::vector<std::vector<double>> rows;
  for (std::size_t r = 0; r < value->size(); ++r) {
    const Json& row = (*value)[r];
    const std::string row_pointer = field_pointer(key) + "/" + std::to_string(r);
    if (!row.is_array()) {
      throw InvalidInput(row_pointer, "expected an array of numbers, found " + describe_value(row));
    }
    std::vector<double> numbers;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (!row[c].is_number() || !std::isfinite(row[c].get<double>())) {
        throw InvalidInput(row_pointer + "/" + std::to_string(c),
                           "expected a finite number, found " + describe_value(row[c]));
      }
      numbers.push_back(row[c].get<double>());
    }
    rows.push_back(std::move(numbers));
  }
  return rows;
}

SimTime ObjectReader::duration_or(std::string_view key, SimTime fallback) {
  note(key, {{"type", Json::array({"string", "number"})},
             {"description", "a duration: a unit string such as \"1ms\" or a number of seconds"},
             {"default", to_string(fallback)}});
  if (find(key) == nullptr) return fallback;
  return parse_duration_field(key);
}

std::optional<SimTime> ObjectReader::optional_duration(std::string_view key) {
  note(key, {{"type", Json::array({"string", "number"})},
             {"description", "a duration: a unit string such as \"1ms\" or a number of seconds; absent: see the docs"}});
  if (find(key) == nullptr) return std::nullopt;
  return parse_duration_field(key);
}

SimTime ObjectReader::parse_duration_field(std::string_view key) {
  const Json* value = find(key);
  try {
    if (value->is_string()) return parse_duration(value->get<std::string>());
    if (value->is_number()) return duration_from_seconds(value->get<double>());
  } catch (const InvalidInput& error) {
    throw InvalidInput(field_pointer(key), error.what());
  }
  fail(key, "a duration such as \"1ms\" or a number of seconds", *value);
}

Bandwidth ObjectReader::bandwidth_or(std::string_view key, Bandwidth fallback) {
  note(key, {{"type", Json::array({"string", "number"})},
             {"description", "a bandwidth: a unit string such as \"1Gbps\" or a number of bytes per second"},
             {"default", to_string(fallback)}});
  if (find(key) == nullptr) return fallback;
  return parse_bandwidth_field(key);
}

std::optional<Bandwidth> ObjectReader::optional_bandwidth(std::string_view key) {
  note(key, {{"type", Json::array({"string", "number"})},
             {"description", "a bandwidth: a unit string such as \"1Gbps\" or a number of bytes per second; absent: see the docs"}});
  if (find(key) == nullptr) return std::nullopt;
  return parse_bandwidth_field(key);
}

Bandwidth ObjectReader::parse_bandwidth_field(std::string_view key) {
  const Json* value = find(key);
  try {
    if (value->is_string()) return parse_bandwidth(value->get<std::string>());
    if (value->is_number()) return bandwidth_from_bytes_per_second(value->get<double>());
  } catch (const InvalidInput& error) {
    throw InvalidInput(field_pointer(key), error.what());
  }
  fail(key, "a bandwidth such as \"1Gbps\" or a number of bytes per second", *value);
}

ByteCount ObjectReader::byte_count_or(std::string_view key, ByteCount fallback) {
  note(key, {{"type", Json::array({"string", "number"})},
             {"description", "a size: a unit string such as \"400KB\" or a whole number of bytes"},
             {"default", to_string(fallback)}});
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  try {
    if (value->is_string()) return parse_byte_count(value->get<std::string>());
    if (value->is_number()) {
      const double bytes = value->get<double>();
      if (bytes >= 0.0 && std::floor(bytes) == bytes && bytes < 9.2e18) {
        return ByteCount{static_cast<std::int64_t>(bytes)};
      }
    }
  } catch (const InvalidInput& error) {
    throw InvalidInput(field_pointer(key), error.what());
  }
  fail(key, "a size such as \"400KB\" or a whole number of bytes", *value);
}

const Json* ObjectReader::object_or_null(std::string_view key) {
  const Json* value = find(key);
  if (value != nullptr && !value->is_object()) fail(key, "an object", *value);
  return value;
}

const Json* ObjectReader::array_or_null(std::string_view key) {
  // The items are read by readers of their own (no table): the schema says "an array", and
  // cdsim validate checks each item.
  note(key, {{"type", "array"}});
  const Json* value = find(key);
  if (value != nullptr && !value->is_array()) fail(key, "an array", *value);
  return value;
}

void ObjectReader::reject_unknown_keys() const {
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (consumed_.find(it.key()) == consumed_.end()) {
      std::string known;
      for (const std::string& key : known_) known += (known.empty() ? "" : ", ") + key;
      throw InvalidInput(field_pointer(it.key()),
                         "unknown key \"" + it.key() + "\"" +
                             (known.empty() ? std::string() : " (known keys here: " + known + ")"));
    }
  }
}

}  // namespace cdsim::scenario_detail
