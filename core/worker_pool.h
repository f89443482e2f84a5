// A fixed set of threads that run submitted tasks: the learning math of many agents at
// once. The caller decides what runs and when it needs each result; the pool only computes.
// A pool of T threads counts the caller: it starts T - 1 workers, and a caller waiting for a
// task runs queued tasks itself meanwhile (so a pool of 1 runs each task on the caller's
// thread when it is waited for). Tasks run in any order and on any thread; a task that needs
// another's result names it when it is submitted (a Dependency) and runs only after it, so
// the caller need not wait in between. Then every result is the same whatever T is.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

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
  [[nodiscard]] Task submit(std::function<void()> work, std::span<const Dependency> after = {});

  // Runs work(0), ..., work(count - 1) on the pool and returns when all have run; rethrows
  // the first (lowest index) exception.
  void run_all(std::size_t count, const std::function<void(std::size_t)>& work);

 private:
  void worker_loop();
  // Runs `job` on the calling thread; the lock is held on entry and on return.
  void run_locked(std::unique_lock<std::mutex>& lock, const std::shared_ptr<Job>& job);
  void wait_for(const std::shared_ptr<Job>& job);

  std::mutex mutex_;
  std::condition_variable work_available_;
  std::condition_variable job_done_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace cdsim
