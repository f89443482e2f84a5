#include "sim/protocols/wire_size.h"

#include <doctest/doctest.h>

#include "cdsim_wire.pb.h"

namespace {

std::size_t serialized_size(std::uint32_t sender, std::uint32_t receiver, std::int64_t round,
                            std::uint32_t kind, std::size_t values) {
  cdsim::wire::ParameterMessage message;
  message.set_sender(sender);
  message.set_receiver(receiver);
  message.set_round(round);
  message.set_kind(kind);
  for (std::size_t i = 0; i < values; ++i) message.add_values(0.5f * static_cast<float>(i));
  return message.SerializeAsString().size();
}

}  // namespace

TEST_CASE("the computed message size equals the real protobuf encoding for many shapes") {
  const std::size_t value_counts[] = {0, 1, 2, 31, 32, 33, 127, 128, 1000, 4096, 100000};
  const std::int64_t rounds[] = {0, 1, 127, 128, 1 << 20, -1};
  for (std::size_t values : value_counts) {
    for (std::int64_t round : rounds) {
      CAPTURE(values);
      CAPTURE(round);
      const cdsim::ByteCount computed = cdsim::parameter_message_size(
          cdsim::AgentId{3}, cdsim::AgentId{300}, round, cdsim::PayloadKind::kGradient, values);
      CHECK(computed.bytes() == static_cast<std::int64_t>(serialized_size(3, 300, round, 1, values)));
    }
  }
}

TEST_CASE("the header has one size whatever the ids and round, so sizes depend on the payload alone") {
  const std::int64_t a = cdsim::parameter_message_size(cdsim::AgentId{0}, cdsim::AgentId{0}, 0,
                                                       cdsim::PayloadKind::kParameters, 10).bytes();
  const std::int64_t b = cdsim::parameter_message_size(cdsim::AgentId{4000000}, cdsim::AgentId{7}, -5,
                                                       cdsim::PayloadKind::kAverage, 10).bytes();
  CHECK(a == b);
  // 24 header bytes + tag + one length byte + 40 payload bytes.
  CHECK(a == 24 + 1 + 1 + 40);
}
