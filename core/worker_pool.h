// A fixed set of threads that run submitted tasks: the learning math of many agents at
// once. The caller decides what runs and when it needs each result; the pool only computes.
// A pool of T threads counts the caller: it starts T - 1 workers, and a caller waiting for a
// task runs queued tasks itself meanwhile (so a pool of 1 runs each task on the caller's
// thread when it is waited for). Tasks run in any order and on any thread; a task that needs
// another's result names it when it is submitted (a Dependency) and runs only after it, so
// the caller need not wait in between. Then every result is the same whatever T is.
// One thread (the caller) submits and waits; tasks do not submit. A task is an
// InPlaceCallback (its captures in a 56-byte buffer) and job records are reused once the
// caller holds no Task or Dependency on them, so a steady stream of tasks allocates nothing
// in the pool once it has grown.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/in_place_callback.h"

namespace cdsim {

class WorkerPool {
  struct Job;

 public:
  // A submitted task's completion, for later tasks to run after; holding one does not wait.
  // A default-constructed one is complete.
  class Dependency {
   public:
    Dependency() = default;

   private:
    friend class WorkerPool;
    explicit Dependency(std::shared_ptr<Job> job) : job_(std::move(job)) {}
    std::shared_ptr<Job> job_;
  };

  // A submitted task; waiting returns once it has run and rethrows what it threw. Destroying
  // a handle whose task has not been waited for waits for it (and drops its exception), so a
  // task never outlives the handle its caller keeps next to the data it uses.
  class Task {
   public:
    Task() = default;
    Task(Task&& other) noexcept = default;
    Task& operator=(Task&& other) noexcept;
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task();
    bool pending() const { return job_ != nullptr; }
    // Whether the task has run without throwing (so dropping the handle loses nothing).
    bool succeeded() const;
    Dependency dependency() const { return Dependency(job_); }
    void wait();

   private:
    friend class WorkerPool;
    Task(WorkerPool* pool, std::shared_ptr<Job> job) : pool_(pool), job_(std::move(job)) {}
    void wait_quietly() noexcept;
    WorkerPool* pool_ = nullptr;
    std::shared_ptr<Job> job_;
  };

  // `threads` >= 1 (0 is taken as 1).
  explicit WorkerPool(std::size_t threads);
  // Joins the workers; every task must have been waited for (Task's destructor sees to it).
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::size_t threads() const { return workers_.size() + 1; }

  // Queues `work` behind the tasks already queued, once every task in `after` has run
  // (whether or not it threw).
  [[nodiscard]] Task submit(InPlaceCallback work, std::span<const Dependency> after = {});

  // Runs work(0), ..., work(count - 1) on the pool and returns when all have run; rethrows
  // the first (lowest index) exception.
  void run_all(std::size_t count, const std::function<void(std::size_t)>& work);

 private:
  void worker_loop();
  // Runs `job` on the calling thread; the lock is held on entry and on return.
  void run_locked(std::unique_lock<std::mutex>& lock, const std::shared_ptr<Job>& job);
  void wait_for(const std::shared_ptr<Job>& job);

  // The runnable jobs in order: a ring buffer that grows only when more jobs are queued at
  // once than ever before, so a long run of tasks allocates nothing (a deque would allocate
  // a block every few dozen tasks).
  class RunQueue {
   public:
    bool empty() const { return count_ == 0; }
    void push_back(std::shared_ptr<Job> job);
    std::shared_ptr<Job> pop_front();
    // Removes `job`, which is queued.
    void erase(const std::shared_ptr<Job>& job);

   private:
    std::vector<std::shared_ptr<Job>> ring_;  // size a power of two, or empty
    std::size_t head_ = 0;
    std::size_t count_ = 0;
  };

  // A job record nothing but jobs_ holds any more (reset for reuse), or a new one. Under
  // the lock: every copy of a job the pool's threads make or drop is made under it, and
  // the caller's own copies are on the calling thread.
  std::shared_ptr<Job> recycled_job();

  std::mutex mutex_;
  std::condition_variable work_available_;
  std::condition_variable job_done_;
  RunQueue queue_;
  // Every job record made so far, reused once the caller has dropped its Task and every
  // Dependency on it: a task a step allocates no job.
  std::vector<std::shared_ptr<Job>> jobs_;
  std::size_t next_job_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace cdsim
