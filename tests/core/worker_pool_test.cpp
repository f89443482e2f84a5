#include "core/worker_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace cdsim;

namespace {

// A deterministic function of i that takes some work: the i-th term of an LCG sequence.
std::uint64_t lcg_term(std::size_t i) {
  std::uint64_t x = i + 1;
  for (int k = 0; k < 1000; ++k) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

}  // namespace

TEST_CASE("run_all runs every index exactly once and gives what a plain loop gives, for 1, 2 and 4 threads") {
  const std::size_t count = 257;
  std::vector<std::uint64_t> expected(count);
  for (std::size_t i = 0; i < count; ++i) expected[i] = lcg_term(i);
  for (std::size_t threads : {1, 2, 4}) {
    CAPTURE(threads);
    WorkerPool pool(threads);
    CHECK(pool.threads() == threads);
    std::vector<std::uint64_t> results(count, 0);
    std::vector<std::atomic<int>> runs(count);
    pool.run_all(count, [&](std::size_t i) {
      results[i] = lcg_term(i);
      runs[i].fetch_add(1);
    });
    CHECK(results == expected);
    int wrong = 0;
    for (const std::atomic<int>& r : runs) wrong += r.load() != 1;
    CHECK(wrong == 0);
  }
}

TEST_CASE("a pool of one thread runs each task on the caller's thread, when it is waited for") {
  WorkerPool pool(1);
  std::thread::id ran_on;
  bool ran = false;
  WorkerPool::Task task = pool.submit([&] {
    ran = true;
    ran_on = std::this_thread::get_id();
  });
  CHECK_FALSE(ran);
  task.wait();
  CHECK(ran);
  CHECK(ran_on == std::this_thread::get_id());
  CHECK_FALSE(task.pending());
}

TEST_CASE("a pool of two threads runs two tasks at the same time") {
  WorkerPool pool(2);
  // Each task waits (with a deadline) until both have started: only two threads at once can
  // both see the count reach 2.
  std::atomic<int> started{0};
  std::atomic<int> saw_both{0};
  auto task = [&] {
    started.fetch_add(1);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (started.load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
    if (started.load() == 2) saw_both.fetch_add(1);
  };
  WorkerPool::Task a = pool.submit(task);
  WorkerPool::Task b = pool.submit(task);
  a.wait();
  b.wait();
  CHECK(saw_both.load() == 2);
}

TEST_CASE("waiting rethrows the task's exception, and run_all rethrows the lowest index's") {
  for (std::size_t threads : {1, 3}) {
    CAPTURE(threads);
    WorkerPool pool(threads);
    WorkerPool::Task task = pool.submit([] { throw std::runtime_error("task failed"); });
    CHECK_THROWS_WITH_AS(task.wait(), "task failed", std::runtime_error);
    std::atomic<int> ran{0};
    auto work = [&](std::size_t i) {
      ran.fetch_add(1);
      if (i == 3 || i == 5) throw std::runtime_error("index " + std::to_string(i));
    };
    CHECK_THROWS_WITH_AS(pool.run_all(8, work), "index 3", std::runtime_error);
    CHECK(ran.load() == 8);  // the others still ran: nothing is left half-queued
  }
}

TEST_CASE("destroying a task's handle waits for the task, so the data it writes is still there") {
  for (std::size_t threads : {1, 2}) {
    CAPTURE(threads);
    WorkerPool pool(threads);
    std::vector<int> written(100, 0);
    {
      std::vector<WorkerPool::Task> tasks;
      for (std::size_t i = 0; i < written.size(); ++i) {
        tasks.push_back(pool.submit([&written, i] { written[i] = static_cast<int>(i) * 2; }));
      }
    }  // every handle waits here
    int wrong = 0;
    for (std::size_t i = 0; i < written.size(); ++i) wrong += written[i] != static_cast<int>(i) * 2;
    CHECK(wrong == 0);
  }
}

TEST_CASE("a task runs only after the tasks it depends on, so a chain submitted at once gives the sequential recurrence") {
  // x_{i+1} = lcg(x_i) over two interleaved chains, every link submitted before any has run.
  const auto step = [](std::uint64_t x) {
    for (int k = 0; k < 200; ++k) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x;
  };
  constexpr std::size_t kLinks = 64;
  std::vector<std::uint64_t> expected(2 * (kLinks + 1));
  for (std::size_t chain = 0; chain < 2; ++chain) {
    expected[chain] = chain + 11;
    for (std::size_t i = 1; i <= kLinks; ++i) expected[2 * i + chain] = step(expected[2 * (i - 1) + chain]);
  }
  for (std::size_t threads : {1, 2, 4}) {
    CAPTURE(threads);
    WorkerPool pool(threads);
    std::vector<std::uint64_t> values(expected.size(), 0);
    values[0] = 11;
    values[1] = 12;
    std::vector<WorkerPool::Task> tasks;
    std::vector<WorkerPool::Dependency> last(2);
    for (std::size_t i = 1; i <= kLinks; ++i) {
      for (std::size_t chain = 0; chain < 2; ++chain) {
        const WorkerPool::Dependency after[] = {last[chain]};
        tasks.push_back(pool.submit([&values, &step, i, chain] { values[2 * i + chain] = step(values[2 * (i - 1) + chain]); },
                                    after));
        last[chain] = tasks.back().dependency();
      }
    }
    tasks.back().wait();  // waiting for the last link alone runs (or waits for) all before it
    CHECK(values[2 * kLinks + 1] == expected[2 * kLinks + 1]);
    for (WorkerPool::Task& task : tasks) task.wait();
    CHECK(values == expected);
  }
}

TEST_CASE("a task whose dependency threw still runs, and only the failed task rethrows") {
  WorkerPool pool(2);
  WorkerPool::Task failing = pool.submit([] { throw std::runtime_error("first"); });
  const WorkerPool::Dependency after[] = {failing.dependency()};
  int value = 0;
  WorkerPool::Task next = pool.submit([&value] { value = 5; }, after);
  next.wait();
  CHECK(value == 5);
  CHECK_FALSE(failing.succeeded());
  CHECK_THROWS_WITH_AS(failing.wait(), "first", std::runtime_error);
}
