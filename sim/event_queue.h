// The pending events of a simulation, ordered by (time, sequence number): earlier times
// first, and events at equal times in the order they were pushed, never by address or hash.
// The queue owns the callbacks of pending events; popping hands ownership to the caller.
//
// Layout: events due at one time form a bucket, a FIFO of slots linked in push order; a
// binary heap orders the buckets by (time, sequence of their first push). A push at the
// time of the most recently opened bucket joins it, so the many events a synchronous
// protocol schedules for one instant cost O(1) each instead of a heap operation. (A later
// bucket for an already-open time is simply another heap key after the first: every event
// in it was pushed later.) Callbacks live in place in a vector of reusable slots (a free
// list), so that, once the vectors have grown to the largest number of pending events,
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
  EventHandle push(SimTime time, EventCallback callback);

  // Removes and returns the earliest event (FIFO among equal times). Precondition: !empty().
  Event pop();

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
  // The events due at time_ns, from head to tail through next_.
  struct Bucket {
    std::int64_t time_ns;
    std::uint32_t head;
    std::uint32_t tail;
  };
  // Unlinks the top bucket's first slot; drops the bucket when that empties it.
  std::uint32_t unlink_front();
  void drop_top_bucket();
  void discard_cancelled_front();
  void compact();

  std::vector<Key> heap_;  // binary min-heap of buckets on (time_ns, sequence)
  std::vector<Bucket> buckets_;
  std::vector<std::uint32_t> free_buckets_;
  std::uint32_t open_bucket_ = kNone;  // the most recently opened bucket, while it is pending
  // Slot i holds a pending event's callback (empty once cancelled); links_[i].next is the
  // slot after it in its bucket and links_[i].generation is bumped when the event runs or is
  // cancelled. The two share one record, so that a push or a pop misses the cache once for
  // them (with a million pending events neither array stays in cache).
  struct Link {
    std::uint32_t next;
    std::uint32_t generation;
  };
  std::vector<EventCallback> slots_;
  std::vector<Link> links_;
  std::vector<std::uint32_t> free_slots_;  // LIFO, so that a hot slot is reused first
  std::uint64_t next_sequence_ = 0;
  std::size_t live_events_ = 0;
  std::size_t cancelled_ = 0;  // cancelled events still linked in a bucket
};

}  // namespace cdsim
