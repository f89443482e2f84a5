#include "sim/protocols/agent_tasks.h"

#include <stdexcept>
#include <string>

namespace cdsim {

AgentTasks::AgentTasks(WorkerPool* pool, std::size_t agents) : pool_(pool), tasks_(agents) {}

void AgentTasks::start(std::size_t agent, std::function<void()> work) {
  WorkerPool::Task& task = tasks_.at(agent);
  if (task.pending()) {
    throw std::logic_error("AgentTasks: agent " + std::to_string(agent) + " already has work outstanding");
  }
  if (pool_ == nullptr) {
    work();
    return;
  }
  task = pool_->submit(std::move(work));
}

void AgentTasks::finish(std::size_t agent) { tasks_.at(agent).wait(); }

}  // namespace cdsim
