// Centralized data-parallel SGD and MSGD with a ring all-reduce of the gradients, as
// Horovod and NCCL run it: agent j sends only to j + 1 mod N. The gradient is cut into N
// chunks of ceil(P / N) values (the last ones smaller, possibly empty); each chunk makes
// N - 1 hops being summed (reduce-scatter), then N - 1 hops being copied (all-gather), and
// every agent applies the same optimizer step to its own copy of the parameters.
// With a lossy compressor (algorithm.compression) every agent compresses each chunk once a
// step, when it sends it with its own gradient added: at its reduce hop, or, for the agent
// that completes the chunk's sum, at the first gather hop; the gather hops then forward
// that compressed sum unchanged, so every agent applies the same decoded sum. With error
// feedback each agent keeps the residual of what its compressions lost and adds it to its
// share before the next compression (core/error_feedback.h): per chunk,
// t_a = Q(t_prev) + g_a + e_a, e_a <- t_a - Q(t_a), and the sum delivered plus the new
// residuals equals the gradients plus the old residuals. Owns the agents' parameters,
// optimizer states, residuals and partial sums.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/compressor.h"
#include "core/optimizer.h"
#include "core/rng.h"
#include "sim/message.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/shared_buffers.h"
#include "sim/protocols/step_recorder.h"

namespace cdsim {

class RingAllReduce final : public Protocol {
 public:
  // Takes over the network's delivery handler. The network needs the ring links
  // j -> j + 1 mod N (protocol_links with communication "all_reduce"). On the wire a chunk
  // carries round = step * 2(N - 1) + hop (hops 0 .. N-2 reduce, N-1 .. 2N-3 gather).
  explicit RingAllReduce(ProtocolContext context);

  void start() override;
  std::int64_t completed_steps() const override;
  const std::vector<float>& parameters(std::size_t agent) const { return agents_[agent].parameters; }

  // Values [first, second) of the parameter vector form chunk `chunk` (on the wire).
  std::pair<std::size_t, std::size_t> chunk_range(std::size_t chunk) const;

 private:
  struct Agent {
    std::vector<float> parameters;
    // g_j once computed; chunk by chunk it then holds the ring's sums, and at the end of
    // the step the sum of all gradients.
    std::vector<float> gradient;
    Optimizer optimizer;
    Rng rng;                       // the compressor's stream (agent j, kCompression)
    std::vector<float> residual{}; // error feedback: what the agent's compressions lost
    std::vector<float> decoded{};  // a chunk as the receivers decode it
    std::int64_t step = 0;
    bool computed = false;         // the gradient of `step` is ready
    std::size_t chunks_summed = 0; // chunks for which `gradient` holds the full sum
    std::vector<Message> early{};  // arrived before the agent was ready for them
  };
  void begin_step(std::size_t agent);
  void finish_compute(std::size_t agent);
  void deliver(Message&& message);
  void receive_chunk(std::size_t agent, const Message& message);
  void send_chunk(std::size_t agent, std::size_t chunk, std::int64_t hop);
  // Compresses the agent's chunk (with its residual), replaces the chunk by what the
  // receivers decode, and sends it.
  void send_compressed_chunk(std::size_t agent, std::size_t chunk, std::int64_t hop);
  void finish_step(std::size_t agent);
  // Chunk `chunk` of a vector of `dimension` values: the wire's, or the agents' own vectors
  // (empty in a communication-only replay).
  std::pair<std::size_t, std::size_t> chunk_of(std::size_t chunk, std::size_t dimension) const;

  ProtocolContext context_;
  Compressor compressor_;
  std::int64_t hops_;         // 2 (N - 1) transfers per chunk per step
  std::vector<Agent> agents_;
  StepRecorder recorder_;
  SharedBuffers buffers_;  // the chunks on the wire
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
