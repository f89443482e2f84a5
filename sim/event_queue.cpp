#include "sim/event_queue.h"

#include <algorithm>
#include <cassert>
#include <stdexcept>
#include <utility>

namespace cdsim {
namespace {

// Heap order for std::push_heap/pop_heap (a max-heap on "comes later"): the top key is
// the one with the smallest (time, sequence).
struct ComesLater {
  template <typename Key>
  bool operator()(const Key& a, const Key& b) const {
    if (a.time_ns != b.time_ns) return a.time_ns > b.time_ns;
    return a.sequence > b.sequence;
  }
};

// Compaction is worth its O(n) cost only once stale keys dominate a heap of some size.
constexpr std::size_t kCompactionMinimumKeys = 1024;

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
    generations_.push_back(0);
  }
  slots_[slot] = std::move(callback);
  const std::uint32_t generation = generations_[slot];
  heap_.push_back(Key{time.ns(), next_sequence_++, slot, generation});
  std::push_heap(heap_.begin(), heap_.end(), ComesLater{});
  ++live_events_;
  return EventHandle{slot, generation};
}

EventQueue::Event EventQueue::pop() {
  assert(!empty());
  const Key top = heap_.front();  // live: stale keys never stay at the top
  pop_top_key();
  Event event{SimTime::from_ns(top.time_ns), std::move(slots_[top.slot])};
  release_slot(top.slot);
  discard_stale_top();
  // The next pop will read the new top's callback: start fetching it while this one runs.
  if (!heap_.empty()) __builtin_prefetch(&slots_[heap_.front().slot]);
  return event;
}

bool EventQueue::cancel(EventHandle handle) {
  if (!is_pending(handle)) return false;
  slots_[handle.slot].reset();
  release_slot(handle.slot);
  ++stale_keys_;
  discard_stale_top();
  if (heap_.size() >= kCompactionMinimumKeys && heap_.size() > 2 * live_events_) compact();
  return true;
}

bool EventQueue::is_pending(EventHandle handle) const {
  // A free slot's generation is never held by a handle: it was bumped when the slot was freed.
  return handle.slot < generations_.size() && generations_[handle.slot] == handle.generation;
}

void EventQueue::reserve(std::size_t pending_events) {
  heap_.reserve(pending_events);
  slots_.reserve(pending_events);
  generations_.reserve(pending_events);
  free_slots_.reserve(pending_events);
}

void EventQueue::release_slot(std::uint32_t slot) {
  ++generations_[slot];
  free_slots_.push_back(slot);
  --live_events_;
}

void EventQueue::pop_top_key() {
  std::pop_heap(heap_.begin(), heap_.end(), ComesLater{});
  heap_.pop_back();
}

void EventQueue::discard_stale_top() {
  // Without cancellations no key can be stale: skip the slot lookup.
  while (stale_keys_ > 0 && !heap_.empty() && is_stale(heap_.front())) {
    pop_top_key();
    --stale_keys_;
  }
}

void EventQueue::compact() {
  std::erase_if(heap_, [this](const Key& key) { return is_stale(key); });
  std::make_heap(heap_.begin(), heap_.end(), ComesLater{});
  stale_keys_ = 0;
}

}  // namespace cdsim
