// SIGTERM and SIGINT (a batch scheduler, `timeout`, Ctrl-C) stop a run at the next event
// boundary: a real child cdsim receives the signal mid-run, exits 128 + signal, and leaves
// neither a staging folder nor a half-written run directory.
#include <doctest/doctest.h>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/apps/cli_harness.h"

using cdsim::testing::TempFolder;
using cdsim::testing::write_text;

namespace fs = std::filesystem;

extern char** environ;

namespace {

// Long enough that the run is still going when the signal comes (a hundred million steps).
constexpr const char* kLong = R"({"name": "long", "agents": 3, "data": {"train_samples": 60, "test_samples": 20},
                                  "run": {"steps": 100000000, "eval_every_steps": 100000000}})";

// Starts cdsim on a long run, waits until its staging folder exists (the run has begun and
// its handlers are installed), sends `signal` and returns the exit status.
int run_and_signal(const fs::path& folder, int signal) {
  const fs::path scenario = folder / "long.json";
  write_text(scenario, kLong);
  const fs::path out = folder / "out";
  std::string binary = CDSIM_BINARY, run = "run", scenario_arg = scenario.string(), quiet = "--quiet",
              out_flag = "--out", out_arg = out.string();
  char* argv[] = {binary.data(), run.data(), scenario_arg.data(), quiet.data(), out_flag.data(), out_arg.data(), nullptr};
  pid_t child = 0;
  REQUIRE(::posix_spawn(&child, CDSIM_BINARY, nullptr, nullptr, argv, environ) == 0);
  const fs::path staging = folder / (".out.staging-" + std::to_string(child));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(staging) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(fs::exists(staging));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into the event loop
  ::kill(child, signal);
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK_FALSE(fs::exists(staging));
  CHECK_FALSE(fs::exists(out));
  return status;
}

}  // namespace

TEST_CASE("SIGTERM stops a run, removes its staging folder and exits 143") {
  TempFolder temp("sigterm");
  const int status = run_and_signal(temp.path(), SIGTERM);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 143);
}

TEST_CASE("SIGINT stops a run, removes its staging folder and exits 130") {
  TempFolder temp("sigint");
  const int status = run_and_signal(temp.path(), SIGINT);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
}
