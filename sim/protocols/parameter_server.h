// Centralized data-parallel SGD and MSGD through a parameter server, as a practitioner
// runs it: node N (the server) holds the model; every step each worker computes its
// gradient at the current global parameters and sends it up (compressed, with error
// feedback, when algorithm.compression says so), the server averages the N gradients,
// applies the optimizer, and sends the new parameters back down. Owns the
// server's model and optimizer state and the workers' copies.
// With a round deadline (algorithm.timeout > 0) the server closes step k at most that long
// after it began it (sent x(k); step 0 at the start; a gradient arriving exactly then still
// counts) and averages the gradients it has (none: no optimizer step, x stays); gradients
// of an earlier step are dropped and counted. A worker whose broadcast was lost takes the
// next one it gets (the steps in between finish with those parameters). A crashed worker
// (ProtocolContext::agent_changes) drops its gradient in progress and sends nothing; its
// step count follows the slowest up worker; on recovery it computes a gradient at the last
// parameters it had (dropped as late unless the server is still at that step) and joins
// at the next broadcast.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/compressor.h"
#include "core/consensus.h"
#include "core/optimizer.h"
#include "core/rng.h"
#include "sim/message.h"
#include "sim/protocols/agent_outages.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/round_deadline.h"
#include "sim/protocols/shared_buffers.h"
#include "sim/protocols/step_recorder.h"

namespace cdsim {

// The optimizer a centralized baseline applies to the mean gradient: sgd is plain SGD,
// msgd is Keras-style Nesterov (m <- mu m - alpha g; x <- x + mu m - alpha g), both with
// the algorithm's learning rate, schedule and weight decay. Throws InvalidInput("/kind",
// "/learning_rate", "/momentum", "/weight_decay", "/schedule/...") for a bad spec.
OptimizerSpec data_parallel_optimizer(const AlgorithmSpec& algorithm);

class ParameterServer final : public Protocol {
 public:
  // Takes over the network's delivery handler. The network needs node N (the server)
  // linked to every agent (protocol_links). The server computes in zero simulated time.
  // On the wire: gradients of step k carry round k, the parameters x(k + 1) round k + 1.
  explicit ParameterServer(ProtocolContext context);

  void start() override;
  std::int64_t completed_steps() const override;
  // The server's model after the steps it has applied.
  const std::vector<float>& parameters() const { return global_; }
  const DeadlineStats& deadline() const { return deadline_; }

 private:
  struct Worker {
    explicit Worker(Rng stream) : rng(stream) {}
    Rng rng;                       // the compressor's stream (worker j, kCompression)
    std::vector<float> residual;   // error feedback: what compression has lost so far
    std::shared_ptr<const std::vector<float>> parameters;  // x(step), shared with the server's broadcast
    std::shared_ptr<std::vector<float>> gradient;          // being computed, sent when compute ends
    std::int64_t step = 0;                                  // parameter vectors received so far
    std::uint64_t job = 0;                                  // bumped per gradient, so a dropped one is not sent
  };
  void begin_step(std::size_t worker);
  void send_gradient(std::size_t worker);
  void deliver(Message&& message);
  void receive_gradient(Message&& message);
  void receive_parameters(Message&& message);
  // Averages the gradients received, steps the optimizer and broadcasts x(k + 1).
  void close_step();
  void arm_deadline();
  void crashed_step(std::size_t worker, std::int64_t step);

  ProtocolContext context_;
  AgentId server_;
  Optimizer optimizer_;
  std::vector<float> global_;  // x(server_step_)
  std::vector<float> mean_gradient_;
  std::vector<std::shared_ptr<const std::vector<float>>> gradients_;  // this step's, by worker
  std::vector<WeightedParameters> mean_inputs_;  // the mean's inputs, reused every step
  SharedBuffers buffers_;                        // gradients and broadcast snapshots
  std::size_t gradients_received_ = 0;
  std::int64_t server_step_ = 0;
  RoundDeadline round_deadline_;
  DeadlineStats deadline_;
  Compressor compressor_;
  CompressedVector compressed_;      // the gradient being sent, encoded (reused: no allocation)
  std::vector<float> corrected_;     // compress_with_feedback's scratch
  std::vector<Worker> workers_;
  StepRecorder recorder_;
  AgentOutages outages_;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
