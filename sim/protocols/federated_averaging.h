// Federated averaging (McMahan et al. 2017) on the simulated network. Each round the server
// (node N) samples m = max(1, round(C N)) clients, sends them the global model, each runs E
// local epochs of minibatch SGD on its shard, ceil(E n_j / B) steps, and sends its model
// back; the server replaces the global model by the average of the returned models weighted
// by shard size. With a lossy algorithm.compression a client uploads its update instead,
// Q(x_j - x_global (+ e_j)), with error feedback e_j <- p - Q(p) unless error_feedback is
// false (core/error_feedback.h), sized by its compressed encoding; the server adds the
// shard-weighted mean of the decoded updates to the global model. The global model goes
// down uncompressed. Observed rounds also carry the clients' local models as they finished
// the round, before averaging (StepSnapshot::client_parameters). A protocol step is a
// round. Owns the global model, the clients' models and their residuals.
// With a round deadline (algorithm.timeout > 0) the server closes a round at most that long
// after it sent the global model (a model arriving exactly then still counts) and averages
// the models it has, weighted by shard size among them; with none, the global model stays.
// Models of an earlier round are dropped and counted. A crashed client
// (ProtocolContext::agent_changes) drops its training and sends nothing; the server's
// model to it is lost; once recovered it trains again when sampled. Without a deadline a
// missing model leaves the round open for ever (the run then ends with no progress).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/compressor.h"
#include "core/rng.h"
#include "sim/message.h"
#include "sim/protocols/agent_outages.h"
#include "sim/protocols/agent_tasks.h"
#include "sim/protocols/protocol.h"
#include "sim/protocols/round_deadline.h"
#include "sim/protocols/shared_buffers.h"
#include "sim/protocols/step_recorder.h"

namespace cdsim {

class FederatedAveraging final : public Protocol {
 public:
  // Takes over the network's delivery handler. The network needs node N (the server)
  // linked to every agent (protocol_links). The server averages in zero simulated time.
  // Throws InvalidInput("/kind", "/client_fraction", "/local_epochs", "/learning_rate",
  // "/weight_decay", "/schedule/...") for bad settings. On the wire both the global model
  // and the clients' models carry the round number.
  explicit FederatedAveraging(ProtocolContext context);

  void start() override;
  // Rounds completed.
  std::int64_t completed_steps() const override { return round_; }
  // The global model after the rounds completed so far.
  const std::vector<float>& parameters() const { return global_; }

  // m = max(1, round(C N)): clients taken part in every round.
  std::size_t clients_per_round() const { return clients_per_round_; }
  // The clients of `round` in ascending order: m of the N drawn without replacement from
  // the seeded (round, kSampling) stream, so a round's draw depends on the seed alone.
  std::vector<std::size_t> sample_clients(std::int64_t round) const;
  // ceil(E n_j / B): the local SGD steps client j takes in a round.
  std::int64_t local_steps(std::size_t client) const { return clients_[client].local_steps; }
  const DeadlineStats& deadline() const { return deadline_; }

 private:
  struct Client {
    std::vector<float> parameters;  // the local model during a round
    std::vector<float> gradient;
    std::size_t shard_size = 0;
    std::int64_t local_steps = 0;
    std::size_t epoch_position = 0;  // samples of the current pass over the shard used so far
    std::uint64_t job = 0;           // bumped per training, so a dropped one does not send
    bool training = false;
    std::vector<float> residual;     // error feedback: what its compressed uploads lost
    Rng rng{0, 0, RngPurpose::kCompression};  // the compressor's stream (client j, kCompression)
  };
  void begin_round();
  void train(std::size_t client, const std::vector<float>& global);
  void send(AgentId from, AgentId to, std::shared_ptr<const std::vector<float>> model);
  void deliver(Message&& message);
  void receive_client_model(Message&& message);
  void close_round();
  // Waits for the client's training in flight, if any, and drops it.
  void drop_training(std::size_t client);
  // The client's upload: its model, or (compressing) its compressed update.
  void upload(std::size_t client);

  ProtocolContext context_;
  Compressor compressor_;
  // A compressed upload's scratch, reused so that it allocates nothing in steady state.
  SharedBuffers decoded_buffers_;  // decoded updates, shared with their messages
  // The global model broadcast each round and the lossless uploads, shared with their
  // messages: once the pool has a round's worth, a round allocates nothing.
  SharedBuffers model_buffers_;
  CompressedVector compressed_;
  std::vector<float> update_;
  std::vector<float> corrected_;
  AgentId server_;
  std::size_t clients_per_round_;
  std::vector<float> global_;
  std::vector<Client> clients_;
  std::int64_t round_ = 0;
  std::vector<std::size_t> sampled_;                                // this round's clients, ascending
  std::vector<std::shared_ptr<const std::vector<float>>> returned_;  // their models (or decoded updates), in that order
  std::size_t returned_count_ = 0;
  RoundDeadline round_deadline_;
  DeadlineStats deadline_;
  StepRecorder recorder_;
  AgentOutages outages_;
  AgentTasks agent_math_;  // last: waits for the gradients in flight before the rest goes
};

}  // namespace cdsim
