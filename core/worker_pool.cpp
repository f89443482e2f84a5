#include "core/worker_pool.h"

#include <algorithm>
#include <stdexcept>

namespace cdsim {
namespace {
constexpr std::size_t kDependentsReserved = 8;
}  // namespace

struct WorkerPool::Job {
  enum class State { kBlocked, kQueued, kRunning, kDone };
  InPlaceCallback work;
  State state = State::kQueued;
  std::exception_ptr error;
  std::size_t blockers = 0;                     // dependencies not yet run
  std::vector<std::shared_ptr<Job>> dependents;  // blocked on this one
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

bool WorkerPool::Task::succeeded() const {
  if (!job_) return true;
  std::lock_guard<std::mutex> lock(pool_->mutex_);
  return job_->state == Job::State::kDone && !job_->error;
}

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

std::shared_ptr<WorkerPool::Job> WorkerPool::recycled_job() {
  // Round robin from the record handed out last: jobs mostly finish in the order they were
  // submitted, so the next one is usually free.
  for (std::size_t tried = 0; tried < jobs_.size(); ++tried) {
    next_job_ = next_job_ + 1 < jobs_.size() ? next_job_ + 1 : 0;
    std::shared_ptr<Job>& job = jobs_[next_job_];
    if (job.use_count() == 1) {
      job->state = Job::State::kQueued;
      job->error = nullptr;
      job->blockers = 0;  // `work` was released when it ran, `dependents` cleared (capacity kept)
      return job;
    }
  }
  next_job_ = jobs_.size();
  jobs_.push_back(std::make_shared<Job>());
  // Room for the few tasks that usually wait on one (an agent's neighbours' updates on its
  // snapshot), so that a reused record rarely has to grow.
  jobs_.back()->dependents.reserve(kDependentsReserved);
  return jobs_.back();
}

void WorkerPool::RunQueue::push_back(std::shared_ptr<Job> job) {
  if (count_ == ring_.size()) {
    std::vector<std::shared_ptr<Job>> grown(ring_.empty() ? 16 : 2 * ring_.size());
    for (std::size_t i = 0; i < count_; ++i) grown[i] = std::move(ring_[(head_ + i) & (ring_.size() - 1)]);
    ring_ = std::move(grown);
    head_ = 0;
  }
  ring_[(head_ + count_) & (ring_.size() - 1)] = std::move(job);
  ++count_;
}

std::shared_ptr<WorkerPool::Job> WorkerPool::RunQueue::pop_front() {
  std::shared_ptr<Job> job = std::move(ring_[head_]);
  head_ = (head_ + 1) & (ring_.size() - 1);
  --count_;
  return job;
}

void WorkerPool::RunQueue::erase(const std::shared_ptr<Job>& job) {
  const std::size_t mask = ring_.size() - 1;
  std::size_t i = 0;
  while (ring_[(head_ + i) & mask] != job) ++i;
  for (; i + 1 < count_; ++i) ring_[(head_ + i) & mask] = std::move(ring_[(head_ + i + 1) & mask]);
  ring_[(head_ + count_ - 1) & mask].reset();
  --count_;
}

WorkerPool::Task WorkerPool::submit(InPlaceCallback work, std::span<const Dependency> after) {
  if (!work) throw std::invalid_argument("WorkerPool::submit: empty task");
  std::shared_ptr<Job> job;
  bool runnable = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job = recycled_job();
    job->work = std::move(work);
    for (const Dependency& dependency : after) {
      if (dependency.job_ == nullptr || dependency.job_->state == Job::State::kDone) continue;
      dependency.job_->dependents.push_back(job);
      ++job->blockers;
    }
    runnable = job->blockers == 0;
    if (runnable) {
      queue_.push_back(job);
    } else {
      job->state = Job::State::kBlocked;
    }
  }
  if (runnable) work_available_.notify_one();
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
  job->work.reset();  // release what the task captured before anyone sees it done
  lock.lock();
  job->state = Job::State::kDone;
  bool released = false;
  for (const std::shared_ptr<Job>& dependent : job->dependents) {
    if (--dependent->blockers == 0) {
      dependent->state = Job::State::kQueued;
      queue_.push_back(dependent);
      released = true;
    }
  }
  job->dependents.clear();
  job_done_.notify_all();
  if (released) work_available_.notify_all();
}

void WorkerPool::worker_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    work_available_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    std::shared_ptr<Job> job = queue_.pop_front();
    run_locked(lock, job);
  }
}

void WorkerPool::wait_for(const std::shared_ptr<Job>& job) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (job->state != Job::State::kDone) {
    if (job->state == Job::State::kQueued) {
      // Nobody has started it: run it here rather than wait for a worker.
      queue_.erase(job);
      run_locked(lock, job);
    } else if (!queue_.empty()) {
      // It runs on a worker or waits for its dependencies; help with the queue meanwhile.
      std::shared_ptr<Job> other = queue_.pop_front();
      run_locked(lock, other);
    } else {
      job_done_.wait(lock);
    }
  }
}

}  // namespace cdsim
