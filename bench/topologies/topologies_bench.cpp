// Cost of the topology what-if analysis, in wall time per call:
//   ring_spectral_gap/N:    build a ring of N agents, its Metropolis–Hastings matrix and its
//                           spectrum (the circulant closed form); N = 1e6 is the figure the
//                           issue asks for (under a minute on one core);
//   ring_spectrum_only/N:   analyze_spectrum alone on a prebuilt million-agent ring matrix;
//   torus_spectrum/S:       analyze_spectrum on a prebuilt S x S torus (closed form on Z_S x Z_S);
//   lanczos_regular/N:      Lanczos on a random 4-regular graph (no closed form), checked
//                           to have converged;
//   dense/N:                dense eigen-decomposition of a random 4-regular graph's matrix;
//   describe_ring/N:        the whole TopologyReport (degrees, diameter bound, spectrum).
// Run: build/<dir>/bench/cdsim_bench_topologies --benchmark_repetitions=3
//        --benchmark_report_aggregates_only=true   (quote the median row)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <stdexcept>

#include "core/rng.h"
#include "topologies/generators.h"
#include "topologies/mixing_matrix.h"
#include "topologies/spectral.h"
#include "topologies/topology_report.h"

namespace {

cdsim::MixingMatrix metropolis(const cdsim::Graph& graph) {
  cdsim::MixingSpec spec;
  spec.rule = "metropolis_hastings";
  return cdsim::build_mixing_matrix(graph, spec);
}

cdsim::Graph random_regular(std::size_t n) {
  cdsim::Rng rng(1, 0, cdsim::RngPurpose::kTopology);
  return cdsim::random_regular_graph(n, 4, rng);
}

void ring_spectral_gap(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0));
  double gap = 0.0;
  for (auto _ : state) {
    const cdsim::MixingMatrix w = metropolis(cdsim::ring_graph(n));
    gap = cdsim::analyze_spectrum(w).spectral_gap;
    benchmark::ClobberMemory();
  }
  state.counters["spectral_gap"] = gap;
}
BENCHMARK(ring_spectral_gap)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void ring_spectrum_only(benchmark::State& state) {
  const cdsim::MixingMatrix w = metropolis(cdsim::ring_graph(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) benchmark::DoNotOptimize(cdsim::analyze_spectrum(w).spectral_gap);
}
BENCHMARK(ring_spectrum_only)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void torus_spectrum(benchmark::State& state) {
  const std::size_t side = static_cast<std::size_t>(state.range(0));
  const cdsim::MixingMatrix w = metropolis(cdsim::torus_graph(side, side));
  for (auto _ : state) benchmark::DoNotOptimize(cdsim::analyze_spectrum(w).spectral_gap);
}
BENCHMARK(torus_spectrum)->Arg(1000)->Unit(benchmark::kMillisecond);

void lanczos_regular(benchmark::State& state) {
  const cdsim::MixingMatrix w = metropolis(random_regular(static_cast<std::size_t>(state.range(0))));
  cdsim::SpectralOptions options;
  options.method = cdsim::SpectralMethod::kLanczos;
  cdsim::SpectralReport report;
  for (auto _ : state) {
    report = cdsim::analyze_spectrum(w, options);
    benchmark::ClobberMemory();
  }
  if (!report.converged) state.SkipWithError("Lanczos did not converge");
  state.counters["lambda2"] = report.lambda2;
  state.counters["matvecs"] = static_cast<double>(report.iterations);
}
BENCHMARK(lanczos_regular)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

void dense(benchmark::State& state) {
  const cdsim::MixingMatrix w = metropolis(random_regular(static_cast<std::size_t>(state.range(0))));
  cdsim::SpectralOptions options;
  options.method = cdsim::SpectralMethod::kDense;
  for (auto _ : state) benchmark::DoNotOptimize(cdsim::analyze_spectrum(w, options).lambda2);
}
BENCHMARK(dense)->Arg(500)->Arg(1000)->Unit(benchmark::kMillisecond);

void describe_ring(benchmark::State& state) {
  const cdsim::Graph g = cdsim::ring_graph(static_cast<std::size_t>(state.range(0)));
  const cdsim::MixingMatrix w = metropolis(g);
  for (auto _ : state) benchmark::DoNotOptimize(cdsim::describe_topology(g, w).spectrum.spectral_gap);
}
BENCHMARK(describe_ring)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
