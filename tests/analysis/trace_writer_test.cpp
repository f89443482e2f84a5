#include "analysis/trace_writer.h"

#include <doctest/doctest.h>

#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/util/delimited_message_util.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <vector>

#include "cdsim_wire.pb.h"
#include "sim/point_to_point_network.h"
#include "sim/protocols/compute_model.h"
#include "sim/simulation.h"

using namespace cdsim;

namespace {

std::vector<wire::TraceEvent> read_events(const std::filesystem::path& path) {
  std::vector<wire::TraceEvent> events;
  const int fd = ::open(path.c_str(), O_RDONLY);
  REQUIRE(fd >= 0);
  {
    google::protobuf::io::FileInputStream input(fd);
    bool clean_eof = false;
    while (true) {
      wire::TraceEvent event;  // fresh each time: parsing merges into what a message holds
      if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&event, &input, &clean_eof)) break;
      events.push_back(event);
    }
    CHECK(clean_eof);
  }
  ::close(fd);
  return events;
}

}  // namespace

TEST_CASE("the events trace holds a send, a start, an end and an arrival per message, with the link's timing") {
  const auto path = std::filesystem::temp_directory_path() / ("cdsim-trace-" + std::to_string(::getpid()) + ".pb");
  Simulation simulation(1);
  const LinkSpec link{SimTime::from_us(100), Bandwidth::from_bits_per_second(8'000'000)};  // 1 byte per us
  PointToPointNetwork network(simulation, 3, {{AgentId{0}, AgentId{1}}, {AgentId{1}, AgentId{2}}}, link);
  network.set_delivery_handler([](Message&&) {});
  TraceWriter trace(path);
  trace.attach(network);
  auto send = [&](std::uint32_t from, std::uint32_t to, std::int64_t bytes, std::int64_t round) {
    Message message;
    message.from = AgentId{from};
    message.to = AgentId{to};
    message.size = ByteCount{bytes};
    message.round = round;
    network.send(std::move(message));
  };
  send(0, 1, 50, 0);
  send(0, 1, 30, 1);  // queues behind the first on the same link
  send(2, 1, 10, 0);
  simulation.run();
  trace.close();
  CHECK(trace.events_written() == 12);

  const std::vector<wire::TraceEvent> events = read_events(path);
  REQUIRE(events.size() == 12);
  std::map<std::pair<std::uint32_t, std::int64_t>, std::map<int, std::int64_t>> times;  // (sender, round) -> type -> t
  for (const wire::TraceEvent& event : events) times[{event.sender(), event.round()}][event.type()] = event.time_ns();
  // 50 bytes: sent at 0, starts at 0, arrives after 50 us + 100 us.
  CHECK(times[{0, 0}][wire::TraceEvent::TRANSMISSION_END] == 50'000);
  CHECK(times[{0, 0}][wire::TraceEvent::ARRIVAL] == 150'000);
  // 30 bytes behind it: starts when the link frees at 50 us, arrives at 50 + 30 + 100 us.
  CHECK(times[{0, 1}][wire::TraceEvent::SEND] == 0);
  CHECK(times[{0, 1}][wire::TraceEvent::TRANSMISSION_START] == 50'000);
  CHECK(times[{0, 1}][wire::TraceEvent::TRANSMISSION_END] == 80'000);
  CHECK(times[{0, 1}][wire::TraceEvent::ARRIVAL] == 180'000);
  // Another link: no queueing.
  CHECK(times[{2, 0}][wire::TraceEvent::ARRIVAL] == 110'000);
  std::filesystem::remove(path);
}

TEST_CASE("the trace records each compute the model charges and the wait until the step completes") {
  const auto path = std::filesystem::temp_directory_path() / ("cdsim-trace-compute-" + std::to_string(::getpid()) + ".pb");
  Simulation simulation(1);
  ComputeSpec spec;
  spec.step_time = SimTime::from_us(200);
  ComputeModel compute(spec, 2, 0.0, 1, 1);
  TraceWriter trace(path);
  trace.attach(compute, simulation);
  // Agent 0 computes from 0 to 200 us and completes step 1 at 350 us: it waited 150 us,
  // then computes step 2. Agent 1 completes step 1 the instant its compute ends: no wait.
  compute.next_step_time(0);
  compute.next_step_time(1);
  simulation.schedule_at(SimTime::from_us(200), [&] { trace.agent_finished(1, 1, simulation.now()); });
  simulation.schedule_at(SimTime::from_us(350), [&] {
    trace.agent_finished(0, 1, simulation.now());
    compute.next_step_time(0);
  });
  simulation.run();
  trace.evaluation(1, simulation.now());
  trace.close();

  const std::vector<wire::TraceEvent> events = read_events(path);
  REQUIRE(events.size() == 5);
  const auto check = [&](std::size_t i, wire::TraceEvent::Type type, std::uint32_t agent, std::int64_t start_us,
                         std::int64_t duration_us, std::int64_t step) {
    CAPTURE(i);
    CHECK(events[i].type() == type);
    CHECK(events[i].sender() == agent);
    CHECK(events[i].time_ns() == start_us * 1000);
    CHECK(events[i].duration_ns() == duration_us * 1000);
    CHECK(events[i].round() == step);
  };
  check(0, wire::TraceEvent::COMPUTE, 0, 0, 200, 1);
  check(1, wire::TraceEvent::COMPUTE, 1, 0, 200, 1);
  check(2, wire::TraceEvent::WAIT, 0, 200, 150, 1);
  check(3, wire::TraceEvent::COMPUTE, 0, 350, 200, 2);
  check(4, wire::TraceEvent::EVALUATION, 0, 350, 0, 1);
  std::filesystem::remove(path);
}
