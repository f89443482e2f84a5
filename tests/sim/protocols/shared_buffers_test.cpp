#include <doctest/doctest.h>

#include <vector>

#include "sim/protocols/shared_buffers.h"

using namespace cdsim;

TEST_CASE("shared buffers hand a buffer out again only once nothing else holds it") {
  SharedBuffers pool;
  std::shared_ptr<std::vector<float>> first = pool.acquire(4);
  std::shared_ptr<std::vector<float>> second = pool.acquire(4);
  CHECK(first != second);  // the first one is still held
  CHECK(pool.size() == 2);
  std::vector<float>* const first_vector = first.get();
  first.reset();
  // A message that shared the second buffer keeps it from reuse after the sender drops it.
  std::shared_ptr<const std::vector<float>> in_flight = second;
  second.reset();
  std::shared_ptr<std::vector<float>> third = pool.acquire(4);
  CHECK(third.get() == first_vector);
  CHECK(pool.size() == 2);
  in_flight.reset();
  std::shared_ptr<std::vector<float>> fourth = pool.acquire(2);
  CHECK(fourth != third);
  CHECK(fourth->size() == 2);
  CHECK(pool.size() == 2);  // two buffers covered four hand-outs
}

TEST_CASE("shared buffers copy a range into a reused buffer without reallocating it") {
  SharedBuffers pool;
  const std::vector<float> values = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f};
  std::shared_ptr<std::vector<float>> copy = pool.copy_of(values.begin(), values.end());
  CHECK(*copy == values);
  const float* storage = copy->data();
  copy.reset();
  std::shared_ptr<std::vector<float>> again = pool.copy_of(values.begin() + 1, values.begin() + 4);
  CHECK(*again == std::vector<float>{2.0f, 3.0f, 4.0f});
  CHECK(again->data() == storage);  // the capacity was kept
}
