#include "sim/protocols/agent_tasks.h"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>

namespace cdsim {

AgentTasks::AgentTasks(WorkerPool* pool, std::size_t agents) : pool_(pool), tasks_(agents) {}

void AgentTasks::start(std::size_t agent, InPlaceCallback work) {
  if (!tasks_.at(agent).empty()) {
    throw std::logic_error("AgentTasks: agent " + std::to_string(agent) + " already has work outstanding");
  }
  start_after(agent, std::move(work), {});
}

WorkerPool::Dependency AgentTasks::start_after(std::size_t agent, InPlaceCallback work,
                                               std::span<const WorkerPool::Dependency> after) {
  std::vector<WorkerPool::Task>& tasks = tasks_.at(agent);
  if (pool_ == nullptr) {
    work();
    return {};
  }
  // Handles of tasks that ran cleanly hold nothing worth waiting for.
  tasks.erase(tasks.begin(), std::find_if(tasks.begin(), tasks.end(),
                                          [](const WorkerPool::Task& task) { return !task.succeeded(); }));
  tasks.push_back(pool_->submit(std::move(work), after));
  return tasks.back().dependency();
}

void AgentTasks::limit(std::size_t agent, std::size_t count) {
  std::vector<WorkerPool::Task>& tasks = tasks_.at(agent);
  if (tasks.size() <= count) return;
  const auto oldest = tasks.begin() + static_cast<std::ptrdiff_t>(tasks.size() - count);
  std::exception_ptr first;
  for (auto task = tasks.begin(); task != oldest; ++task) {
    try {
      task->wait();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  tasks.erase(tasks.begin(), oldest);
  if (first) std::rethrow_exception(first);
}

void AgentTasks::finish(std::size_t agent) { limit(agent, 0); }

}  // namespace cdsim
