// The agents' learning math, run on a WorkerPool while the event engine goes on. The
// protocol starts agent j's work when the engine decides it (e.g. when j's compute begins,
// at parameters the protocol leaves untouched until it takes the result) and finishes it
// where the result is first needed. An agent's tasks touch its learner (sampler and dropout
// streams) one after another, in the order the engine started them (one outstanding task
// with start(), or a chain named in start_after()), so every result is the same whatever the
// pool's size. Without a pool the work runs at once.
#pragma once

#include <cstddef>
#include <span>
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
  void start(std::size_t agent, InPlaceCallback work);
  // Starts `work` for `agent` once every task in `after` has run; the agent's earlier tasks
  // may still be outstanding, so `after` must name those whose data `work` touches.
  // Returns its completion, for later tasks to run after.
  WorkerPool::Dependency start_after(std::size_t agent, InPlaceCallback work,
                                     std::span<const WorkerPool::Dependency> after);
  // Waits for the agent's oldest outstanding tasks until at most `count` remain (bounds how
  // far the engine runs ahead of the math, and so the memory the tasks in flight hold).
  void limit(std::size_t agent, std::size_t count);
  // Waits for the agent's outstanding work (a no-op when there is none) and rethrows what
  // the first of it that failed threw.
  void finish(std::size_t agent);

 private:
  WorkerPool* pool_;
  std::vector<std::vector<WorkerPool::Task>> tasks_;  // per agent, oldest first
};

}  // namespace cdsim
