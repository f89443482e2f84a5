// Epoch-wise reshuffled minibatches from one agent's shard: at the start of every epoch
// the shard is shuffled with the sampler's own seeded Rng, then cut into consecutive
// batches. The last batch of an epoch is SMALLER when the batch size does not divide the
// shard (as Keras' fit does), so every sample is used exactly once per epoch.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "core/rng.h"

namespace cdsim {

class MinibatchSampler {
 public:
  // Throws InvalidInput("/batch_size", ...) for batch_size 0 and InvalidInput("", ...)
  // for an empty shard. A batch size larger than the shard gives one batch per epoch.
  MinibatchSampler(std::vector<std::size_t> shard, std::size_t batch_size, Rng rng);

  // The next batch; valid until the next call. Never empty.
  std::span<const std::size_t> next();
  // Completed epochs: 0 until the last batch of the first epoch has been returned.
  std::size_t epoch() const { return epoch_; }
  // ceil(shard size / batch size)
  std::size_t batches_per_epoch() const { return (order_.size() + batch_size_ - 1) / batch_size_; }
  std::size_t shard_size() const { return order_.size(); }
  std::size_t batch_size() const { return batch_size_; }

 private:
  std::vector<std::size_t> order_;
  std::size_t batch_size_;
  Rng rng_;
  std::size_t position_ = 0;  // start of the next batch in order_
  std::size_t epoch_ = 0;
};

}  // namespace cdsim
