// Seeded random-number streams. Every stream is derived from (seed, agent, purpose), so
// adding an agent or a new use of randomness never changes the draws of the others, and
// the draws are the same on every platform (no std:: distributions, whose output is
// implementation-defined).
#pragma once

#include <cstdint>

namespace cdsim {

// What a stream is used for; part of the stream's identity.
enum class RngPurpose : std::uint64_t {
  kData = 1,          // synthetic data generation
  kPartition = 2,     // shuffling and splitting data over agents
  kInitialization = 3,// initial model parameters
  kMinibatch = 4,     // minibatch sampling
  kDropout = 5,       // dropout masks
  kTopology = 6,      // random graph generators
  kSampling = 7,      // client sampling (FedAvg) and other protocol choices
  kHeterogeneity = 8, // per-agent speed draws
  kEvaluation = 9,    // the samples and agents an evaluation looks at
  kCompression = 10,  // random choices of a compressor (random-k coordinates, QSGD rounding)
  kLinks = 11,        // per-link latency draws (sim/protocols/link_assignment)
  kAgentClasses = 12, // which agents belong to which network class
  kLoss = 13,         // random message loss (sim/faulty_network)
  kChurn = 14,        // churn model: which agents churn, their on/off times (sim/protocols/churn)
};

// xoshiro256** seeded through SplitMix64 from (seed, stream, purpose).
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream, RngPurpose purpose);

  std::uint64_t next_u64();
  // Uniform in [0, 1) with 53 random bits.
  double uniform01();
  // Uniform in [lo, hi).
  double uniform(double lo, double hi);
  // Uniform integer in [0, bound), unbiased; bound must be > 0.
  std::uint64_t uniform_index(std::uint64_t bound);
  // Standard normal (Box-Muller; the second value of each pair is cached).
  double normal();

 private:
  std::uint64_t state_[4];
  double cached_normal_ = 0.0;
  bool has_cached_normal_ = false;
};

}  // namespace cdsim
