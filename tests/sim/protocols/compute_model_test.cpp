#include "sim/protocols/compute_model.h"

#include <doctest/doctest.h>

#include <cmath>

using cdsim::ComputeModel;
using cdsim::ComputeSpec;
using cdsim::SimTime;

TEST_CASE("a fixed step time is the same for every agent and step") {
  ComputeSpec spec;
  spec.step_time = SimTime::from_us(1234);
  ComputeModel model(spec, 4, 0.0, 32, 1);
  for (std::size_t j = 0; j < 4; ++j) {
    for (int k = 0; k < 3; ++k) CHECK(model.next_step_time(j) == SimTime::from_us(1234));
  }
}

TEST_CASE("a FLOP-rate model charges FLOPs per sample times batch over speed") {
  ComputeSpec spec;
  spec.flops_per_second = 2e9;
  ComputeModel model(spec, 2, 1e6, 128, 1);
  // 1e6 FLOPs * 128 / 2e9 FLOP/s = 64 ms.
  CHECK(model.next_step_time(0) == SimTime::from_ms(64));
  CHECK(model.next_step_time(1, 64) == SimTime::from_ms(32));
}

TEST_CASE("heterogeneous speeds are seeded log-normal multipliers, reproducible and varied") {
  ComputeSpec spec;
  spec.speed_spread = 0.5;
  ComputeModel a(spec, 200, 0.0, 32, 9), b(spec, 200, 0.0, 32, 9);
  double log_sum = 0.0, log_sq = 0.0;
  for (std::size_t j = 0; j < 200; ++j) {
    CHECK(a.speed_multiplier(j) == b.speed_multiplier(j));
    const double l = std::log(a.speed_multiplier(j));
    log_sum += l;
    log_sq += l * l;
  }
  const double mean = log_sum / 200, sd = std::sqrt(log_sq / 200 - mean * mean);
  CHECK(std::abs(mean) < 0.15);
  CHECK(sd == doctest::Approx(0.5).epsilon(0.2));
  // A faster agent takes proportionally less time.
  CHECK(a.nominal_step_time(0).seconds() ==
        doctest::Approx(spec.step_time.seconds() / a.speed_multiplier(0)).epsilon(1e-6));
}

TEST_CASE("stragglers slow about the given share of steps by the given factor") {
  ComputeSpec spec;
  spec.step_time = SimTime::from_ms(1);
  spec.straggler_probability = 0.2;
  spec.straggler_slowdown = 5.0;
  ComputeModel model(spec, 1, 0.0, 32, 3);
  int slow = 0;
  for (int k = 0; k < 5000; ++k) {
    const SimTime t = model.next_step_time(0);
    if (t == SimTime::from_ms(5)) {
      ++slow;
    } else {
      REQUIRE(t == SimTime::from_ms(1));
    }
  }
  CHECK(slow > 850);
  CHECK(slow < 1150);
}
