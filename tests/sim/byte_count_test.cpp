#include "sim/byte_count.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

#include "core/invalid_input.h"
#include "core/rng.h"

using cdsim::Bandwidth;
using cdsim::ByteCount;
using cdsim::SimTime;

__extension__ typedef __int128 Int128;

TEST_CASE("byte counts add, subtract, repeat and compare") {
  ByteCount a{400};
  const ByteCount b{100};
  CHECK((a + b).bytes() == 500);
  CHECK((a - b).bytes() == 300);
  CHECK((b * 3).bytes() == 300);
  CHECK((3 * b).bytes() == 300);
  a += b;
  CHECK(a == ByteCount{500});
  CHECK(b < a);
  CHECK(ByteCount{} == ByteCount{0});
  CHECK_THROWS_AS(ByteCount{std::numeric_limits<std::int64_t>::max()} + ByteCount{1}, std::overflow_error);
  CHECK_THROWS_AS(ByteCount{std::numeric_limits<std::int64_t>::max()} * 2, std::overflow_error);
}

TEST_CASE("bandwidth factories accept positive rates and reject the rest as bad input") {
  CHECK(Bandwidth::from_bits_per_second(1'000'000'000).bits_per_second() == 1'000'000'000);
  CHECK(Bandwidth::from_bytes_per_second(125e6) == Bandwidth::from_bits_per_second(1'000'000'000));
  CHECK(Bandwidth::from_bytes_per_second(0.125).bits_per_second() == 1);
  CHECK(Bandwidth::from_bytes_per_second(1.3).bits_per_second() == 10);  // 10.4 bits rounds to 10
  CHECK(Bandwidth::from_bits_per_second(8).bytes_per_second() == doctest::Approx(1.0));
  CHECK_THROWS_AS(Bandwidth::from_bits_per_second(0), cdsim::InvalidInput);
  CHECK_THROWS_AS(Bandwidth::from_bits_per_second(-5), cdsim::InvalidInput);
  CHECK_THROWS_AS(Bandwidth::from_bytes_per_second(0.0), cdsim::InvalidInput);
  CHECK_THROWS_AS(Bandwidth::from_bytes_per_second(-1.0), cdsim::InvalidInput);
  CHECK_THROWS_AS(Bandwidth::from_bytes_per_second(0.01), cdsim::InvalidInput);  // 0.08 bit/s
  CHECK_THROWS_AS(Bandwidth::from_bytes_per_second(std::numeric_limits<double>::quiet_NaN()), cdsim::InvalidInput);
  CHECK_THROWS_AS(Bandwidth::from_bytes_per_second(std::numeric_limits<double>::infinity()), cdsim::InvalidInput);
  CHECK_THROWS_AS(Bandwidth::from_bytes_per_second(2e18), cdsim::InvalidInput);
  CHECK_THROWS_WITH(Bandwidth::from_bits_per_second(0), doctest::Contains("expected a rate > 0"));
}

TEST_CASE("transmission time is exact when the rate divides evenly") {
  const Bandwidth gigabit = Bandwidth::from_bits_per_second(1'000'000'000);
  CHECK(gigabit.transmission_time(ByteCount{1500}) == SimTime::from_ns(12'000));
  CHECK(gigabit.transmission_time(ByteCount{0}) == SimTime::zero());
  CHECK(Bandwidth::from_bits_per_second(8).transmission_time(ByteCount{1}) == SimTime::from_ms(1000));
}

TEST_CASE("transmission time rounds up to the next nanosecond") {
  CHECK(Bandwidth::from_bits_per_second(3).transmission_time(ByteCount{1}).ns() == 2'666'666'667);
  CHECK(Bandwidth::from_bits_per_second(16'000'000'001).transmission_time(ByteCount{2}).ns() == 1);
  CHECK(Bandwidth::from_bits_per_second(std::numeric_limits<std::int64_t>::max()).transmission_time(ByteCount{1}).ns() == 1);
}

TEST_CASE("transmission time is the smallest nanosecond count that carries all the bits") {
  // Property against the definition: t * rate >= bits * 1e9 > (t - 1) * rate.
  cdsim::Rng rng(5, 0, cdsim::RngPurpose::kData);
  for (int i = 0; i < 2000; ++i) {
    const std::int64_t bytes = static_cast<std::int64_t>(rng.uniform_index(1'000'000'000));
    const std::int64_t bps = 1 + static_cast<std::int64_t>(rng.uniform_index(100'000'000'000));
    const Int128 t = Bandwidth::from_bits_per_second(bps).transmission_time(ByteCount{bytes}).ns();
    const Int128 needed = static_cast<Int128>(bytes) * 8 * 1'000'000'000;
    REQUIRE(t * bps >= needed);
    REQUIRE((t - 1) * bps < needed);
  }
}

TEST_CASE("transmission time rejects negative sizes and results beyond SimTime") {
  const Bandwidth one_bps = Bandwidth::from_bits_per_second(1);
  CHECK_THROWS_AS(one_bps.transmission_time(ByteCount{-1}), std::invalid_argument);
  CHECK_THROWS_AS(one_bps.transmission_time(ByteCount{std::int64_t{1} << 40}), std::overflow_error);
}

TEST_CASE("to_string prints sizes in bytes and rates in the largest exact SI bit unit") {
  CHECK(cdsim::to_string(ByteCount{1500}) == "1500B");
  CHECK(cdsim::to_string(Bandwidth::from_bits_per_second(1'000'000'000)) == "1Gbps");
  CHECK(cdsim::to_string(Bandwidth::from_bits_per_second(2'500'000)) == "2500kbps");
  CHECK(cdsim::to_string(Bandwidth::from_bits_per_second(1'001)) == "1001bps");
}
