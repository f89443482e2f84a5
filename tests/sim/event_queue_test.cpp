#include "sim/event_queue.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "core/rng.h"

using cdsim::EventCallback;
using cdsim::EventHandle;
using cdsim::EventQueue;
using cdsim::SimTime;

namespace {

// Pops everything, running each callback, and returns the times in pop order.
std::vector<std::int64_t> drain(EventQueue& queue) {
  std::vector<std::int64_t> times;
  while (!queue.empty()) {
    EventQueue::Event event = queue.pop();
    times.push_back(event.time.ns());
    event.callback();
  }
  return times;
}

}  // namespace

TEST_CASE("events pop in order of time") {
  EventQueue queue;
  for (std::int64_t t : {50, 10, 40, 20, 30}) queue.push(SimTime::from_ns(t), [] {});
  CHECK(queue.size() == 5);
  CHECK(queue.peek_time() == SimTime::from_ns(10));
  CHECK(drain(queue) == std::vector<std::int64_t>{10, 20, 30, 40, 50});
  CHECK(queue.empty());
}

TEST_CASE("events at equal times pop in the order they were pushed") {
  EventQueue queue;
  std::vector<int> order;
  for (int i = 0; i < 100; ++i) {
    const std::int64_t t = (i % 3 == 0) ? 5 : 7;  // two interleaved groups of ties
    queue.push(SimTime::from_ns(t), [&order, i] { order.push_back(i); });
  }
  drain(queue);
  std::vector<int> expected;
  for (int i = 0; i < 100; i += 3) expected.push_back(i);
  for (int i = 0; i < 100; ++i) {
    if (i % 3 != 0) expected.push_back(i);
  }
  CHECK(order == expected);
}

TEST_CASE("a cancelled event never pops and its handle becomes stale") {
  EventQueue queue;
  bool ran = false;
  const EventHandle early = queue.push(SimTime::from_ns(1), [&ran] { ran = true; });
  queue.push(SimTime::from_ns(2), [] {});
  CHECK(queue.is_pending(early));
  CHECK(queue.cancel(early));
  CHECK_FALSE(queue.is_pending(early));
  CHECK(queue.size() == 1);
  CHECK(queue.peek_time() == SimTime::from_ns(2));  // the cancelled top is gone
  CHECK_FALSE(queue.cancel(early));                  // cancelling twice is a no-op
  CHECK(drain(queue) == std::vector<std::int64_t>{2});
  CHECK_FALSE(ran);
}

TEST_CASE("cancelling through a stale or default handle is a safe no-op") {
  EventQueue queue;
  CHECK_FALSE(queue.cancel(EventHandle{}));
  const EventHandle popped = queue.push(SimTime::from_ns(1), [] {});
  queue.pop();
  CHECK_FALSE(queue.cancel(popped));
  // The slot of the popped event is reused; the old handle must not reach the new event.
  const EventHandle reused = queue.push(SimTime::from_ns(3), [] {});
  CHECK(reused.slot == popped.slot);
  CHECK_FALSE(queue.cancel(popped));
  CHECK(queue.size() == 1);
  CHECK(queue.is_pending(reused));
  CHECK(queue.cancel(reused));
  CHECK(queue.empty());
}

TEST_CASE("the queue owns pending callbacks and destroys them on cancel and on destruction") {
  auto token = std::make_shared<int>(0);
  {
    EventQueue queue;
    const EventHandle first = queue.push(SimTime::from_ns(1), [token] {});
    queue.push(SimTime::from_ns(2), [token] {});
    CHECK(token.use_count() == 3);
    queue.cancel(first);
    CHECK(token.use_count() == 2);
    EventQueue::Event event = queue.pop();
    CHECK(token.use_count() == 2);  // ownership moved to the caller
    event.callback.reset();
    CHECK(token.use_count() == 1);
    queue.push(SimTime::from_ns(3), [token] {});
    CHECK(token.use_count() == 2);
  }
  CHECK(token.use_count() == 1);
}

TEST_CASE("200k random events pop in the order of a stable sort, with some cancelled") {
  cdsim::Rng rng(2024, 0, cdsim::RngPurpose::kData);
  constexpr int kEvents = 200'000;
  EventQueue queue;
  std::vector<std::int64_t> times(kEvents);
  std::vector<EventHandle> handles(kEvents);
  std::vector<int> popped;
  popped.reserve(kEvents);
  for (int i = 0; i < kEvents; ++i) {
    times[i] = static_cast<std::int64_t>(rng.uniform_index(50'000));  // many ties
    handles[i] = queue.push(SimTime::from_ns(times[i]), [&popped, i] { popped.push_back(i); });
  }
  std::vector<bool> cancelled(kEvents, false);
  for (int i = 0; i < kEvents; i += 7) {
    cancelled[i] = true;
    REQUIRE(queue.cancel(handles[i]));
  }
  std::vector<int> expected;
  for (int i = 0; i < kEvents; ++i) {
    if (!cancelled[i]) expected.push_back(i);
  }
  std::stable_sort(expected.begin(), expected.end(), [&times](int a, int b) { return times[a] < times[b]; });
  CHECK(queue.size() == expected.size());
  drain(queue);
  CHECK(popped == expected);
}

TEST_CASE("interleaved pushes, pops and cancels match a brute-force reference") {
  cdsim::Rng rng(99, 0, cdsim::RngPurpose::kData);
  EventQueue queue;
  // Reference: the set of pending (time, push number) pairs, and the handle of each.
  std::set<std::pair<std::int64_t, int>> reference;
  std::vector<std::pair<EventHandle, std::int64_t>> pushed;
  std::int64_t clock = 0;
  int last_popped = -1;
  for (int op = 0; op < 30'000; ++op) {
    const std::uint64_t choice = rng.uniform_index(10);
    if (choice < 5 || reference.empty()) {
      const std::int64_t t = clock + static_cast<std::int64_t>(rng.uniform_index(100));
      const int id = static_cast<int>(pushed.size());
      pushed.emplace_back(queue.push(SimTime::from_ns(t), [&last_popped, id] { last_popped = id; }), t);
      reference.emplace(t, id);
    } else if (choice < 8) {
      REQUIRE(queue.peek_time().ns() == reference.begin()->first);
      EventQueue::Event event = queue.pop();
      event.callback();
      REQUIRE(last_popped == reference.begin()->second);
      clock = event.time.ns();
      reference.erase(reference.begin());
    } else {
      const int id = static_cast<int>(rng.uniform_index(pushed.size()));
      const bool pending = reference.erase({pushed[id].second, id}) == 1;
      REQUIRE(queue.cancel(pushed[id].first) == pending);
    }
    REQUIRE(queue.size() == reference.size());
  }
}

TEST_CASE("a heap dominated by cancelled keys is compacted without losing events") {
  EventQueue queue;
  std::vector<EventHandle> handles;
  for (int i = 0; i < 5000; ++i) handles.push_back(queue.push(SimTime::from_ns(10'000 - i), [] {}));
  for (int i = 0; i < 5000; ++i) {
    if (i % 10 != 0) queue.cancel(handles[i]);
  }
  CHECK(queue.size() == 500);
  const std::vector<std::int64_t> times = drain(queue);
  REQUIRE(times.size() == 500);
  CHECK(std::is_sorted(times.begin(), times.end()));
  CHECK(times.front() == 10'000 - 4990);
}

TEST_CASE("pushing an empty callback is rejected") {
  EventQueue queue;
  CHECK_THROWS_AS(queue.push(SimTime::zero(), EventCallback{}), std::invalid_argument);
  CHECK(queue.empty());
}
