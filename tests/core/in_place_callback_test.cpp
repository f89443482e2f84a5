#include "core/in_place_callback.h"

#include <doctest/doctest.h>

#include <array>
#include <memory>
#include <utility>

using cdsim::InPlaceCallback;

TEST_CASE("an in-place callback runs the stored callable in place") {
  int calls = 0;
  InPlaceCallback callback([&calls] { ++calls; });
  REQUIRE(static_cast<bool>(callback));
  callback();
  callback();
  CHECK(calls == 2);
}

TEST_CASE("captures up to the 56-byte capacity fit, in one cache line") {
  static_assert(sizeof(InPlaceCallback) == 64 && alignof(InPlaceCallback) == 64);
  const std::array<std::int64_t, 6> numbers{1, 2, 3, 4, 5, 6};
  std::int64_t sum = 0;
  std::int64_t* total = &sum;
  auto add_all = [numbers, total] {
    for (std::int64_t n : numbers) *total += n;
  };
  static_assert(sizeof(add_all) == InPlaceCallback::kCapacity);
  InPlaceCallback callback(std::move(add_all));
  callback();
  CHECK(sum == 21);
}

TEST_CASE("moving an event callback transfers the callable and empties the source") {
  auto token = std::make_shared<int>(7);
  int seen = 0;
  InPlaceCallback source([token, &seen] { seen = *token; });
  CHECK(token.use_count() == 2);
  InPlaceCallback target(std::move(source));
  CHECK_FALSE(static_cast<bool>(source));
  CHECK(token.use_count() == 2);
  target();
  CHECK(seen == 7);
  InPlaceCallback assigned;
  assigned = std::move(target);
  CHECK_FALSE(static_cast<bool>(target));
  CHECK(token.use_count() == 2);
  assigned.reset();
  CHECK_FALSE(static_cast<bool>(assigned));
  CHECK(token.use_count() == 1);
}

TEST_CASE("move-only callables can be stored") {
  auto owned = std::make_unique<int>(5);
  int seen = 0;
  InPlaceCallback callback([owned = std::move(owned), &seen] { seen = *owned; });
  callback();
  CHECK(seen == 5);
}
