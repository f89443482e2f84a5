#include "core/error_feedback.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sim/protocols/parameter_server.h"
#include "tests/sim/protocols/baseline_fixture.h"

using namespace cdsim;
using testing::BaselineFixture;
using testing::Vector;

namespace {

const LinkSpec kFastLink{SimTime::from_us(10), Bandwidth::from_bits_per_second(1'000'000'000)};

AlgorithmSpec compressed_sgd(const std::string& compressor, bool feedback) {
  AlgorithmSpec algorithm;
  algorithm.kind = "sgd";
  algorithm.learning_rate = 0.2;
  algorithm.compression.kind = compressor;
  algorithm.error_feedback = feedback;
  if (compressor == "top_k") algorithm.compression.count = 2;
  return algorithm;
}

// (||p||_1 / d) sign(p), sign(0) = +.
Vector scaled_sign_reference(const Vector& p) {
  double l1 = 0.0;
  for (double v : p) l1 += std::fabs(v);
  Vector q(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) q[i] = (p[i] < 0 ? -1.0 : 1.0) * l1 / static_cast<double>(p.size());
  return q;
}

// EF-SGD through the server in double: p_j = (x - b_j) + e_j, q_j = Q(p_j), e_j = p_j - q_j
// (e_j = 0 throughout without feedback), x <- x - alpha mean_j q_j.
void check_ef_recurrence(const BaselineFixture& f, std::int64_t steps, bool feedback) {
  Vector x(f.initial.begin(), f.initial.end());
  std::vector<Vector> e(f.agents(), Vector(x.size(), 0.0));
  for (std::int64_t k = 1; k <= steps; ++k) {
    Vector mean(x.size(), 0.0);
    for (std::size_t j = 0; j < f.agents(); ++j) {
      Vector p(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) p[i] = x[i] - f.targets[j][i] + (feedback ? e[j][i] : 0.0);
      const Vector q = scaled_sign_reference(p);
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (feedback) e[j][i] = p[i] - q[i];
        mean[i] += q[i] / static_cast<double>(f.agents());
      }
    }
    for (std::size_t i = 0; i < x.size(); ++i) x[i] -= 0.2 * mean[i];
    testing::check_all_close(f.snapshots[static_cast<std::size_t>(k)], x, 1e-4);
  }
}

}  // namespace

TEST_CASE("the residual keeps exactly what compression lost, and is fed into the next compression") {
  CompressorSpec spec;
  spec.kind = "top_k";
  spec.count = 1;
  const Compressor top1(spec);
  Rng rng(0, 0, RngPurpose::kCompression);
  std::vector<float> residual = {0.0f, 0.0f, 0.0f};
  std::vector<float> decoded(3);
  compress_with_feedback(top1, std::vector<float>{3.0f, -1.0f, 2.0f}, residual, true, rng, decoded);
  CHECK(decoded == std::vector<float>{3.0f, 0.0f, 0.0f});
  CHECK(residual == std::vector<float>{0.0f, -1.0f, 2.0f});
  // Next gradient (1, -1, 0.5) plus the residual (0, -1, 2) = (1, -2, 2.5): top-1 sends 2.5.
  compress_with_feedback(top1, std::vector<float>{1.0f, -1.0f, 0.5f}, residual, true, rng, decoded);
  CHECK(decoded == std::vector<float>{0.0f, 0.0f, 2.5f});
  CHECK(residual == std::vector<float>{1.0f, -2.0f, 0.0f});
  // Without feedback the residual is left alone and nothing is added.
  std::vector<float> untouched = {9.0f, 9.0f, 9.0f};
  compress_with_feedback(top1, std::vector<float>{1.0f, -4.0f, 0.5f}, untouched, false, rng, decoded);
  CHECK(decoded == std::vector<float>{0.0f, -4.0f, 0.0f});
  CHECK(untouched == std::vector<float>{9.0f, 9.0f, 9.0f});
}

TEST_CASE("parameter-server SGD with scaled sign and error feedback follows EF-SGD's recurrence") {
  for (bool feedback : {true, false}) {
    CAPTURE(feedback);
    BaselineFixture f(compressed_sgd("scaled_sign", feedback), ring_graph(4), 6, kFastLink);
    f.run<ParameterServer>(ComputeSpec{}, 20);
    check_ef_recurrence(f, 20, feedback);
  }
}

TEST_CASE("compressed gradients go up at their compressed size; parameters come down whole") {
  const std::size_t d = 64;
  BaselineFixture f(compressed_sgd("scaled_sign", true), ring_graph(4), d, kFastLink);
  f.run<ParameterServer>(ComputeSpec{}, 5);
  // Up: header 24 + tag + length + (dimension 5, codes 1 + 1 + 8, bits_per_code 5, scale 5).
  const std::int64_t up = 24 + 1 + 1 + 5 + 10 + 5 + 5;
  const std::int64_t down = testing::message_bytes(d);
  CHECK(f.network->stats().messages_sent == 5 * 2 * 4);
  CHECK(f.network->stats().bytes_sent.bytes() == 5 * 4 * (up + down));
}

// Top-k (k = 1, ties to the lower coordinate) of p.
Vector top_1_reference(const Vector& p) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    if (std::fabs(p[i]) > std::fabs(p[best])) best = i;
  }
  Vector q(p.size(), 0.0);
  if (!p.empty()) q[best] = p[best];
  return q;
}

// EF-SGD through a ring all-reduce in double. Chunk c (ceil(d / N) values) is compressed
// by agents c, c + 1, ..., c + N - 1 in turn, each adding its gradient and residual to the
// decoded sum so far: t = q_prev + (x - b_a) + e_a, q = Q(t), e_a = t - q (e = 0 without
// feedback); the last q is the sum every agent applies, x <- x - alpha q / N.
void check_all_reduce_recurrence(const BaselineFixture& f, std::int64_t steps, bool feedback, bool sign) {
  const std::size_t n = f.agents(), d = f.dimension(), chunk_values = (d + n - 1) / n;
  Vector x(f.initial.begin(), f.initial.end());
  std::vector<Vector> e(n, Vector(d, 0.0));
  for (std::int64_t k = 1; k <= steps; ++k) {
    Vector sum(d, 0.0);
    for (std::size_t c = 0; c < n; ++c) {
      const std::size_t first = std::min(c * chunk_values, d), last = std::min(first + chunk_values, d);
      Vector q(last - first, 0.0);
      for (std::size_t m = 0; m < n; ++m) {
        const std::size_t a = (c + m) % n;
        Vector t(last - first);
        for (std::size_t i = first; i < last; ++i) {
          t[i - first] = q[i - first] + (x[i] - f.targets[a][i]) + (feedback ? e[a][i] : 0.0);
        }
        q = sign ? scaled_sign_reference(t) : top_1_reference(t);
        if (feedback) {
          for (std::size_t i = first; i < last; ++i) e[a][i] = t[i - first] - q[i - first];
        }
      }
      for (std::size_t i = first; i < last; ++i) sum[i] = q[i - first];
    }
    for (std::size_t i = 0; i < d; ++i) x[i] -= 0.2 * sum[i] / static_cast<double>(n);
    testing::check_all_close(f.snapshots[static_cast<std::size_t>(k)], x, 1e-4);
  }
}

TEST_CASE("all-reduce SGD with compressed chunks and error feedback follows its recurrence, every agent applying one sum") {
  for (const std::string compressor : {"scaled_sign", "top_k"}) {
    for (bool feedback : {true, false}) {
      CAPTURE(compressor);
      CAPTURE(feedback);
      AlgorithmSpec algorithm = compressed_sgd(compressor, feedback);
      if (compressor == "top_k") algorithm.compression.count = 1;
      algorithm.communication = "all_reduce";
      // 4 agents, 10 values: chunks of 3, 3, 3 and 1.
      BaselineFixture f(algorithm, ring_graph(4), 10, kFastLink);
      f.run<Protocol>(ComputeSpec{}, 15);
      check_all_reduce_recurrence(f, 15, feedback, compressor == "scaled_sign");
    }
  }
}

TEST_CASE("compressed all-reduce chunks travel at their compressed size, the gather hops forwarding the compressed sum") {
  const std::size_t d = 64;  // 4 chunks of 16
  AlgorithmSpec algorithm = compressed_sgd("scaled_sign", true);
  algorithm.communication = "all_reduce";
  BaselineFixture f(algorithm, ring_graph(4), d, kFastLink);
  f.run<Protocol>(ComputeSpec{}, 5);
  // Header 24 + tag + length + (dimension 5, codes 1 + 1 + 2, bits_per_code 5, scale 5).
  const std::int64_t chunk_bytes = 24 + 1 + 1 + 5 + 4 + 5 + 5;
  const std::uint64_t messages = 5 * 2 * 4 * 3;  // 2 N (N - 1) a step
  CHECK(f.network->stats().messages_sent == messages);
  CHECK(f.network->stats().bytes_sent.bytes() == static_cast<std::int64_t>(messages) * chunk_bytes);
}

TEST_CASE("a compressed all-reduce in a communication-only replay is an error naming the compression") {
  AlgorithmSpec algorithm = compressed_sgd("top_k", true);
  algorithm.communication = "all_reduce";
  BaselineFixture f(algorithm, ring_graph(3), 6, kFastLink);
  f.make_replay();
  try {
    f.run<Protocol>(ComputeSpec{}, 1);
    FAIL("no error");
  } catch (const InvalidInput& error) {
    CHECK(error.field() == "/compression");
  }
}
