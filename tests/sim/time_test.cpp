#include "sim/time.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/invalid_input.h"

using cdsim::SimTime;

TEST_CASE("the integer factories scale to nanoseconds") {
  CHECK(SimTime::from_ns(7).ns() == 7);
  CHECK(SimTime::from_us(7).ns() == 7'000);
  CHECK(SimTime::from_ms(7).ns() == 7'000'000);
  CHECK(SimTime::from_ms(-3).ns() == -3'000'000);
  CHECK(SimTime(42).ns() == 42);
  CHECK(SimTime().ns() == 0);
  CHECK(SimTime::zero().ns() == 0);
  CHECK(SimTime::max().ns() == std::numeric_limits<std::int64_t>::max());
}

TEST_CASE("from_seconds rounds to the nearest nanosecond") {
  CHECK(SimTime::from_seconds(1.0).ns() == 1'000'000'000);
  CHECK(SimTime::from_seconds(2.5).ns() == 2'500'000'000);
  CHECK(SimTime::from_seconds(0.3).ns() == 300'000'000);  // 0.3 * 1e9 is 299999999.99999994 in double
  CHECK(SimTime::from_seconds(1.4e-9).ns() == 1);
  CHECK(SimTime::from_seconds(1.6e-9).ns() == 2);
  CHECK(SimTime::from_seconds(2.5e-9).ns() == 3);  // halves round away from zero
  CHECK(SimTime::from_seconds(-2.5e-9).ns() == -3);
  CHECK(SimTime::from_seconds(1e-12).ns() == 0);
  CHECK(SimTime::from_seconds(9.0e9).ns() == 9'000'000'000'000'000'000);
}

TEST_CASE("from_seconds rejects non-finite and out-of-range values as bad input") {
  CHECK_THROWS_AS(SimTime::from_seconds(std::nan("")), cdsim::InvalidInput);
  CHECK_THROWS_AS(SimTime::from_seconds(std::numeric_limits<double>::infinity()), cdsim::InvalidInput);
  CHECK_THROWS_AS(SimTime::from_seconds(-std::numeric_limits<double>::infinity()), cdsim::InvalidInput);
  CHECK_THROWS_AS(SimTime::from_seconds(9.3e9), cdsim::InvalidInput);
  CHECK_THROWS_AS(SimTime::from_seconds(-9.3e9), cdsim::InvalidInput);
  CHECK_THROWS_WITH(SimTime::from_seconds(1e300), doctest::Contains("1e+300 seconds is out of range"));
}

TEST_CASE("seconds converts back to a double") {
  CHECK(SimTime::from_ms(1500).seconds() == doctest::Approx(1.5));
  CHECK(SimTime::from_ns(1).seconds() == doctest::Approx(1e-9));
}

TEST_CASE("arithmetic adds, subtracts and repeats durations") {
  const SimTime a = SimTime::from_us(3);
  const SimTime b = SimTime::from_ns(250);
  CHECK((a + b).ns() == 3'250);
  CHECK((a - b).ns() == 2'750);
  CHECK((b - a).ns() == -2'750);
  CHECK((a * 4).ns() == 12'000);
  CHECK((4 * a).ns() == 12'000);
  SimTime c = a;
  c += b;
  CHECK(c.ns() == 3'250);
  c -= a;
  CHECK(c == b);
}

TEST_CASE("arithmetic that leaves the 64-bit range throws overflow_error") {
  CHECK_THROWS_AS(SimTime::max() + SimTime::from_ns(1), std::overflow_error);
  CHECK_THROWS_AS(SimTime::from_ns(std::numeric_limits<std::int64_t>::min()) - SimTime::from_ns(1), std::overflow_error);
  CHECK_THROWS_AS(SimTime::max() * 2, std::overflow_error);
  CHECK_THROWS_AS(SimTime::from_ms(std::numeric_limits<std::int64_t>::max() / 1000), std::overflow_error);
  CHECK_THROWS_AS(SimTime::from_us(std::numeric_limits<std::int64_t>::max() / 100), std::overflow_error);
  SimTime t = SimTime::max();
  CHECK_THROWS_AS(t += SimTime::from_ns(1), std::overflow_error);
  CHECK_NOTHROW(SimTime::max() + SimTime::zero());
}

TEST_CASE("times compare by their nanosecond count") {
  CHECK(SimTime::from_ns(999) < SimTime::from_us(1));
  CHECK(SimTime::from_us(1000) == SimTime::from_ms(1));
  CHECK(SimTime::from_ms(1) != SimTime::from_ns(1));
  CHECK(SimTime::from_ms(2) > SimTime::from_ms(1));
  CHECK(SimTime::from_ms(2) >= SimTime::from_ms(2));
  CHECK(SimTime::from_ms(-1) <= SimTime::zero());
}

TEST_CASE("to_string uses the largest unit that keeps the value exact") {
  CHECK(cdsim::to_string(SimTime::zero()) == "0s");
  CHECK(cdsim::to_string(SimTime::from_ms(2000)) == "2s");
  CHECK(cdsim::to_string(SimTime::from_us(1500)) == "1500us");
  CHECK(cdsim::to_string(SimTime::from_ms(3)) == "3ms");
  CHECK(cdsim::to_string(SimTime::from_ns(1001)) == "1001ns");
  CHECK(cdsim::to_string(SimTime::from_ms(-5)) == "-5ms");
}
