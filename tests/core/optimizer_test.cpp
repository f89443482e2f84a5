#include "core/optimizer.h"

#include <doctest/doctest.h>

#include <cmath>

#include "core/invalid_input.h"

using namespace cdsim;

TEST_CASE("step-size schedules follow their closed forms") {
  StepSizeSchedule schedule;
  CHECK(step_size(schedule, 0) == 1.0);
  CHECK(step_size(schedule, 12345) == 1.0);
  schedule.kind = "step";
  schedule.drop_factor = 0.1;
  schedule.drop_every = 100;
  CHECK(step_size(schedule, 99) == doctest::Approx(1.0));
  CHECK(step_size(schedule, 100) == doctest::Approx(0.1));
  CHECK(step_size(schedule, 250) == doctest::Approx(0.01));
  schedule.kind = "inverse_sqrt";
  schedule.decay = 0.5;
  CHECK(step_size(schedule, 6) == doctest::Approx(0.5));  // 1/sqrt(1 + 3)
  schedule.kind = "inverse";
  CHECK(step_size(schedule, 6) == doctest::Approx(0.25));  // 1/(1 + 3)
  schedule.kind = "power";
  schedule.exponent = 0.5;
  CHECK(step_size(schedule, 0) == doctest::Approx(1.0));
  CHECK(step_size(schedule, 3) == doctest::Approx(0.5));  // 1/4^0.5
  OptimizerSpec spec;
  spec.learning_rate = 0.2;
  spec.schedule = schedule;
  CHECK(learning_rate_at(spec, 8) == doctest::Approx(0.2 / 3.0));
}

TEST_CASE("sgd with weight decay takes x - alpha (g + lambda x)") {
  OptimizerSpec spec;
  spec.learning_rate = 0.1;
  spec.weight_decay = 0.5;
  Optimizer optimizer(spec, 2);
  std::vector<float> x = {1.0f, -2.0f};
  const std::vector<float> g = {0.5f, 0.25f};
  optimizer.step(x, g);
  CHECK(x[0] == doctest::Approx(1.0 - 0.1 * (0.5 + 0.5)));
  CHECK(x[1] == doctest::Approx(-2.0 - 0.1 * (0.25 - 1.0)));
  CHECK(optimizer.steps_taken() == 1);
}

// Runs the optimizer on f(x) = 0.5 * c * x^2 and compares with a reference recurrence in double.
TEST_CASE("polyak momentum equals the heavy-ball recurrence x' = x - alpha g + mu (x - x_prev)") {
  OptimizerSpec spec;
  spec.kind = "momentum";
  spec.learning_rate = 0.05;
  spec.momentum = 0.9;
  Optimizer optimizer(spec, 1);
  std::vector<float> x = {3.0f};
  double ref = 3.0, ref_prev = 3.0;
  const double c = 2.0;
  for (int k = 0; k < 30; ++k) {
    const std::vector<float> g = {static_cast<float>(c * x[0])};
    optimizer.step(x, g);
    const double next = ref - 0.05 * c * ref + 0.9 * (ref - ref_prev);
    ref_prev = ref;
    ref = next;
    CHECK(x[0] == doctest::Approx(ref).epsilon(1e-4).scale(1.0));
  }
}

TEST_CASE("keras nesterov equals x' = x + mu^2 v - (1 + mu) alpha g") {
  OptimizerSpec spec;
  spec.kind = "nesterov";
  spec.learning_rate = 0.05;
  spec.momentum = 0.95;
  Optimizer optimizer(spec, 1);
  std::vector<float> x = {3.0f};
  double ref = 3.0, v = 0.0;
  for (int k = 0; k < 30; ++k) {
    const double g = 2.0 * ref;
    const std::vector<float> gf = {static_cast<float>(2.0 * x[0])};
    optimizer.step(x, gf);
    const double next = ref + 0.95 * 0.95 * v - (1.0 + 0.95) * 0.05 * g;
    v = 0.95 * v - 0.05 * g;
    ref = next;
    CHECK(x[0] == doctest::Approx(ref).epsilon(1e-4).scale(1.0));
    CHECK(optimizer.velocity()[0] == doctest::Approx(v).epsilon(1e-4).scale(1.0));
  }
  // A strongly convex quadratic converges.
  for (int k = 0; k < 500; ++k) {
    const std::vector<float> gf = {2.0f * x[0]};
    optimizer.step(x, gf);
  }
  CHECK(std::abs(x[0]) < 1e-3);
}

TEST_CASE("bad optimizer specs are rejected naming the field") {
  OptimizerSpec spec;
  spec.kind = "adam";
  CHECK_THROWS_AS(Optimizer(spec, 3), InvalidInput);
  spec = OptimizerSpec{};
  spec.momentum = 1.0;
  CHECK_THROWS_AS(Optimizer(spec, 3), InvalidInput);
  spec = OptimizerSpec{};
  spec.schedule.kind = "step";
  spec.schedule.drop_every = 0;
  try {
    Optimizer optimizer(spec, 3);
    FAIL("expected InvalidInput");
  } catch (const InvalidInput& e) {
    CHECK(e.field() == "/schedule/drop_every");
  }
}
