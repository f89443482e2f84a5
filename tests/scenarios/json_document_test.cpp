// The JSON layer under every scenario: encoding, nesting depth, numbers out of range and
// duplicate keys are rejected with the pointer of the culprit, before any recursive code
// sees the value, and no message carries raw bytes of the input.
#include <doctest/doctest.h>

#include <string>

#include "scenarios/scenario_loader.h"
#include "tests/scenarios/scenario_errors.h"

using cdsim::parse_scenario;
using cdsim::ScenarioError;
using cdsim::testing::error_of;

namespace {


bool all_printable_ascii(const std::string& text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7F) return false;
  }
  return true;
}

std::string repeated(const std::string& piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("objects nested 100000 deep are rejected at level 65 by pointer, without a stack overflow") {
  const std::size_t depth = 100'000;
  const std::string text = repeated("{\"a\":", depth) + "1" + repeated("}", depth);
  const ScenarioError e = error_of(text);
  CHECK(e.field() == repeated("/a", 64));
  CHECK(std::string(e.what()).find("nested deeper than 64 levels") != std::string::npos);
}

TEST_CASE("arrays nested 100000 deep, even unterminated, are rejected by pointer") {
  const ScenarioError e = error_of("{\"model\": {\"hidden\": " + repeated("[", 100'000));
  CHECK(e.field() == "/model/hidden" + repeated("/0", 62));
  CHECK(std::string(e.what()).find("nested deeper than 64") != std::string::npos);
}

TEST_CASE("nesting of exactly 64 levels passes the depth check and fails on the field's type") {
  const std::string text = "{\"agents\": " + repeated("[", 63) + repeated("]", 63) + "}";
  const ScenarioError e = error_of(text);
  CHECK(e.field() == "/agents");
  const std::string message = e.what();
  CHECK(message.find("nested") == std::string::npos);
  CHECK(message.size() < 200);  // the deep value is described in a few characters
}

TEST_CASE("a number beyond a double's range names its field and position") {
  const ScenarioError e = error_of("{\"run\": {\"steps\": 1e999}}");
  CHECK(e.field() == "/run/steps");
  CHECK(std::string(e.what()).find("beyond the range of a double") != std::string::npos);
  const ScenarioError digits = error_of("{\"seed\": " + std::string(400, '9') + "}");
  CHECK(digits.field() == "/seed");
  const ScenarioError in_array = error_of(R"({"mixing": {"matrix": [[1, -2e400]]}})");
  CHECK(in_array.field() == "/mixing/matrix/0/1");
}

TEST_CASE("duplicate keys are rejected by the pointer of the repeated key") {
  CHECK(error_of(R"({"agents": 5, "agents": 6})").field() == "/agents");
  CHECK(error_of(R"({"network": {"latency": "1ms", "bandwidth": "1Gbps", "latency": "2ms"}})").field() ==
        "/network/latency");
  // The same key spelled with an escape is still the same key.
  CHECK(error_of(R"({"agents": 5, "\u0061gents": 6})").field() == "/agents");
  // Equal keys in different objects are fine.
  CHECK(parse_scenario(R"({"network": {"model": "switch"}, "model": {"kind": "mlp", "hidden": [4]}})", "ok.json")
            .network.model == "switch");
}

TEST_CASE("a UTF-16 or UTF-32 file is told to be saved as UTF-8, with no raw bytes in the message") {
  const std::string utf16_le = std::string("\xFF\xFE{\0}\0", 6);
  const std::string utf16_be = std::string("\xFE\xFF\0{\0}", 6);
  const std::string utf32_le = std::string("\xFF\xFE\0\0{\0\0\0", 8);
  const std::string no_bom = std::string("{\0}\0", 4);
  for (const std::string& text : {utf16_le, utf16_be, utf32_le, no_bom}) {
    const ScenarioError e = error_of(text);
    const std::string message = e.what();
    CHECK(message.find("UTF-16 is not supported; save as UTF-8") != std::string::npos);
    CHECK(all_printable_ascii(message));
  }
}

TEST_CASE("invalid UTF-8 is reported by byte value and position, never echoed raw") {
  for (const std::string& text : {std::string("{\"name\": \"a\xFFz\"}"), std::string("{\"na\xC3\x28me\": 1}"),
                                  std::string("{\"description\": \"\xED\xA0\x80\"}")}) {
    const ScenarioError e = error_of(text);
    const std::string message = e.what();
    CAPTURE(message);
    CHECK(message.find("invalid UTF-8") != std::string::npos);
    CHECK(message.find("line 1") != std::string::npos);
    CHECK(all_printable_ascii(message));
  }
  // Well-formed UTF-8 is fine, and a UTF-8 byte order mark is skipped.
  CHECK(parse_scenario("\xEF\xBB\xBF{\"description\": \"\xC3\xA9t\xC3\xA9\"}", "ok.json").agents == 5);
  CHECK(error_of("\xEF\xBB\xBF{\"agents\": 1, \"agents\": 2}").field() == "/agents");
}

TEST_CASE("a syntax error message shows the bytes near it escaped") {
  const ScenarioError e = error_of("{\"agents\": \x01}");
  const std::string message = e.what();
  CHECK(message.find("malformed JSON at line 1") != std::string::npos);
  CHECK(all_printable_ascii(message));
}
