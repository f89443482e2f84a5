// A move-only callable taking no arguments, stored in place in a fixed 56-byte buffer, so
// that handing one over never allocates: the action of a scheduled event (sim/
// event_callback.h) and a task of the worker pool (core/worker_pool.h). With its
// operations pointer it is exactly one 64-byte cache line (and aligned to one), so that a
// queue of a million pending events touches one line per event. Lambdas whose captures
// exceed the buffer fail to compile with a message saying what to do (capture a pointer,
// an index, or a std::shared_ptr to larger state).
#pragma once

#include <cassert>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace cdsim {

class alignas(64) InPlaceCallback {
 public:
  static constexpr std::size_t kCapacity = 56;  // a network message and a pointer fit
  // Pointers, integers and doubles; over-aligned captures fail to compile.
  static constexpr std::size_t kAlignment = alignof(void*);

  // Empty: bool(*this) is false and calling it is a bug.
  InPlaceCallback() noexcept = default;

  // Stores `function` in place. Implicit, so that a lambda can be passed where an
  // InPlaceCallback is expected.
  template <typename Function>
    requires(!std::is_same_v<std::remove_cvref_t<Function>, InPlaceCallback> &&
             std::is_invocable_r_v<void, std::decay_t<Function>&>)
  InPlaceCallback(Function&& function) {  // NOLINT(google-explicit-constructor)
    using Stored = std::decay_t<Function>;
    static_assert(sizeof(Stored) <= kCapacity,
                  "InPlaceCallback: the callable (a lambda's captures) is larger than the 56-byte in-place "
                  "buffer; capture a pointer, an index or a std::shared_ptr to the larger state instead");
    static_assert(alignof(Stored) <= kAlignment, "InPlaceCallback: the callable is over-aligned");
    static_assert(std::is_nothrow_move_constructible_v<Stored>,
                  "InPlaceCallback: the callable must be nothrow move-constructible");
    ::new (static_cast<void*>(storage_)) Stored(std::forward<Function>(function));
    ops_ = &kOpsFor<Stored>;
  }

  InPlaceCallback(InPlaceCallback&& other) noexcept { take(other); }
  InPlaceCallback& operator=(InPlaceCallback&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  InPlaceCallback(const InPlaceCallback&) = delete;
  InPlaceCallback& operator=(const InPlaceCallback&) = delete;
  ~InPlaceCallback() { reset(); }

  explicit operator bool() const noexcept { return ops_ != nullptr; }

  void operator()() {
    assert(ops_ != nullptr && "calling an empty InPlaceCallback");
    ops_->invoke(storage_);
  }

  // Destroys the stored callable, leaving this empty.
  void reset() noexcept {
    if (ops_ != nullptr) {
      ops_->destroy(storage_);
      ops_ = nullptr;
    }
  }

 private:
  struct Ops {
    void (*invoke)(void* storage);
    void (*relocate)(void* from, void* to) noexcept;  // move-construct into `to`, destroy `from`
    void (*destroy)(void* storage) noexcept;
  };

  template <typename Stored>
  static constexpr Ops kOpsFor{
      [](void* storage) { (*std::launder(static_cast<Stored*>(storage)))(); },
      [](void* from, void* to) noexcept {
        Stored* source = std::launder(static_cast<Stored*>(from));
        ::new (to) Stored(std::move(*source));
        source->~Stored();
      },
      [](void* storage) noexcept { std::launder(static_cast<Stored*>(storage))->~Stored(); },
  };

  void take(InPlaceCallback& other) noexcept {
    if (other.ops_ != nullptr) {
      other.ops_->relocate(other.storage_, storage_);
      ops_ = other.ops_;
      other.ops_ = nullptr;
    }
  }

  alignas(kAlignment) std::byte storage_[kCapacity];
  const Ops* ops_ = nullptr;
};

}  // namespace cdsim
