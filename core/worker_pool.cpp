#include "core/worker_pool.h"

#include <algorithm>

namespace cdsim {

struct WorkerPool::Job {
  enum class State { kQueued, kRunning, kDone };
  std::function<void()> work;
  State state = State::kQueued;
  std::exception_ptr error;
};

WorkerPool::Task& WorkerPool::Task::operator=(Task&& other) noexcept {
  if (this != &other) {
    wait_quietly();
    pool_ = other.pool_;
    job_ = std::move(other.job_);
  }
  return *this;
}

WorkerPool::Task::~Task() { wait_quietly(); }

void WorkerPool::Task::wait() {
  if (!job_) return;
  const std::shared_ptr<Job> job = std::move(job_);
  pool_->wait_for(job);
  if (job->error) std::rethrow_exception(job->error);
}

void WorkerPool::Task::wait_quietly() noexcept {
  if (!job_) return;
  const std::shared_ptr<Job> job = std::move(job_);
  try {
    pool_->wait_for(job);
  } catch (...) {
    // Only lock failures end up here; the task's own exception is in job->error.
  }
}

WorkerPool::WorkerPool(std::size_t threads) {
  for (std::size_t t = 1; t < threads; ++t) workers_.emplace_back([this] { worker_loop(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_available_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

WorkerPool::Task WorkerPool::submit(std::function<void()> work) {
  auto job = std::make_shared<Job>();
  job->work = std::move(work);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(job);
  }
  work_available_.notify_one();
  return Task(this, std::move(job));
}

void WorkerPool::run_all(std::size_t count, const std::function<void(std::size_t)>& work) {
  std::vector<Task> tasks;
  tasks.reserve(count);
  for (std::size_t i = 0; i < count; ++i) tasks.push_back(submit([&work, i] { work(i); }));
  std::exception_ptr first;
  for (Task& task : tasks) {
    try {
      task.wait();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

void WorkerPool::run_locked(std::unique_lock<std::mutex>& lock, const std::shared_ptr<Job>& job) {
  job->state = Job::State::kRunning;
  lock.unlock();
  try {
    job->work();
  } catch (...) {
    job->error = std::current_exception();
  }
  job->work = nullptr;  // release what the task captured before anyone sees it done
  lock.lock();
  job->state = Job::State::kDone;
  job_done_.notify_all();
}

void WorkerPool::worker_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    work_available_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::shared_ptr<Job> job = std::move(queue_.front());
    queue_.pop_front();
    run_locked(lock, job);
  }
}

void WorkerPool::wait_for(const std::shared_ptr<Job>& job) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (job->state != Job::State::kDone) {
    if (job->state == Job::State::kQueued) {
      // Nobody has started it: run it here rather than wait for a worker.
      queue_.erase(std::find(queue_.begin(), queue_.end(), job));
      run_locked(lock, job);
    } else if (!queue_.empty()) {
      // It runs on a worker; help with the queue meanwhile.
      std::shared_ptr<Job> other = std::move(queue_.front());
      queue_.pop_front();
      run_locked(lock, other);
    } else {
      job_done_.wait(lock);
    }
  }
}

}  // namespace cdsim
