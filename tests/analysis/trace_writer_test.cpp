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
#include "sim/simulation.h"

using namespace cdsim;

namespace {

std::vector<wire::TraceEvent> read_trace(const std::filesystem::path& path) {
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

TEST_CASE("the events trace holds a send, a start and an arrival per message, with the link's timing") {
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
  CHECK(trace.events_written() == 9);

  const std::vector<wire::TraceEvent> events = read_trace(path);
  REQUIRE(events.size() == 9);
  std::map<std::pair<std::uint32_t, std::int64_t>, std::map<int, std::int64_t>> times;  // (sender, round) -> type -> t
  for (const wire::TraceEvent& event : events) times[{event.sender(), event.round()}][event.type()] = event.time_ns();
  // 50 bytes: sent at 0, starts at 0, arrives after 50 us + 100 us.
  CHECK(times[{0, 0}][wire::TraceEvent::ARRIVAL] == 150'000);
  // 30 bytes behind it: starts when the link frees at 50 us, arrives at 50 + 30 + 100 us.
  CHECK(times[{0, 1}][wire::TraceEvent::SEND] == 0);
  CHECK(times[{0, 1}][wire::TraceEvent::TRANSMISSION_START] == 50'000);
  CHECK(times[{0, 1}][wire::TraceEvent::ARRIVAL] == 180'000);
  // Another link: no queueing.
  CHECK(times[{2, 0}][wire::TraceEvent::ARRIVAL] == 110'000);
  std::filesystem::remove(path);
}
