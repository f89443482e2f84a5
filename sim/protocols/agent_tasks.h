// The agents' learning math, run on a WorkerPool while the event engine goes on. The
// protocol starts agent j's work when the engine decides it (e.g. when j's compute begins,
// at parameters the protocol leaves untouched until it takes the result) and finishes it
// where the result is first needed. At most one task per agent is outstanding, so each
// agent's learner (sampler and dropout streams) advances in the same order as on one thread,
// and every result is the same whatever the pool's size. Without a pool the work runs at once.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "core/worker_pool.h"

namespace cdsim {

class AgentTasks {
 public:
  // `pool` (may be null) must outlive this object.
  AgentTasks(WorkerPool* pool, std::size_t agents);
  // Destroying it waits for the outstanding tasks (their exceptions are dropped): declare it
  // after the data the tasks use, so that it goes first.
  ~AgentTasks() = default;

  // Starts `work` for `agent`; throws std::logic_error when one is already outstanding.
  void start(std::size_t agent, std::function<void()> work);
  // Waits for the agent's outstanding work (a no-op when there is none) and rethrows what
  // it threw.
  void finish(std::size_t agent);

 private:
  WorkerPool* pool_;
  std::vector<WorkerPool::Task> tasks_;  // one per agent
};

}  // namespace cdsim
