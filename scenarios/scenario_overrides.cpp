#include "scenarios/scenario_overrides.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/invalid_input.h"
#include "scenarios/json_document.h"
#include "scenarios/object_reader.h"
#include "scenarios/scenario_loader.h"

namespace cdsim {
namespace {

using scenario_detail::Json;
using scenario_detail::pointer_token;

std::vector<std::string> split_path(const std::string& field) {
  std::vector<std::string> tokens;
  std::string token;
  for (char c : field) {
    if (c == '.') {
      tokens.push_back(token);
      token.clear();
    } else {
      token += c;
    }
  }
  tokens.push_back(token);
  return tokens;
}

bool is_index(const std::string& token) {
  return !token.empty() && token.size() < 10 &&
         token.find_first_not_of("0123456789") == std::string::npos;
}

// JSON when it parses, else the text as a string. Text that is JSON but unsafe (nested too
// deep, a number beyond a double's range, duplicate keys) is an error, not a string: the
// same checks as a scenario file's (scenarios/json_document.h).
Json parse_value(const std::string& text, const std::string& field) {
  try {
    return scenario_detail::parse_json_document(text);
  } catch (const InvalidInput& error) {
    if (std::string_view(error.what()).starts_with("malformed JSON")) return Json(text);
    throw InvalidInput(override_pointer(field) + error.field(), std::string("--set ") + field + ": " + error.what());
  }
}

// Fields a scenario gives one of: setting one removes the other.
const std::vector<std::pair<std::string, std::string>>& alternatives() {
  static const std::vector<std::pair<std::string, std::string>> kAlternatives = {
      {"run.steps", "run.epochs"}, {"run.epochs", "run.steps"}};  // immutable table
  return kAlternatives;
}

// Removes the field at `path` (object keys only) when it is there.
void erase_field(Json& root, const std::vector<std::string>& path) {
  Json* parent = &root;
  for (std::size_t i = 0; i + 1 < path.size() && parent != nullptr; ++i) {
    parent = parent->is_object() && parent->contains(path[i]) ? &(*parent)[path[i]] : nullptr;
  }
  if (parent != nullptr && parent->is_object()) parent->erase(path.back());
}

void apply_one(Json& root, const ScenarioOverride& assignment) {
  const std::vector<std::string> tokens = split_path(assignment.field);
  Json* node = &root;
  std::string pointer;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    const bool last = i + 1 == tokens.size();
    if (node->is_null()) *node = Json::object();
    if (node->is_array() && is_index(token)) {
      const std::size_t index = std::stoul(token);
      if (index >= node->size()) {
        throw InvalidInput(pointer + "/" + token, "--set " + assignment.field + ": index " + token +
                                                      " is past the end of an array of " +
                                                      std::to_string(node->size()));
      }
      node = &(*node)[index];
    } else if (node->is_object()) {
      node = &(*node)[token];
    } else {
      throw InvalidInput(pointer.empty() ? "" : pointer,
                         "--set " + assignment.field + ": " + (pointer.empty() ? "the scenario" : pointer) +
                             " is " + std::string(node->type_name()) + ", not an object");
    }
    pointer += "/" + pointer_token(token);
    if (last) *node = parse_value(assignment.value, assignment.field);
  }
  // null removes the field: its default applies, and kinds that do not read it (e.g. a
  // topology degree for a ring) see no stray key.
  if (parse_value(assignment.value, assignment.field).is_null()) erase_field(root, tokens);
  for (const auto& [set, dropped] : alternatives()) {
    if (assignment.field == set) erase_field(root, split_path(dropped));
  }
}

// The override that a loader error about `field_pointer` comes from, if any.
const ScenarioOverride* culprit(std::span<const ScenarioOverride> overrides, const std::string& field_pointer) {
  const ScenarioOverride* found = nullptr;
  for (const ScenarioOverride& candidate : overrides) {
    const std::string pointer = override_pointer(candidate.field);
    // The error is about the overridden field, something inside it, or a section the
    // override created (an unknown "nosuchsection" of "nosuchsection.x").
    const auto within = [](const std::string& inner, const std::string& outer) {
      return !outer.empty() && inner.compare(0, outer.size(), outer) == 0 &&
             (inner.size() == outer.size() || inner[outer.size()] == '/');
    };
    if (within(field_pointer, pointer) || within(pointer, field_pointer)) found = &candidate;  // the last one wins
  }
  return found;
}

}  // namespace

ScenarioOverride parse_override(const std::string& assignment) {
  const std::size_t equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw InvalidInput("", "--set expects FIELD=VALUE (e.g. network.bandwidth=100Mbps), found \"" + assignment + "\"");
  }
  return ScenarioOverride{assignment.substr(0, equals), assignment.substr(equals + 1)};
}

std::string override_pointer(const std::string& field) {
  std::string pointer;
  for (const std::string& token : split_path(field)) pointer += "/" + pointer_token(token);
  return pointer;
}

std::string apply_overrides(const std::string& json_text, std::span<const ScenarioOverride> overrides) {
  Json root = scenario_detail::parse_json_document(json_text);  // checked before any recursive code sees it
  for (const ScenarioOverride& assignment : overrides) {
    for (const std::string& token : split_path(assignment.field)) {
      if (token.empty()) {
        throw InvalidInput("", "--set " + assignment.field + ": empty name in the field path");
      }
    }
    apply_one(root, assignment);
  }
  return root.dump(2) + "\n";
}

Scenario parse_scenario(const std::string& json_text, const std::string& origin,
                        std::span<const ScenarioOverride> overrides) {
  if (overrides.empty()) return parse_scenario(json_text, origin);
  std::string patched;
  try {
    patched = apply_overrides(json_text, overrides);
  } catch (const InvalidInput& error) {
    throw ScenarioError(origin, error.field(), error.what());
  }
  try {
    return parse_scenario(patched, origin);
  } catch (const ScenarioError& error) {
    const ScenarioOverride* cause = culprit(overrides, error.field());
    if (cause == nullptr) throw;
    std::string message = error.what();
    const std::string prefix = origin + ": " + (error.field().empty() ? "" : error.field() + ": ");
    if (message.compare(0, prefix.size(), prefix) == 0) message = message.substr(prefix.size());
    throw ScenarioError(origin, error.field(), message + " (from --set " + cause->field + "=" + cause->value + ")");
  }
}

Scenario load_scenario(const std::string& path, std::span<const ScenarioOverride> overrides) {
  if (overrides.empty()) return load_scenario(path);
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(path, ignored)) return load_scenario(path);  // reports it
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path, overrides);
}

}  // namespace cdsim
