// A sweep spread over the ranks of an MPI job (`mpirun -n K cdsim sweep ...`): run i goes
// to rank i mod K and runs in that rank's process; rank 0 prepares the folder and writes
// index.csv once every rank is done. Built only with CDSIM_WITH_MPI; otherwise
// run_sweep_over_ranks says so.
#pragma once

#include <vector>

#include "analysis/studies/sweep_runner.h"

namespace cdsim::studies {

// True when this process was started by an MPI launcher (mpirun/mpiexec, srun): the
// environment names a rank.
bool launched_by_mpi();

// Initializes and finalizes MPI itself; every rank returns every run's status. Throws
// std::runtime_error in a build without MPI or when the folder cannot be prepared.
std::vector<RunStatus> run_sweep_over_ranks(const SweepSpec& spec, const std::vector<SweepRun>& runs,
                                            const SweepOptions& options);

}  // namespace cdsim::studies
