#include "sim/event_queue.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <utility>

namespace cdsim {
namespace {

// Heap order for std::push_heap/pop_heap (a max-heap on "comes later"): the top key is
// the bucket with the smallest (time, sequence).
struct ComesLater {
  template <typename Key>
  bool operator()(const Key& a, const Key& b) const {
    if (a.time_ns != b.time_ns) return a.time_ns > b.time_ns;
    return a.sequence > b.sequence;
  }
};

// Compaction is worth its O(n) cost only once cancelled events dominate a queue of some size.
constexpr std::size_t kCompactionMinimumEvents = 1024;

}  // namespace

EventHandle EventQueue::push(SimTime time, EventCallback callback) {
  if (!callback) throw std::invalid_argument("EventQueue::push: empty callback");
  std::uint32_t slot = 0;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    if (slots_.size() >= EventHandle::kNoSlot) throw std::length_error("EventQueue: too many pending events");
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
    links_.push_back(Link{kNone, 0});
  }
  slots_[slot] = std::move(callback);
  links_[slot].next = kNone;
  const std::int64_t time_ns = time.ns();
  if (open_bucket_ != kNone && buckets_[open_bucket_].time_ns == time_ns) {
    // Same time as the latest bucket, and pushed after everything in it: its new tail.
    Bucket& bucket = buckets_[open_bucket_];
    links_[bucket.tail].next = slot;
    bucket.tail = slot;
  } else {
    std::uint32_t bucket = 0;
    if (!free_buckets_.empty()) {
      bucket = free_buckets_.back();
      free_buckets_.pop_back();
      buckets_[bucket] = Bucket{time_ns, slot, slot};
    } else {
      bucket = static_cast<std::uint32_t>(buckets_.size());
      buckets_.push_back(Bucket{time_ns, slot, slot});
    }
    heap_.push_back(Key{time_ns, next_sequence_++, bucket});
    std::push_heap(heap_.begin(), heap_.end(), ComesLater{});
    open_bucket_ = bucket;
  }
  ++live_events_;
  return EventHandle{slot, links_[slot].generation};
}

EventQueue::Event EventQueue::pop() {
  assert(!empty());
  const std::int64_t time_ns = heap_.front().time_ns;
  const std::uint32_t slot = unlink_front();  // live: cancelled events never stay at the front
  Event event{SimTime::from_ns(time_ns), std::move(slots_[slot])};
  ++links_[slot].generation;
  free_slots_.push_back(slot);
  --live_events_;
  discard_cancelled_front();
  // The next pop will read the new front's callback and link: start fetching them while
  // this one runs.
  if (!heap_.empty()) {
    const std::uint32_t head = buckets_[heap_.front().bucket].head;
    __builtin_prefetch(&slots_[head]);
    __builtin_prefetch(&links_[head]);
  }
  return event;
}

bool EventQueue::cancel(EventHandle handle) {
  if (!is_pending(handle)) return false;
  // The slot stays linked in its bucket, empty, until it reaches the front.
  slots_[handle.slot].reset();
  ++links_[handle.slot].generation;
  --live_events_;
  ++cancelled_;
  discard_cancelled_front();
  if (cancelled_ >= kCompactionMinimumEvents && cancelled_ > live_events_) compact();
  return true;
}

bool EventQueue::is_pending(EventHandle handle) const {
  // A free or cancelled slot's generation is never held by a handle: it was bumped then.
  return handle.slot < links_.size() && links_[handle.slot].generation == handle.generation;
}

void EventQueue::reserve(std::size_t pending_events) {
  heap_.reserve(pending_events);
  buckets_.reserve(pending_events);
  free_buckets_.reserve(pending_events);
  slots_.reserve(pending_events);
  links_.reserve(pending_events);
  free_slots_.reserve(pending_events);
}

std::uint32_t EventQueue::unlink_front() {
  Bucket& bucket = buckets_[heap_.front().bucket];
  const std::uint32_t slot = bucket.head;
  bucket.head = links_[slot].next;
  if (bucket.head == kNone) drop_top_bucket();
  return slot;
}

void EventQueue::drop_top_bucket() {
  const std::uint32_t bucket = heap_.front().bucket;
  std::pop_heap(heap_.begin(), heap_.end(), ComesLater{});
  heap_.pop_back();
  free_buckets_.push_back(bucket);
  if (open_bucket_ == bucket) open_bucket_ = kNone;
}

void EventQueue::discard_cancelled_front() {
  // Without cancellations no event can be stale: skip the slot lookup.
  while (cancelled_ > 0 && !heap_.empty() && !slots_[buckets_[heap_.front().bucket].head]) {
    free_slots_.push_back(unlink_front());
    --cancelled_;
  }
}

void EventQueue::compact() {
  // Unlink every cancelled slot, keeping the live ones in order; drop emptied buckets.
  for (const Key& key : heap_) {
    Bucket& bucket = buckets_[key.bucket];
    std::uint32_t kept_tail = kNone;
    std::uint32_t kept_head = kNone;
    for (std::uint32_t slot = bucket.head; slot != kNone;) {
      const std::uint32_t next = links_[slot].next;
      if (slots_[slot]) {
        if (kept_tail == kNone) {
          kept_head = slot;
        } else {
          links_[kept_tail].next = slot;
        }
        kept_tail = slot;
        links_[slot].next = kNone;
      } else {
        free_slots_.push_back(slot);
      }
      slot = next;
    }
    bucket.head = kept_head;
    bucket.tail = kept_tail;
  }
  std::erase_if(heap_, [this](const Key& key) {
    if (buckets_[key.bucket].head != kNone) return false;
    free_buckets_.push_back(key.bucket);
    if (open_bucket_ == key.bucket) open_bucket_ = kNone;
    return true;
  });
  std::make_heap(heap_.begin(), heap_.end(), ComesLater{});
  cancelled_ = 0;
}

}  // namespace cdsim
