#include "sim/protocols/wire_size.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "cdsim_wire.pb.h"
#include "core/compressor.h"
#include "core/rng.h"

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

namespace {

// The CompressedValues encoding of `c`, built field by field from the schema.
cdsim::wire::CompressedValues to_wire(const cdsim::CompressedVector& c) {
  cdsim::wire::CompressedValues wire;
  wire.set_dimension(c.dimension);
  std::uint32_t previous = 0;
  for (std::uint32_t index : c.indices) {
    wire.add_index_gaps(index - previous);
    previous = index;
  }
  for (float v : c.values) wire.add_values(v);
  std::string halves;
  for (std::uint16_t h : c.half_values) {
    halves.push_back(static_cast<char>(h & 0xFF));
    halves.push_back(static_cast<char>(h >> 8));
  }
  wire.set_half_values(halves);
  wire.set_codes(std::string(c.codes.begin(), c.codes.end()));
  if (c.bits_per_code > 0) wire.set_bits_per_code(c.bits_per_code);
  if (c.has_scale) wire.set_scale(c.scale);
  return wire;
}

}  // namespace

TEST_CASE("compressed message sizes equal serialising the compressed payload with protobuf") {
  using namespace cdsim;
  struct Case {
    const char* kind;
    std::size_t count;
    double fraction;
    std::uint32_t levels;
  };
  const Case cases[] = {{"identity", 0, 0, 0},    {"top_k", 1, 0, 0},     {"top_k", 0, 0.01, 0},
                        {"top_k", 0, 1.0, 0},     {"random_k", 0, 0.1, 0}, {"random_k", 3, 0, 0},
                        {"qsgd", 0, 0, 1},        {"qsgd", 0, 0, 7},      {"qsgd", 0, 0, 255},
                        {"scaled_sign", 0, 0, 0}, {"float16", 0, 0, 0},   {"bfloat16", 0, 0, 0}};
  for (std::size_t d : {1, 7, 8, 129, 1000, 20000, 100000}) {
    // Spikes far apart so top-k's index gaps take several varint bytes.
    std::vector<float> x(d);
    Rng data(static_cast<std::uint64_t>(d), 0, RngPurpose::kData);
    for (float& v : x) v = static_cast<float>(data.normal());
    x[d - 1] = 100.0f;
    x[0] = -90.0f;
    for (const Case& c : cases) {
      CAPTURE(d);
      CAPTURE(c.kind);
      CompressorSpec spec;
      spec.kind = c.kind;
      spec.count = c.count;
      spec.fraction = c.fraction;
      spec.levels = c.levels;
      Rng rng(1, 2, RngPurpose::kCompression);
      const CompressedVector compressed = Compressor(spec).compress(x, rng);
      wire::ParameterMessage message;
      message.set_sender(5);
      message.set_receiver(6);
      message.set_round(12345);
      message.set_kind(static_cast<std::uint32_t>(PayloadKind::kPublicCopyUpdate));
      if (std::string(c.kind) == "identity") {
        for (float v : compressed.values) message.add_values(v);
      } else {
        *message.mutable_compressed() = to_wire(compressed);
      }
      CHECK(compressed_values_size(compressed) == to_wire(compressed).SerializeAsString().size());
      const ByteCount computed = compressed_message_size(AgentId{5}, AgentId{6}, 12345, PayloadKind::kPublicCopyUpdate, compressed);
      CHECK(computed.bytes() == static_cast<std::int64_t>(message.SerializeAsString().size()));
    }
  }
}

TEST_CASE("a compressed message carries the decoded vector and the compressed size") {
  using namespace cdsim;
  CompressorSpec spec;
  spec.kind = "scaled_sign";
  const std::vector<float> x = {1.0f, -1.0f, 2.0f};
  Rng rng(0, 0, RngPurpose::kCompression);
  const CompressedVector compressed = Compressor(spec).compress(x, rng);
  auto decoded = std::make_shared<const std::vector<float>>(std::vector<float>{4.0f / 3, -4.0f / 3, 4.0f / 3});
  const Message message = compressed_payload_message(AgentId{0}, AgentId{1}, 3, PayloadKind::kPublicCopyUpdate,
                                                     compressed, decoded);
  CHECK(message.payload == decoded);
  // 24 header bytes; compressed: tag + length + dimension (5) + codes (1 + 1 + 1) + bits (5) + scale (5).
  CHECK(message.size.bytes() == 24 + 1 + 1 + 5 + 3 + 5 + 5);
}

TEST_CASE("a push-sum share's size equals serialising its values and its double weight") {
  for (std::size_t values : {std::size_t{0}, std::size_t{1}, std::size_t{33}, std::size_t{5000}}) {
    CAPTURE(values);
    cdsim::wire::ParameterMessage message;
    message.set_sender(1);
    message.set_receiver(2);
    message.set_round(77);
    message.set_kind(static_cast<std::uint32_t>(cdsim::PayloadKind::kPushSumShare));
    for (std::size_t i = 0; i < values; ++i) message.add_values(0.25f * static_cast<float>(i));
    message.set_push_sum_weight(0.1234567890123);
    CHECK(cdsim::push_sum_message_size(cdsim::AgentId{1}, cdsim::AgentId{2}, 77, values).bytes() ==
          static_cast<std::int64_t>(message.SerializeAsString().size()));
  }
}
