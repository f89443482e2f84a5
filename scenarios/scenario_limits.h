// The stated bounds of a scenario (docs/scenario.md, "Bounds"). Field bounds are checked
// by the loader; they keep every count representable and every allocation sized by a
// field reasonable. The cost bounds (estimated memory, gradient work, messages) are
// checked by check_scenario_cost (scenarios/scenario_cost.h) before anything is allocated,
// and may be waived with --force; the simulated-time bound never can (SimTime is 64-bit).
#pragma once

#include <cstddef>
#include <cstdint>

#include "topologies/graph.h"

namespace cdsim::limits {

inline constexpr std::uint64_t kMaxAgents = kMaxGraphVertices;  // 16,777,216
inline constexpr std::uint64_t kMaxSteps = 1'000'000'000;
inline constexpr double kMaxEpochs = 1e6;
inline constexpr std::uint64_t kMaxBatchSize = 1 << 20;  // 1,048,576
inline constexpr std::uint64_t kMaxConsensusSteps = 10'000;
inline constexpr double kMaxLocalEpochs = 10'000;
inline constexpr std::size_t kMaxHiddenLayers = 1'000;
inline constexpr std::size_t kMaxLayerWidth = 1'000'000;
inline constexpr std::uint64_t kMaxSyntheticSamples = 500'000'000;
inline constexpr std::uint64_t kMaxSampleCap = 4'294'967'295;  // max_train/test_samples (IDX counts are 32-bit)
inline constexpr std::uint64_t kMaxDropEvery = std::uint64_t{1} << 53;
inline constexpr double kMaxStragglerSlowdown = 1e6;
inline constexpr double kMaxSpeedSpread = 10.0;
// model.parameters of a communication-only replay: messages of up to 4 TiB keep every
// byte count and transmission time exact.
inline constexpr std::uint64_t kMaxWireParameters = std::uint64_t{1} << 40;

// Cost bounds (waived by --force).
inline constexpr std::uint64_t kMaxParameters = std::uint64_t{1} << 31;        // per model
inline constexpr double kMaxMemoryBytes = 16.0 * 1024 * 1024 * 1024;           // 16 GiB
inline constexpr double kMaxGradientFlops = 1e17;
inline constexpr double kMaxMessages = 1e11;

// Simulated time: a run's estimated end must stay below 2^62 ns (about 146 years), half
// of SimTime's range, so that no sum of times inside the run can overflow.
inline constexpr double kMaxSimulatedSeconds = 4.611686018427388e9;

}  // namespace cdsim::limits
