// A pool of float vectors handed out as shared pointers for message payloads: a buffer
// comes back for reuse once only the pool holds it (every message and inbox that shared
// it has dropped it), so a protocol that sends a vector every step allocates only until
// the pool has as many buffers as it has vectors in flight. Engine thread only: the
// reference counts it reads must not change on another thread meanwhile.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace cdsim {

class SharedBuffers {
 public:
  // A buffer of `size` floats that nothing else holds; its contents are unspecified.
  // The search starts after the buffer handed out last: payloads mostly come back in the
  // order they went out, so the next one is usually free and a call costs O(1).
  std::shared_ptr<std::vector<float>> acquire(std::size_t size) {
    for (std::size_t tried = 0; tried < buffers_.size(); ++tried) {
      next_ = next_ + 1 < buffers_.size() ? next_ + 1 : 0;
      std::shared_ptr<std::vector<float>>& buffer = buffers_[next_];
      if (buffer.use_count() == 1) {
        buffer->resize(size);
        return buffer;
      }
    }
    next_ = buffers_.size();
    buffers_.push_back(std::make_shared<std::vector<float>>(size));
    return buffers_.back();
  }
  // A buffer holding a copy of [first, last).
  template <typename Iterator>
  std::shared_ptr<std::vector<float>> copy_of(Iterator first, Iterator last) {
    std::shared_ptr<std::vector<float>> buffer = acquire(0);
    buffer->assign(first, last);  // within the buffer's capacity once it has held as much
    return buffer;
  }
  std::size_t size() const { return buffers_.size(); }

 private:
  std::vector<std::shared_ptr<std::vector<float>>> buffers_;
  std::size_t next_ = 0;  // the buffer handed out last
};

}  // namespace cdsim
