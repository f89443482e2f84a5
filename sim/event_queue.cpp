#include "sim/event_queue.h"

#include <algorithm>
#include <cassert>
#include <memory>
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

// How many events ahead a pop prefetches: enough that the callback has arrived from memory
// by the time its turn comes, when each event's handler is short.
constexpr std::uint32_t kPrefetchDistance = 8;

}  // namespace

void EventQueue::throw_empty_callback() { throw std::invalid_argument("EventQueue::push: empty callback"); }

std::uint32_t EventQueue::acquire_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  if (slot_count_ >= EventHandle::kNoSlot - kChunkMask) throw std::length_error("EventQueue: too many pending events");
  if ((slot_count_ & kChunkMask) == 0) chunks_.push_back(std::make_unique<EventCallback[]>(std::size_t{kChunkMask} + 1));
  generations_.push_back(0);
  // Every slot can be free at once: with room for all of them, release() never allocates.
  if (free_slots_.capacity() <= slot_count_) free_slots_.reserve(2 * (std::size_t{slot_count_} + 1));
  return slot_count_++;
}

EventHandle EventQueue::enqueue(std::uint32_t slot, SimTime time) {
  const std::int64_t time_ns = time.ns();
  if (open_bucket_ != kNone && open_time_ns_ == time_ns) {
    // Same time as the latest bucket, and pushed after everything in it: its new last event.
    more_[open_bucket_].push_back(slot);
    ++buckets_[open_bucket_].count;
  } else {
    std::uint32_t bucket = 0;
    if (!free_buckets_.empty()) {
      bucket = free_buckets_.back();
      free_buckets_.pop_back();
    } else {
      bucket = static_cast<std::uint32_t>(buckets_.size());
      buckets_.emplace_back();
      more_.emplace_back();
    }
    buckets_[bucket] = Bucket{slot, 0, 1};  // recycled: its `more_` is empty and keeps its capacity
    heap_.push_back(Key{time_ns, next_sequence_++, bucket});
    std::push_heap(heap_.begin(), heap_.end(), ComesLater{});
    open_bucket_ = bucket;
    open_time_ns_ = time_ns;
  }
  ++live_events_;
  return EventHandle{slot, generations_[slot]};
}

EventQueue::Taken EventQueue::take_front() {
  assert(!empty());
  const SimTime time = SimTime::from_ns(heap_.front().time_ns);
  const std::uint32_t slot = unlink_front();  // live: cancelled events never stay at the front
  ++generations_[slot];
  --live_events_;
  discard_cancelled_front();
  // Pops soon to come will run these callbacks: start fetching them while this one runs.
  // The bucket's array is read in order, so the look-ahead needs no pointer chasing.
  if (!heap_.empty()) {
    const std::uint32_t top = heap_.front().bucket;
    const std::uint32_t ahead = buckets_[top].next + kPrefetchDistance;
    if (ahead < buckets_[top].count) {
      __builtin_prefetch(&callback_at(slot_at(top, ahead)));
      __builtin_prefetch(&generations_[slot_at(top, ahead)]);
    }
  }
  return Taken{slot, time};
}

void EventQueue::release(std::uint32_t slot) noexcept {
  callback_at(slot).reset();
  free_slots_.push_back(slot);
}

EventQueue::Event EventQueue::pop() {
  const Taken taken = take_front();
  Event event{taken.time, std::move(callback_at(taken.slot))};
  free_slots_.push_back(taken.slot);  // moved out: already empty
  return event;
}

bool EventQueue::cancel(EventHandle handle) {
  if (!is_pending(handle)) return false;
  // The slot stays in its bucket, empty, until it reaches the front.
  callback_at(handle.slot).reset();
  ++generations_[handle.slot];
  --live_events_;
  ++cancelled_;
  discard_cancelled_front();
  if (cancelled_ >= kCompactionMinimumEvents && cancelled_ > live_events_) compact();
  return true;
}

bool EventQueue::is_pending(EventHandle handle) const {
  // A free or cancelled slot's generation is never held by a handle: it was bumped then.
  return handle.slot < generations_.size() && generations_[handle.slot] == handle.generation;
}

void EventQueue::reserve(std::size_t pending_events) {
  heap_.reserve(pending_events);
  buckets_.reserve(pending_events);
  more_.reserve(pending_events);
  free_buckets_.reserve(pending_events);
  chunks_.reserve((pending_events >> kChunkBits) + 1);
  generations_.reserve(pending_events);
  free_slots_.reserve(pending_events);
}

std::uint32_t EventQueue::unlink_front() {
  const std::uint32_t top = heap_.front().bucket;
  Bucket& bucket = buckets_[top];
  const std::uint32_t slot = slot_at(top, bucket.next++);
  if (bucket.next == bucket.count) drop_top_bucket();
  return slot;
}

void EventQueue::drop_top_bucket() {
  const std::uint32_t bucket = heap_.front().bucket;
  std::pop_heap(heap_.begin(), heap_.end(), ComesLater{});
  heap_.pop_back();
  if (buckets_[bucket].count > 1) more_[bucket].clear();  // a bucket of one never touched its array
  free_buckets_.push_back(bucket);
  if (open_bucket_ == bucket) open_bucket_ = kNone;
}

void EventQueue::discard_cancelled_front() {
  // Without cancellations no event can be stale: skip the slot lookup.
  while (cancelled_ > 0 && !heap_.empty()) {
    const std::uint32_t top = heap_.front().bucket;
    if (callback_at(slot_at(top, buckets_[top].next))) break;
    free_slots_.push_back(unlink_front());
    --cancelled_;
  }
}

void EventQueue::compact() {
  // Keep each bucket's live slots, in order, from its next event on; drop emptied buckets.
  for (const Key& key : heap_) {
    Bucket& bucket = buckets_[key.bucket];
    std::vector<std::uint32_t> kept;
    for (std::uint32_t position = bucket.next; position < bucket.count; ++position) {
      const std::uint32_t slot = slot_at(key.bucket, position);
      if (callback_at(slot)) {
        kept.push_back(slot);
      } else {
        free_slots_.push_back(slot);
      }
    }
    more_[key.bucket].clear();
    if (kept.empty()) {
      bucket = Bucket{kNone, 0, 0};
      continue;
    }
    bucket = Bucket{kept.front(), 0, static_cast<std::uint32_t>(kept.size())};
    more_[key.bucket].assign(kept.begin() + 1, kept.end());
  }
  std::erase_if(heap_, [this](const Key& key) {
    if (buckets_[key.bucket].first != kNone) return false;
    free_buckets_.push_back(key.bucket);
    if (open_bucket_ == key.bucket) open_bucket_ = kNone;
    return true;
  });
  std::make_heap(heap_.begin(), heap_.end(), ComesLater{});
  cancelled_ = 0;
}

}  // namespace cdsim
