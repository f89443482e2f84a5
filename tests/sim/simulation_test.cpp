#include "sim/simulation.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <utility>
#include <stdexcept>
#include <string>
#include <vector>

using cdsim::EventHandle;
using cdsim::Simulation;
using cdsim::SimTime;

TEST_CASE("the clock starts at zero and advances to each event's time") {
  Simulation sim(1);
  CHECK(sim.now() == SimTime::zero());
  std::vector<std::int64_t> seen;
  sim.schedule_at(SimTime::from_ms(3), [&] { seen.push_back(sim.now().ns()); });
  sim.schedule_after(SimTime::from_ms(1), [&] { seen.push_back(sim.now().ns()); });
  CHECK(sim.pending_events() == 2);
  sim.run();
  CHECK(seen == std::vector<std::int64_t>{1'000'000, 3'000'000});
  CHECK(sim.now() == SimTime::from_ms(3));
  CHECK(sim.events_executed() == 2);
  CHECK(sim.pending_events() == 0);
}

TEST_CASE("step runs one event at a time and reports when none is left") {
  Simulation sim(1);
  int calls = 0;
  sim.schedule_at(SimTime::from_ns(5), [&] { ++calls; });
  sim.schedule_at(SimTime::from_ns(5), [&] { ++calls; });
  CHECK(sim.step());
  CHECK(calls == 1);
  CHECK(sim.step());
  CHECK(calls == 2);
  CHECK_FALSE(sim.step());
  CHECK(sim.events_executed() == 2);
}

TEST_CASE("scheduling in the past or with a negative delay is a logic error") {
  Simulation sim(1);
  sim.schedule_at(SimTime::from_ms(5), [] {});
  sim.run();
  CHECK_THROWS_AS(sim.schedule_at(SimTime::from_ms(4), [] {}), std::logic_error);
  CHECK_THROWS_WITH(sim.schedule_at(SimTime::from_ms(4), [] {}), doctest::Contains("now is 5ms"));
  CHECK_THROWS_AS(sim.schedule_after(SimTime::from_ns(-1), [] {}), std::logic_error);
  CHECK_THROWS_AS(sim.schedule_after(SimTime::max(), [] {}), std::overflow_error);
  CHECK_NOTHROW(sim.schedule_at(SimTime::from_ms(5), [] {}));  // now itself is allowed
  CHECK(sim.pending_events() == 1);
}

TEST_CASE("events scheduled from inside events run, after those already due at the same time") {
  Simulation sim(1);
  std::vector<std::string> log;
  sim.schedule_at(SimTime::from_ns(10), [&] {
    log.push_back("a");
    sim.schedule_after(SimTime::zero(), [&] { log.push_back("a-now"); });
    sim.schedule_after(SimTime::from_ns(5), [&] { log.push_back("a+5"); });
  });
  sim.schedule_at(SimTime::from_ns(10), [&] { log.push_back("b"); });
  sim.schedule_at(SimTime::from_ns(12), [&] { log.push_back("c"); });
  sim.run();
  CHECK(log == std::vector<std::string>{"a", "b", "a-now", "c", "a+5"});
  CHECK(sim.now() == SimTime::from_ns(15));
}

TEST_CASE("a chain of self-rescheduling events runs to completion") {
  Simulation sim(1);
  int remaining = 1000;
  struct Tick {
    Simulation* sim;
    int* remaining;
    void operator()() const {
      if (--*remaining > 0) sim->schedule_after(SimTime::from_us(1), Tick{sim, remaining});
    }
  };
  sim.schedule_at(SimTime::zero(), Tick{&sim, &remaining});
  sim.run();
  CHECK(remaining == 0);
  CHECK(sim.now() == SimTime::from_us(999));
  CHECK(sim.events_executed() == 1000);
}

TEST_CASE("cancelled events do not run, and cancelling twice or after running returns false") {
  Simulation sim(1);
  bool late_ran = false;
  const EventHandle late = sim.schedule_at(SimTime::from_ms(2), [&] { late_ran = true; });
  EventHandle self;
  bool self_cancel_result = true;
  self = sim.schedule_at(SimTime::from_ms(1), [&] {
    self_cancel_result = sim.cancel(self);  // the running event is no longer pending
    CHECK(sim.cancel(late));
  });
  CHECK(sim.is_pending(self));
  sim.run();
  CHECK_FALSE(self_cancel_result);
  CHECK_FALSE(late_ran);
  CHECK_FALSE(sim.cancel(late));
  CHECK_FALSE(sim.cancel(self));
  CHECK(sim.events_executed() == 1);
  CHECK(sim.now() == SimTime::from_ms(1));
}

TEST_CASE("run_until runs events up to and including the limit, then sets the clock to it") {
  Simulation sim(1);
  std::vector<std::int64_t> seen;
  for (std::int64_t t : {1, 5, 10, 11, 20}) {
    sim.schedule_at(SimTime::from_ms(t), [&seen, &sim] { seen.push_back(sim.now().ns() / 1'000'000); });
  }
  sim.run_until(SimTime::from_ms(10));
  CHECK(seen == std::vector<std::int64_t>{1, 5, 10});
  CHECK(sim.now() == SimTime::from_ms(10));
  CHECK(sim.pending_events() == 2);
  sim.run_until(SimTime::from_ms(15));
  CHECK(seen.size() == 4);
  CHECK(sim.now() == SimTime::from_ms(15));
  CHECK_THROWS_AS(sim.run_until(SimTime::from_ms(14)), std::logic_error);
  sim.run_until(SimTime::from_ms(100));
  CHECK(seen.size() == 5);
  CHECK(sim.now() == SimTime::from_ms(100));  // the clock moves on past the last event
}

TEST_CASE("stop makes run return after the current event, and run resumes later") {
  Simulation sim(1);
  int calls = 0;
  for (int i = 1; i <= 5; ++i) {
    sim.schedule_at(SimTime::from_ns(i), [&sim, &calls, i] {
      ++calls;
      if (i == 2) sim.stop();
    });
  }
  sim.run();
  CHECK(calls == 2);
  CHECK(sim.now() == SimTime::from_ns(2));
  CHECK(sim.pending_events() == 3);
  sim.run_until(SimTime::from_ns(100));
  CHECK(calls == 5);
}

TEST_CASE("stop inside run_until leaves the clock at the stopping event") {
  Simulation sim(1);
  sim.schedule_at(SimTime::from_ns(3), [&sim] { sim.stop(); });
  sim.schedule_at(SimTime::from_ns(4), [] {});
  sim.run_until(SimTime::from_ns(50));
  CHECK(sim.now() == SimTime::from_ns(3));
  CHECK(sim.pending_events() == 1);
}

TEST_CASE("two simulations keep independent clocks, queues and counters") {
  Simulation first(1);
  Simulation second(2);
  int first_calls = 0;
  int second_calls = 0;
  first.schedule_at(SimTime::from_ms(7), [&] { ++first_calls; });
  second.schedule_at(SimTime::from_ms(3), [&] { ++second_calls; });
  second.schedule_at(SimTime::from_ms(4), [&] { ++second_calls; });
  second.run();
  CHECK(first.now() == SimTime::zero());
  CHECK(first.pending_events() == 1);
  CHECK(first_calls == 0);
  first.run();
  CHECK(first.now() == SimTime::from_ms(7));
  CHECK(second.now() == SimTime::from_ms(4));
  CHECK(first.events_executed() == 1);
  CHECK(second.events_executed() == 2);
  CHECK(second_calls == 2);
}

TEST_CASE("random streams derive from the simulation's seed, stream and purpose") {
  const Simulation sim(77);
  cdsim::Rng a = sim.rng(3, cdsim::RngPurpose::kMinibatch);
  cdsim::Rng b = cdsim::Rng(77, 3, cdsim::RngPurpose::kMinibatch);
  cdsim::Rng other_seed = Simulation(78).rng(3, cdsim::RngPurpose::kMinibatch);
  const std::uint64_t first = a.next_u64();
  CHECK(first == b.next_u64());
  CHECK(first != other_seed.next_u64());
  CHECK(sim.seed() == 77);
}

TEST_CASE("a randomized run is a pure function of its seed") {
  // Each event draws a delay and schedules a successor; the trace of (time, id) must repeat.
  auto trace_of = [](std::uint64_t seed) {
    Simulation sim(seed);
    cdsim::Rng rng = sim.rng(0, cdsim::RngPurpose::kSampling);
    std::vector<std::pair<std::int64_t, int>> trace;
    int next_id = 0;
    std::function<void(int)> spawn = [&](int id) {
      trace.emplace_back(sim.now().ns(), id);
      if (next_id >= 2000) return;
      for (int k = 0; k < 2; ++k) {
        const int child = next_id++;
        sim.schedule_after(SimTime::from_ns(static_cast<std::int64_t>(rng.uniform_index(20))),
                           [&spawn, child] { spawn(child); });
      }
    };
    sim.schedule_at(SimTime::zero(), [&spawn] { spawn(-1); });
    sim.run();
    return trace;
  };
  const auto first = trace_of(5);
  CHECK(first.size() > 2000);
  CHECK(first == trace_of(5));
  CHECK(first != trace_of(6));
}
