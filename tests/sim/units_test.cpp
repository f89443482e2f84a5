#include "sim/units.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "core/invalid_input.h"

using cdsim::Bandwidth;
using cdsim::ByteCount;
using cdsim::SimTime;

namespace {

// The message of the InvalidInput thrown by `parse`, checking that the field is left to
// the caller.
template <typename Parse>
std::string error_of(Parse parse) {
  try {
    parse();
  } catch (const cdsim::InvalidInput& error) {
    CHECK(error.field().empty());
    return error.what();
  }
  FAIL("no InvalidInput thrown");
  return {};
}

std::int64_t bps(std::string_view text) { return cdsim::parse_bandwidth(text).bits_per_second(); }

}  // namespace

TEST_CASE("parse_duration accepts every unit") {
  CHECK(cdsim::parse_duration("10ns") == SimTime::from_ns(10));
  CHECK(cdsim::parse_duration("250us") == SimTime::from_us(250));
  CHECK(cdsim::parse_duration("1ms") == SimTime::from_ms(1));
  CHECK(cdsim::parse_duration("2.5s") == SimTime::from_ms(2500));
  CHECK(cdsim::parse_duration("1min") == SimTime::from_ms(60'000));
  CHECK(cdsim::parse_duration("2h") == SimTime::from_ms(7'200'000));
  CHECK(cdsim::parse_duration("0s") == SimTime::zero());
}

TEST_CASE("parse_duration accepts fractions, exponents and spaces, rounding to the nanosecond") {
  CHECK(cdsim::parse_duration("0.1ms") == SimTime::from_us(100));
  CHECK(cdsim::parse_duration("1e-3s") == SimTime::from_ms(1));
  CHECK(cdsim::parse_duration("1.5ns") == SimTime::from_ns(2));
  CHECK(cdsim::parse_duration(" 5 ms ") == SimTime::from_ms(5));
  CHECK(cdsim::parse_duration("9223372036854775807ns") == SimTime::max());
}

TEST_CASE("parse_duration rejects garbage, negatives and missing or unknown units") {
  CHECK(error_of([] { cdsim::parse_duration(""); }).find("empty") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("fast"); }) ==
        "invalid duration \"fast\": no number found; expected a number followed by a unit, one of "
        "ns, us, ms, s, min, h (e.g. \"250us\")");
  CHECK(error_of([] { cdsim::parse_duration("5"); }).find("the unit is missing") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("5 parsecs"); }).find("unknown unit \"parsecs\"") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("5MS"); }).find("unknown unit \"MS\"") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("-1ms"); }).find("negative") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("nans"); }).find("not finite") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("infs"); }).find("not finite") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("1e300s"); }).find("too large") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("9223372036854775808ns"); }).find("too large") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("10000000000s"); }).find("too large") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_duration("1 ms x"); }).find("unknown unit \"ms x\"") != std::string::npos);
}

TEST_CASE("duration_from_seconds takes a plain number of seconds") {
  CHECK(cdsim::duration_from_seconds(0.25) == SimTime::from_ms(250));
  CHECK(cdsim::duration_from_seconds(0.0) == SimTime::zero());
  CHECK(error_of([] { cdsim::duration_from_seconds(-1.0); }).find(">= 0") != std::string::npos);
  CHECK(error_of([] { cdsim::duration_from_seconds(std::nan("")); }).find("nan") != std::string::npos);
  CHECK_THROWS_AS(cdsim::duration_from_seconds(1e20), cdsim::InvalidInput);
}

TEST_CASE("parse_bandwidth accepts decimal bit rates") {
  CHECK(bps("1bps") == 1);
  CHECK(bps("10kbps") == 10'000);
  CHECK(bps("10Kbps") == 10'000);
  CHECK(bps("100Mbps") == 100'000'000);
  CHECK(bps("1Gbps") == 1'000'000'000);
  CHECK(bps("2.5Gbps") == 2'500'000'000);
  CHECK(bps("1Tbps") == 1'000'000'000'000);
  CHECK(bps("1bit/s") == 1);
  CHECK(bps("10kbit/s") == 10'000);
  CHECK(bps("100 Mbit/s") == 100'000'000);
  CHECK(bps("10Gbit/s") == 10'000'000'000);
  CHECK(bps("1Tbit/s") == 1'000'000'000'000);
}

TEST_CASE("parse_bandwidth accepts decimal and binary byte rates") {
  CHECK(bps("1B/s") == 8);
  CHECK(bps("1KB/s") == 8'000);
  CHECK(bps("1kB/s") == 8'000);
  CHECK(bps("100MB/s") == 800'000'000);
  CHECK(bps("1GB/s") == 8'000'000'000);
  CHECK(bps("1TB/s") == 8'000'000'000'000);
  CHECK(bps("1KiB/s") == 8 * 1024);
  CHECK(bps("1MiB/s") == 8 * 1024 * 1024);
  CHECK(bps("1GiB/s") == 8LL * 1024 * 1024 * 1024);
  CHECK(bps("1TiB/s") == 8LL * 1024 * 1024 * 1024 * 1024);
  CHECK(bps("0.5KiB/s") == 4 * 1024);
}

TEST_CASE("bandwidth_from_bytes_per_second takes a plain number of bytes per second") {
  CHECK(cdsim::bandwidth_from_bytes_per_second(125e6) == cdsim::parse_bandwidth("1Gbps"));
  CHECK_THROWS_AS(cdsim::bandwidth_from_bytes_per_second(0.0), cdsim::InvalidInput);
  CHECK_THROWS_AS(cdsim::bandwidth_from_bytes_per_second(-3.0), cdsim::InvalidInput);
  CHECK_THROWS_AS(cdsim::bandwidth_from_bytes_per_second(std::nan("")), cdsim::InvalidInput);
}

TEST_CASE("parse_bandwidth rejects zero, negatives, bare numbers and unknown units") {
  CHECK(error_of([] { cdsim::parse_bandwidth("0Mbps"); }).find("expected a rate > 0") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_bandwidth("0.1bps"); }).find("expected a rate > 0") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_bandwidth("-1Gbps"); }).find("negative") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_bandwidth("1000"); }).find("the unit is missing") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_bandwidth("1 Gbit"); }).find("unknown unit \"Gbit\"") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_bandwidth("1mbps"); }).find("unknown unit \"mbps\"") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_bandwidth("Gbps"); }).find("no number found") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_bandwidth("2000000000TB/s"); }).find("too large") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_bandwidth("x"); }).find("Mbps, Gbps") != std::string::npos);
}

TEST_CASE("parse_byte_count accepts every unit and bare numbers of bytes") {
  CHECK(cdsim::parse_byte_count("12B") == ByteCount{12});
  CHECK(cdsim::parse_byte_count("12") == ByteCount{12});
  CHECK(cdsim::parse_byte_count("0") == ByteCount{0});
  CHECK(cdsim::parse_byte_count("400KB") == ByteCount{400'000});
  CHECK(cdsim::parse_byte_count("400kB") == ByteCount{400'000});
  CHECK(cdsim::parse_byte_count("1MB") == ByteCount{1'000'000});
  CHECK(cdsim::parse_byte_count("1GB") == ByteCount{1'000'000'000});
  CHECK(cdsim::parse_byte_count("1TB") == ByteCount{1'000'000'000'000});
  CHECK(cdsim::parse_byte_count("1KiB") == ByteCount{1024});
  CHECK(cdsim::parse_byte_count("1MiB") == ByteCount{1024 * 1024});
  CHECK(cdsim::parse_byte_count("1GiB") == ByteCount{1024 * 1024 * 1024});
  CHECK(cdsim::parse_byte_count("1TiB") == ByteCount{1024LL * 1024 * 1024 * 1024});
  CHECK(cdsim::parse_byte_count("1.5MB") == ByteCount{1'500'000});
  CHECK(cdsim::parse_byte_count("0.1KB") == ByteCount{100});
  CHECK(cdsim::parse_byte_count("1e3") == ByteCount{1000});
}

TEST_CASE("parse_byte_count rejects fractions of a byte, negatives and garbage") {
  CHECK(error_of([] { cdsim::parse_byte_count("0.5B"); }).find("not a whole number of B") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_byte_count("1.0001KB"); }).find("not a whole number") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_byte_count("-1KB"); }).find("negative") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_byte_count("1 Kb"); }).find("unknown unit \"Kb\"") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_byte_count("lots"); }).find("no number found") != std::string::npos);
  CHECK(error_of([] { cdsim::parse_byte_count(""); }).find("empty") != std::string::npos);
}

TEST_CASE("byte_count_from_number takes a whole, non-negative number of bytes") {
  CHECK(cdsim::byte_count_from_number(4096.0) == ByteCount{4096});
  CHECK_THROWS_AS(cdsim::byte_count_from_number(1.5), cdsim::InvalidInput);
  CHECK_THROWS_AS(cdsim::byte_count_from_number(-1.0), cdsim::InvalidInput);
  CHECK_THROWS_AS(cdsim::byte_count_from_number(std::numeric_limits<double>::infinity()), cdsim::InvalidInput);
  CHECK_THROWS_AS(cdsim::byte_count_from_number(1e19), cdsim::InvalidInput);
}

TEST_CASE("to_string output parses back to the same value") {
  for (const std::int64_t ns : {0LL, 1LL, 1500LL, 3'000'000LL, 7'000'000'000LL, 1'000'000'001LL}) {
    CHECK(cdsim::parse_duration(cdsim::to_string(SimTime::from_ns(ns))) == SimTime::from_ns(ns));
  }
  for (const std::int64_t rate : {1LL, 1001LL, 2'500'000LL, 1'000'000'000LL}) {
    const Bandwidth bandwidth = Bandwidth::from_bits_per_second(rate);
    CHECK(cdsim::parse_bandwidth(cdsim::to_string(bandwidth)) == bandwidth);
  }
  CHECK(cdsim::parse_byte_count(cdsim::to_string(ByteCount{1234})) == ByteCount{1234});
}
