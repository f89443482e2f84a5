#include "scenarios/json_document.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/invalid_input.h"
#include "core/printable_text.h"
#include "scenarios/object_reader.h"

namespace cdsim::scenario_detail {
namespace {

// "line L, column C" of the byte at `offset` (0-based), counting columns in bytes.
std::string line_and_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < text.size() && i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

constexpr const char* kSaveAsUtf8 = "UTF-16 is not supported; save as UTF-8";

bool starts_with_bytes(std::string_view text, std::initializer_list<unsigned char> bytes) {
  if (text.size() < bytes.size()) return false;
  std::size_t i = 0;
  for (unsigned char b : bytes) {
    if (static_cast<unsigned char>(text[i++]) != b) return false;
  }
  return true;
}

// The length of the well-formed UTF-8 sequence at text[i] (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

void check_encoding(std::string_view text) {
  if (starts_with_bytes(text, {0x00, 0x00, 0xFE, 0xFF}) || starts_with_bytes(text, {0xFF, 0xFE, 0x00, 0x00})) {
    throw InvalidInput("", "the file is UTF-32 (it starts with a UTF-32 byte order mark); " +
                               std::string(kSaveAsUtf8));
  }
  if (starts_with_bytes(text, {0xFE, 0xFF}) || starts_with_bytes(text, {0xFF, 0xFE})) {
    throw InvalidInput("", "the file is UTF-16 (it starts with a UTF-16 byte order mark); " +
                               std::string(kSaveAsUtf8));
  }
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\0') {
      throw InvalidInput("", "the file holds a NUL byte at " + line_and_column(text, i) +
                                 " (is it UTF-16 or UTF-32?); " + kSaveAsUtf8);
    }
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[i])));
      throw InvalidInput("", "invalid UTF-8 (byte " + std::string(hex) + ") at " + line_and_column(text, i) +
                                 "; save the file as UTF-8");
    }
    i += length;
  }
}

// One open object or array during the structural scan.
struct Frame {
  bool is_object = false;
  std::size_t index = 0;              // arrays: the current element
  std::string key;                    // objects: the current key
  std::set<std::string, std::less<>> keys;  // objects: every key seen so far
};

// A flat, non-recursive walk over the JSON text that finds what nlohmann would either
// recurse on (depth), reject without a position (numbers beyond a double) or silently
// accept (duplicate keys), naming each by its JSON pointer. It stops quietly at the first
// syntax error; nlohmann's parser then reports that with its position.
class StructureScan {
 public:
  explicit StructureScan(std::string_view text) : text_(text) {
    if (starts_with_bytes(text_, {0xEF, 0xBB, 0xBF})) pos_ = 3;  // a UTF-8 byte order mark, as nlohmann skips it
  }

  void run() {
    enum class State { kValue, kFirstElementOrEnd, kFirstKeyOrEnd, kKey, kColon, kAfterValue };
    State state = State::kValue;
    while (true) {
      skip_whitespace();
      if (pos_ >= text_.size()) return;
      const char c = text_[pos_];
      switch (state) {
        case State::kValue:
          if (c == '{' || c == '[') {
            if (stack_.size() >= kMaxJsonDepth) {
              throw InvalidInput(pointer(), "objects and arrays are nested deeper than " +
                                                std::to_string(kMaxJsonDepth) + " levels at " +
                                                line_and_column(text_, pos_) + "; expected at most " +
                                                std::to_string(kMaxJsonDepth));
            }
            stack_.push_back(Frame{c == '{', 0, {}, {}});
            ++pos_;
            state = c == '{' ? State::kFirstKeyOrEnd : State::kFirstElementOrEnd;
          } else if (c == '"') {
            if (!skip_string()) return;
            state = State::kAfterValue;
          } else if (c == '-' || (c >= '0' && c <= '9')) {
            check_number();
            state = State::kAfterValue;
          } else if (c >= 'a' && c <= 'z') {
            while (pos_ < text_.size() && text_[pos_] >= 'a' && text_[pos_] <= 'z') ++pos_;
            state = State::kAfterValue;
          } else {
            return;
          }
          break;
        case State::kFirstElementOrEnd:
          if (c == ']') {
            close();
            state = State::kAfterValue;
          } else {
            state = State::kValue;
          }
          break;
        case State::kFirstKeyOrEnd:
          if (c == '}') {
            close();
            state = State::kAfterValue;
          } else {
            state = State::kKey;
          }
          break;
        case State::kKey: {
          if (c != '"') return;
          const std::optional<std::string> key = read_key();
          if (!key) return;
          Frame& frame = stack_.back();
          frame.key = *key;
          if (!frame.keys.insert(*key).second) {
            throw InvalidInput(pointer(), "duplicate key \"" + printable(*key) + "\" at " +
                                              line_and_column(text_, key_start_) +
                                              "; expected each key once in an object");
          }
          state = State::kColon;
          break;
        }
        case State::kColon:
          if (c != ':') return;
          ++pos_;
          state = State::kValue;
          break;
        case State::kAfterValue: {
          if (stack_.empty()) return;
          Frame& frame = stack_.back();
          if (c == ',') {
            ++pos_;
            if (frame.is_object) {
              state = State::kKey;
            } else {
              ++frame.index;
              state = State::kValue;
            }
          } else if (c == (frame.is_object ? '}' : ']')) {
            close();
          } else {
            return;
          }
          break;
        }
      }
    }
  }

 private:
  std::string pointer() const {
    std::string result;
    for (const Frame& frame : stack_) {
      result += "/" + (frame.is_object ? pointer_token(frame.key) : std::to_string(frame.index));
    }
    return result;
  }

  void close() {
    stack_.pop_back();
    ++pos_;
  }

  void skip_whitespace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  // Moves past a string literal; false when it does not end.
  bool skip_string() {
    for (++pos_; pos_ < text_.size(); ++pos_) {
      if (text_[pos_] == '\\') {
        ++pos_;
      } else if (text_[pos_] == '"') {
        ++pos_;
        return true;
      }
    }
    return false;
  }

  // The decoded key at pos_, or nothing when it is malformed (nlohmann reports that).
  std::optional<std::string> read_key() {
    key_start_ = pos_;
    if (!skip_string()) return std::nullopt;
    const std::string_view literal = text_.substr(key_start_, pos_ - key_start_);
    if (literal.find('\\') == std::string_view::npos) return std::string(literal.substr(1, literal.size() - 2));
    // Escapes ("\u0061" is "a"): let nlohmann decode the one string, a flat operation.
    nlohmann::json decoded = nlohmann::json::parse(literal, nullptr, false);
    if (!decoded.is_string()) return std::nullopt;
    return decoded.get<std::string>();
  }

  void check_number() {
    const std::size_t start = pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
        ++pos_;
      } else {
        break;
      }
    }
    const std::string number(text_.substr(start, pos_ - start));
    const double value = std::strtod(number.c_str(), nullptr);
    if (std::isinf(value)) {
      const std::string shown = number.size() > 40 ? number.substr(0, 40) + "..." : number;
      throw InvalidInput(pointer(), "the number " + shown + " at " + line_and_column(text_, start) +
                                        " is beyond the range of a double (about 1.8e308); expected a "
                                        "finite number");
    }
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t key_start_ = 0;
  std::vector<Frame> stack_;
};

}  // namespace

nlohmann::json parse_json_document(std::string_view text) {
  check_encoding(text);
  StructureScan(text).run();
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    std::string detail = error.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    const std::size_t colon = detail.find(": ");
    if (colon != std::string::npos) detail = detail.substr(colon + 2);
    const std::size_t offset = error.byte > 0 ? error.byte - 1 : 0;
    throw InvalidInput("", "malformed JSON at " + line_and_column(text, offset) + ": " + printable(detail));
  } catch (const nlohmann::json::exception& error) {
    // The scan above catches out-of-range numbers with their pointer; this is a safety net.
    throw InvalidInput("", "unreadable JSON: " + printable(error.what()));
  }
}

}  // namespace cdsim::scenario_detail
