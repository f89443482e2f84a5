// Training throughput of cdsim's models: samples per second of the full training step
// (minibatch gather, forward, backward, SGD update) at a given batch size, with 1..N
// threads, where each thread trains its own agent (its own model, parameters and sampler),
// the way cdsim runs agents in parallel. Also the machine's Eigen matrix-product rate.
// Output: one tab-separated line per measurement (see --help).
#include <Eigen/Core>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "core/data_loader.h"
#include "core/minibatch_sampler.h"
#include "core/model.h"
#include "core/optimizer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  double seconds = 2.0;
  std::size_t batch = 128;
  std::vector<int> threads = {1, 2};
  std::vector<std::string> models = {"softmax", "mlp", "fcn", "cnn"};
  bool gemm = true;
  bool cpu_clock = false;  // divide by the process's CPU seconds instead of wall seconds
};

// The process's CPU seconds (all threads): on a shared machine, samples per CPU second
// measure the work per core without the minutes other processes take from it.
double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string::npos ? text.size() : comma;
    if (end > start) parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// Random images with random labels: throughput does not depend on the pixel values.
cdsim::Dataset random_images(int channels, int size, std::size_t samples) {
  cdsim::Dataset data;
  data.name = "random";
  const auto d = static_cast<Eigen::Index>(channels * size * size);
  data.features.resize(static_cast<Eigen::Index>(samples), d);
  cdsim::Rng rng(1, 0, cdsim::RngPurpose::kData);
  for (Eigen::Index i = 0; i < data.features.size(); ++i)
    data.features.data()[i] = static_cast<float>(rng.uniform01());
  data.num_classes = 10;
  for (std::size_t i = 0; i < samples; ++i)
    data.labels.push_back(static_cast<std::int32_t>(rng.uniform_index(10)));
  data.sample_shape = {channels, size, size};
  return data;
}

cdsim::ModelSpec spec_for(const std::string& name) {
  cdsim::ModelSpec spec;
  if (name == "softmax") spec.kind = "softmax_regression";
  if (name == "mlp") {
    spec.kind = "mlp";
    spec.hidden = {128};
  }
  if (name == "fcn") spec.kind = "paper_fcn";
  if (name == "cnn" || name == "cnn28") spec.kind = "paper_cnn";
  return spec;
}

// Runs `threads` agents, each training its own copy for `seconds`; returns samples/s.
double training_throughput(const std::string& name, const cdsim::Dataset& data, std::size_t batch,
                           int threads, double seconds, bool cpu_clock, std::string& description) {
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::vector<std::size_t> samples(static_cast<std::size_t>(threads), 0);
  description = cdsim::make_model(spec_for(name), data)->describe();
  auto agent = [&](int id) {
    std::unique_ptr<cdsim::Model> model = cdsim::make_model(spec_for(name), data);
    std::vector<float> parameters(model->parameter_count()), gradient(model->parameter_count());
    cdsim::Rng init(1, 0, cdsim::RngPurpose::kInitialization);
    model->initialize(parameters, init);
    cdsim::OptimizerSpec optimizer_spec;
    cdsim::Optimizer optimizer(optimizer_spec, parameters.size());
    std::vector<std::size_t> shard(data.size());
    for (std::size_t i = 0; i < shard.size(); ++i) shard[i] = i;
    cdsim::MinibatchSampler sampler(
        shard, batch, cdsim::Rng(1, static_cast<std::uint64_t>(id), cdsim::RngPurpose::kMinibatch));
    cdsim::Rng dropout(1, static_cast<std::uint64_t>(id), cdsim::RngPurpose::kDropout);
    auto step = [&] {
      std::span<const std::size_t> next = sampler.next();
      while (next.size() != batch) next = sampler.next();  // keep every step at the full batch
      model->loss_and_gradient(parameters, data, next, gradient, dropout);
      optimizer.step(parameters, gradient);
    };
    for (int warmup = 0; warmup < 2; ++warmup) step();
    ready.fetch_add(1);
    while (ready.load() < threads) std::this_thread::yield();
    std::size_t done = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      step();
      done += batch;
    }
    samples[static_cast<std::size_t>(id)] = done;
  };
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back(agent, t);
  while (ready.load() < threads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const Clock::time_point start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (std::thread& worker : workers) worker.join();
  // Per thread, the last step after `stop` counts in both the samples and the time.
  const double elapsed = cpu_clock ? process_cpu_seconds() - cpu_start
                                   : std::chrono::duration<double>(Clock::now() - start).count();
  std::size_t total = 0;
  for (std::size_t s : samples) total += s;
  return static_cast<double>(total) / elapsed;
}

// Aggregate GFLOP/s of `threads` concurrent m x k by k x n float products.
double gemm_rate(Eigen::Index m, Eigen::Index n, Eigen::Index k, int threads, double seconds) {
  using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  std::atomic<bool> stop{false};
  std::vector<std::size_t> products(static_cast<std::size_t>(threads), 0);
  auto worker = [&](int id) {
    const Matrix a = Matrix::Random(m, k), b = Matrix::Random(k, n);
    Matrix c(m, n);
    std::size_t done = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      c.noalias() = a * b;
      ++done;
    }
    products[static_cast<std::size_t>(id)] = done + (c(0, 0) == 12345.0f ? 1 : 0);
  };
  std::vector<std::thread> workers;
  const Clock::time_point start = Clock::now();
  for (int t = 0; t < threads; ++t) workers.emplace_back(worker, t);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (std::thread& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::size_t total = 0;
  for (std::size_t p : products) total += p;
  return 2.0 * static_cast<double>(m * n * k) * static_cast<double>(total) / elapsed / 1e9;
}

void usage() {
  std::puts(
      "usage: cdsim_bench_learning [--seconds S] [--batch B] [--threads 1,2] [--models "
      "softmax,mlp,fcn,cnn,cnn28]\n"
      "                            [--no-gemm] [--cpu-clock]\n"
      "Prints tab-separated lines:\n"
      "  train <model> <threads> <batch> <samples_per_s> <description>\n"
      "  gemm <m>x<k>x<n> <threads> <gflops>\n"
      "softmax, mlp (784-128-10), fcn (paper, 784 inputs) and cnn28 train on 28x28x1 images; cnn "
      "on 32x32x3.\n"
      "With T threads, T agents train their own copies at once; samples_per_s is their sum,\n"
      "per wall second, or per CPU second of the process with --cpu-clock.");
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage();
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--seconds") {
      options.seconds = std::stod(value());
    } else if (arg == "--batch") {
      options.batch = std::stoul(value());
    } else if (arg == "--threads") {
      options.threads.clear();
      for (const std::string& t : split(value())) options.threads.push_back(std::stoi(t));
    } else if (arg == "--models") {
      options.models = split(value());
    } else if (arg == "--no-gemm") {
      options.gemm = false;
    } else if (arg == "--cpu-clock") {
      options.cpu_clock = true;
    } else {
      usage();
      return arg == "--help" ? 0 : 2;
    }
  }
  const cdsim::Dataset small = random_images(1, 28, 4096);
  const cdsim::Dataset cifar = random_images(3, 32, 1024);
  if (options.gemm) {
    for (int threads : options.threads) {
      std::printf("gemm\t512x512x512\t%d\t%.1f\n", threads,
                  gemm_rate(512, 512, 512, threads, options.seconds / 2));
      std::printf("gemm\t128x784x128\t%d\t%.1f\n", threads,
                  gemm_rate(128, 128, 784, threads, options.seconds / 2));
      std::fflush(stdout);
    }
  }
  for (const std::string& name : options.models) {
    if (name != "softmax" && name != "mlp" && name != "fcn" && name != "cnn" && name != "cnn28") {
      std::fprintf(stderr, "unknown model %s\n", name.c_str());
      return 2;
    }
    const cdsim::Dataset& data = name == "cnn" ? cifar : small;
    for (int threads : options.threads) {
      std::string description;
      const double rate =
          training_throughput(name, data, options.batch, threads, options.seconds,
                              options.cpu_clock, description);
      std::printf("train\t%s\t%d\t%zu\t%.1f\t%s\n", name.c_str(), threads, options.batch, rate,
                  description.c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}
