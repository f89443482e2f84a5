// Centralized data-parallel SGD and MSGD through a parameter server, as a practitioner
// runs it: node N (the server) holds the model; every step each worker computes its
// gradient at the current global parameters and sends it up (compressed, with error
// feedback, when algorithm.compression says so), the server averages the N gradients,
// applies the optimizer, and sends the new parameters back down. Owns the
// server's model and optimizer state and the workers' copies.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/compressor.h"
#include "core/consensus.h"
#include "core/optimizer.h"
#include "core/rng.h"
#include "sim/message.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
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

 private:
  struct Worker {
    explicit Worker(Rng stream) : rng(stream) {}
    Rng rng;                       // the compressor's stream (worker j, kCompression)
    std::vector<float> residual;   // error feedback: what compression has lost so far
    std::shared_ptr<const std::vector<float>> parameters;  // x(step), shared with the server's broadcast
    std::shared_ptr<std::vector<float>> gradient;          // being computed, sent when compute ends
    std::int64_t step = 0;                                  // parameter vectors received so far
  };
  void begin_step(std::size_t worker);
  void send_gradient(std::size_t worker);
  void deliver(Message&& message);
  void receive_gradient(Message&& message);
  void receive_parameters(Message&& message);

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
  Compressor compressor_;
  std::vector<Worker> workers_;
  StepRecorder recorder_;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
