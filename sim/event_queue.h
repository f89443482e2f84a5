// The pending events of a simulation, ordered by (time, sequence number): earlier times
// first, and events at equal times in the order they were pushed, never by address or hash.
// The queue owns the callbacks of pending events; popping hands ownership to the caller.
//
// Layout: events due at one time form a bucket, the slots of its events in push order in a
// contiguous array; a binary heap orders the buckets by (time, sequence of their first
// push). A push at the time of the most recently opened bucket joins it, so the many events
// a synchronous protocol schedules for one instant cost O(1) each instead of a heap
// operation. (A later bucket for an already-open time is simply another heap key after the
// first: every event in it was pushed later.) Callbacks are constructed in place in
// reusable slots (a free list) held in fixed chunks that never move, so an event runs where
// it lies, with no move of its callable on the way in or out; a bucket's slot array is read
// front to back, so a pop can
// prefetch the callbacks a few events ahead - with a million events pending, a linked list
// through the slots would stall on a cache miss at every pop. Buckets and their arrays are
// recycled, so that, once the vectors have grown to the largest number of pending events,
// push and pop allocate nothing.
//
// Complexity (b = buckets in the heap, at most the pending events): push O(1) into the
// open bucket, else O(log b); pop O(1) within a bucket, O(log b) when it empties; peek_time,
// size, empty O(1); cancel O(1) plus amortized O(log b) - cancelled events are dropped
// lazily when they reach the front, and everything is compacted when they outnumber live
// events.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/event_callback.h"
#include "sim/time.h"

namespace cdsim {

// Names one pushed event. Becomes stale once the event has been popped or cancelled;
// a default-constructed handle is always stale. (The generation is 32 bits: a handle kept
// across 2^32 reuses of the same slot could alias; no simulation keeps handles that long.)
struct EventHandle {
  static constexpr std::uint32_t kNoSlot = std::numeric_limits<std::uint32_t>::max();

  std::uint32_t slot = kNoSlot;
  std::uint32_t generation = 0;

  friend constexpr bool operator==(EventHandle, EventHandle) = default;
};

class EventQueue {
 public:
  // An event taken off the queue: when it is due, and its action (now owned by the caller).
  struct Event {
    SimTime time;
    EventCallback callback;
  };

  EventQueue() = default;
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;
  EventQueue(EventQueue&&) noexcept = default;
  EventQueue& operator=(EventQueue&&) noexcept = default;

  // Adds an event due at `time`. The callback must not be empty.
  EventHandle push(SimTime time, EventCallback callback) { return emplace(time, std::move(callback)); }
  // The same, constructing the callable (as for EventCallback) in its slot directly.
  template <typename Function>
  EventHandle emplace(SimTime time, Function&& function) {
    if constexpr (std::is_same_v<std::remove_cvref_t<Function>, EventCallback>) {
      if (!function) throw_empty_callback();
    }
    const std::uint32_t slot = acquire_slot();
    try {
      // A free slot holds no callback (a run destroyed it, cancel reset it), so the new one
      // is constructed over it: assigning would first read the slot's old state.
      std::construct_at(&callback_at(slot), std::forward<Function>(function));
      return enqueue(slot, time);
    } catch (...) {
      release(slot);
      throw;
    }
  }

  // Removes and returns the earliest event (FIFO among equal times). Precondition: !empty().
  Event pop();

  // Takes the earliest event off the queue (its handle goes stale), calls on_time(its time),
  // then runs its callback where it lies and destroys it - also when it throws. Events the
  // callback pushes never take its slot. Precondition: !empty().
  template <typename OnTime>
  void run_front(OnTime&& on_time) {
    const Taken taken = take_front();
    struct Release {
      EventQueue& queue;
      std::uint32_t slot;
      ~Release() { queue.release(slot); }
    } release{*this, taken.slot};
    on_time(taken.time);
    callback_at(taken.slot)();
  }

  // Time of the earliest pending event. Precondition: !empty().
  SimTime peek_time() const { return SimTime::from_ns(heap_.front().time_ns); }

  // Removes a pending event, destroying its callback. Returns false, and does nothing, if
  // the handle is stale (the event already ran or was cancelled) or default-constructed.
  bool cancel(EventHandle handle);

  // Whether the handle names an event still in the queue.
  bool is_pending(EventHandle handle) const;

  // Number of pending (not cancelled) events.
  std::size_t size() const { return live_events_; }
  bool empty() const { return live_events_ == 0; }

  // Pre-sizes the storage for `pending_events` simultaneous events.
  void reserve(std::size_t pending_events);

 private:
  static constexpr std::uint32_t kNone = EventHandle::kNoSlot;
  struct Key {
    std::int64_t time_ns;
    std::uint64_t sequence;
    std::uint32_t bucket;
  };
  // A bucket's events: `first`, then more_[bucket][0], more_[bucket][1], ... (in push
  // order); those before `next` have popped. The first lives inline and the rest in an
  // array of their own, so that the buckets a heap of many distinct times touches stay
  // small (12 bytes) and a bucket of one event needs no array.
  struct Bucket {
    std::uint32_t first = kNone;
    std::uint32_t next = 0;   // position of the next event to pop
    std::uint32_t count = 0;  // events in the bucket, popped ones included
  };
  std::uint32_t slot_at(std::uint32_t bucket, std::uint32_t position) const {
    return position == 0 ? buckets_[bucket].first : more_[bucket][position - 1];
  }
  static constexpr std::uint32_t kChunkBits = 10;  // 1024 callbacks (64 KiB) a chunk
  static constexpr std::uint32_t kChunkMask = (1u << kChunkBits) - 1;
  EventCallback& callback_at(std::uint32_t slot) { return chunks_[slot >> kChunkBits][slot & kChunkMask]; }
  const EventCallback& callback_at(std::uint32_t slot) const { return chunks_[slot >> kChunkBits][slot & kChunkMask]; }
  [[noreturn]] static void throw_empty_callback();
  // A free slot (reused or new); its callback is empty.
  std::uint32_t acquire_slot();
  // Queues the event in `slot`, whose callback is set, at `time`.
  EventHandle enqueue(std::uint32_t slot, SimTime time);
  // The earliest event, unlinked (its handle stale); its slot stays taken until release().
  struct Taken {
    std::uint32_t slot;
    SimTime time;
  };
  Taken take_front();
  // Destroys a taken slot's callback and frees the slot.
  void release(std::uint32_t slot) noexcept;
  // Takes the top bucket's next slot; drops the bucket when that empties it.
  std::uint32_t unlink_front();
  void drop_top_bucket();
  void discard_cancelled_front();
  void compact();

  std::vector<Key> heap_;  // binary min-heap of buckets on (time_ns, sequence)
  std::vector<Bucket> buckets_;
  std::vector<std::vector<std::uint32_t>> more_;  // per bucket; kept (with its capacity) when recycled
  std::vector<std::uint32_t> free_buckets_;
  std::uint32_t open_bucket_ = kNone;  // the most recently opened bucket, while it is pending
  std::int64_t open_time_ns_ = 0;      // its time
  // Slot i holds a pending event's callback (empty once cancelled), in chunks_[i >>
  // kChunkBits]; generations_[i] is bumped when the event runs or is cancelled, so that old
  // handles go stale. Chunks never move: a running callback stays put while it pushes.
  std::vector<std::unique_ptr<EventCallback[]>> chunks_;
  std::uint32_t slot_count_ = 0;
  std::vector<std::uint32_t> generations_;
  std::vector<std::uint32_t> free_slots_;  // LIFO, so that a hot slot is reused first
  std::uint64_t next_sequence_ = 0;
  std::size_t live_events_ = 0;
  std::size_t cancelled_ = 0;  // cancelled events still in a bucket
};

}  // namespace cdsim
