#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "tests/analysis/studies/study_harness.h"

using cdsim::testing::folder_contents;
using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_small_sweep;

#ifdef CDSIM_MPIEXEC

TEST_CASE("a sweep under mpirun -n 2 gives the same run directories and index as with -j 1") {
  TempFolder temp("sweep-mpi");
  const auto sweep = write_small_sweep(temp.path(), R"("grid": {"topology.kind": ["ring", "complete"]}, "seeds": [1, 2])");
  const auto serial = temp.path() / "serial";
  const auto ranks = temp.path() / "ranks";
  REQUIRE(run_cli("sweep " + sweep.string() + " --quiet --out " + serial.string() + " -j 1").exit_code == 0);
  // run_cli prefixes the cdsim binary; mpirun goes in front of it through the shell.
  const std::string command = std::string(CDSIM_MPIEXEC) + " --allow-run-as-root --oversubscribe -n 2 " +
                              CDSIM_BINARY + " sweep " + sweep.string() + " --quiet --out " + ranks.string() + " 2>&1";
  const int status = std::system(command.c_str());
  REQUIRE(status == 0);
  const auto a = folder_contents(serial / "runs");
  CHECK(a.size() == 4 * 5);  // metrics, agents, summary, resolved scenario, the run marker
  CHECK(a == folder_contents(ranks / "runs"));
  CHECK(read_text(serial / "index.csv") == read_text(ranks / "index.csv"));
}

#else

TEST_CASE("without MPI a sweep started as if by an MPI launcher says it cannot spread the runs") {
  TempFolder temp("sweep-no-mpi");
  const auto sweep = write_small_sweep(temp.path(), R"("grid": {"topology.kind": ["ring"]})");
  const auto outcome = run_cli("sweep " + sweep.string() + " --quiet --out " + (temp.path() / "o").string());
  CHECK(outcome.exit_code == 0);  // a plain launch runs as usual
  ::setenv("OMPI_COMM_WORLD_RANK", "0", 1);
  const auto launched = run_cli("sweep " + sweep.string() + " --quiet --out " + (temp.path() / "p").string());
  ::unsetenv("OMPI_COMM_WORLD_RANK");
  CHECK(launched.exit_code == 2);
  CHECK(launched.output.find("without MPI") != std::string::npos);
}

#endif
