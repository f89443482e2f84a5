#include "analysis/studies/mpi_sweep.h"

#include <cstdlib>
#include <stdexcept>

#ifdef CDSIM_WITH_MPI
#include <mpi.h>

#include <algorithm>
#include <ostream>
#include <thread>

#endif

namespace cdsim::studies {

bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"}) {
    // SLURM_PROCID alone also marks a plain `srun cdsim sweep`, which is an MPI launch too
    // when the job has more than one task.
    if (std::getenv(name) != nullptr) {
      if (std::string(name) == "SLURM_PROCID") {
        const char* tasks = std::getenv("SLURM_NTASKS");
        return tasks != nullptr && std::atoi(tasks) > 1;
      }
      return true;
    }
  }
  return false;
}

#ifndef CDSIM_WITH_MPI

std::vector<RunStatus> run_sweep_over_ranks(const SweepSpec&, const std::vector<SweepRun>&, const SweepOptions&) {
  throw std::runtime_error(
      "started by an MPI launcher, but this cdsim was built without MPI (configure with CDSIM_WITH_MPI=ON "
      "and libopenmpi-dev installed)");
}

#else

namespace {

// Every rank calls it; true when every rank passes true.
bool all_ranks(bool ok) {
  int mine = ok ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return all == 1;
}

// Processes of this job on this machine, to share the cores between them.
int ranks_on_this_node() {
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int size = 1;
  MPI_Comm_size(node, &size);
  MPI_Comm_free(&node);
  return size;
}

// MPI_Init on construction, MPI_Finalize on destruction (also when a run throws).
class MpiSession {
 public:
  MpiSession() { MPI_Init(nullptr, nullptr); }
  ~MpiSession() { MPI_Finalize(); }
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

}  // namespace

std::vector<RunStatus> run_sweep_over_ranks(const SweepSpec& spec, const std::vector<SweepRun>& runs,
                                            const SweepOptions& options) {
  const MpiSession session;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  std::filesystem::path folder;
  std::string problem;
  if (rank == 0) {
    try {
      folder = prepare_sweep_folder(spec, options);
    } catch (const std::exception& error) {
      problem = error.what();
    }
  }
  if (!all_ranks(problem.empty())) {
    throw std::runtime_error(rank == 0 ? problem : "rank 0 could not prepare the sweep folder");
  }
  if (rank != 0) {
    folder = sweep_folder(spec, options);
  }
  const std::size_t threads =
      std::max<std::size_t>(1, std::thread::hardware_concurrency() / static_cast<unsigned>(std::max(1, ranks_on_this_node())));
  // 0: not this rank's run, 1: complete, 2: failed (reduced with MAX over the ranks).
  std::vector<int> codes(runs.size(), 0);
  std::size_t mine = 0, done = 0, failed = 0;
  for (std::size_t i = static_cast<std::size_t>(rank); i < runs.size(); i += static_cast<std::size_t>(size)) ++mine;
  for (std::size_t i = static_cast<std::size_t>(rank); i < runs.size(); i += static_cast<std::size_t>(size)) {
    const SweepRun& run = runs[i];
    const bool ok = run_in_process(spec, run, folder, threads) == RunStatus::kComplete;
    codes[i] = ok ? 1 : 2;
    (ok ? done : failed) += 1;
    if (options.progress != nullptr) {
      *options.progress << "sweep: rank " << rank << "/" << size << ": " << done << "/" << mine << " done, " << failed
                        << " failed" << (ok ? "" : " (" + run.id + ")") << "\n"
                        << std::flush;
    }
  }
  std::vector<int> all(runs.size(), 0);
  MPI_Allreduce(codes.data(), all.data(), static_cast<int>(codes.size()), MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  std::vector<RunStatus> statuses(runs.size(), RunStatus::kMissing);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    statuses[i] = all[i] == 1 ? RunStatus::kComplete : all[i] == 2 ? RunStatus::kFailed : RunStatus::kMissing;
  }
  if (rank == 0) write_index(spec, runs, statuses, folder);
  MPI_Barrier(MPI_COMM_WORLD);
  return statuses;
}

#endif

}  // namespace cdsim::studies
