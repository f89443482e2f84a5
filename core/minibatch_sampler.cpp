#include "core/minibatch_sampler.h"

#include <algorithm>
#include <utility>

#include "core/invalid_input.h"
#include "core/shuffle.h"

namespace cdsim {

MinibatchSampler::MinibatchSampler(std::vector<std::size_t> shard, std::size_t batch_size, Rng rng)
    : order_(std::move(shard)), batch_size_(batch_size), rng_(rng) {
  if (batch_size_ == 0) throw InvalidInput("/batch_size", "batch_size is 0; expected at least 1");
  if (order_.empty()) throw InvalidInput("", "cannot draw minibatches from an empty shard");
}

std::span<const std::size_t> MinibatchSampler::next() {
  if (position_ == 0) {
    shuffle_indices(order_, rng_);
  }
  const std::size_t start = position_;
  const std::size_t count = std::min(batch_size_, order_.size() - start);
  position_ += count;
  if (position_ == order_.size()) {
    position_ = 0;
    ++epoch_;
  }
  return std::span<const std::size_t>(order_.data() + start, count);
}

}  // namespace cdsim
