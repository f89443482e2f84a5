// The run directory as a user's files see it: an unusable --out is refused first, with
// exit 2 and its path; nothing cdsim did not write is ever deleted; an earlier run is
// replaced atomically; folders left by killed runs are cleaned up or put back.
#include <doctest/doctest.h>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "tests/apps/cli_harness.h"

using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_text;

namespace fs = std::filesystem;

namespace {

constexpr const char* kTiny = R"({"name": "tiny", "agents": 3, "data": {"train_samples": 60, "test_samples": 20},
                                  "run": {"steps": 3}})";

// A pid no process has: a child that has exited and been reaped.
pid_t dead_pid() {
  pid_t child = 0;
  char arg0[] = "true";
  char* argv[] = {arg0, nullptr};
  REQUIRE(::posix_spawnp(&child, "true", nullptr, nullptr, argv, nullptr) == 0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

std::string run_in(const fs::path& scenario, const std::string& out) {
  return "run " + scenario.string() + " --quiet --out " + out;
}

}  // namespace

TEST_CASE("--out . from inside an earlier run directory is refused and deletes nothing") {
  TempFolder temp("out-dot");
  const fs::path scenario = temp.path() / "tiny.json";
  write_text(scenario, kTiny);
  const fs::path run = temp.path() / "run";
  REQUIRE(run_cli(run_in(scenario, run.string())).exit_code == 0);
  write_text(run / "my-notes.txt", "mine");
  const std::string command = "cd " + run.string() + " && " + CDSIM_BINARY + " " + run_in(scenario, ".") + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[512];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, got);
  const int status = ::pclose(pipe);
  INFO(output);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(output.find("current folder") != std::string::npos);
  CHECK(read_text(run / "my-notes.txt") == "mine");
  CHECK(fs::exists(run / "metrics.csv"));
}

TEST_CASE("an earlier run holding a user's file is not replaced, and the file survives") {
  TempFolder temp("out-foreign");
  const fs::path scenario = temp.path() / "tiny.json";
  write_text(scenario, kTiny);
  const fs::path run = temp.path() / "run";
  REQUIRE(run_cli(run_in(scenario, run.string())).exit_code == 0);
  write_text(run / "analysis.ipynb", "{}");
  const auto outcome = run_cli(run_in(scenario, run.string()));
  INFO(outcome.output);
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find(run.string()) != std::string::npos);
  CHECK(outcome.output.find("analysis.ipynb") != std::string::npos);
  CHECK(read_text(run / "analysis.ipynb") == "{}");
}

TEST_CASE("an --out that is a file, not a run, or unwritable exits 2 with its path before any data is read") {
  TempFolder temp("out-bad");
  // The data path does not exist: an error about it would mean the data was looked at first.
  const fs::path scenario = temp.path() / "idx.json";
  write_text(scenario, R"({"data": {"source": "idx", "path": "/nonexistent/cdsim-data"}, "model": {"kind": "mlp", "hidden": [4]}})");
  const fs::path file = temp.path() / "a-file";
  write_text(file, "x");
  const fs::path folder = temp.path() / "folder";
  fs::create_directories(folder);
  write_text(folder / "thesis.tex", "x");
  for (const std::string& out : {file.string(), folder.string(), std::string("/proc/cdsim-no-such/run")}) {
    const auto outcome = run_cli(run_in(scenario, out));
    CAPTURE(out);
    INFO(outcome.output);
    CHECK(outcome.exit_code == 2);
    CHECK(outcome.output.find("/nonexistent/cdsim-data") == std::string::npos);
    CHECK(outcome.output.find(out.substr(0, out.find("/run"))) != std::string::npos);
  }
  CHECK(read_text(file) == "x");
  CHECK(read_text(folder / "thesis.tex") == "x");
}

TEST_CASE("replacing an earlier run leaves only the new run's files and no side folders") {
  TempFolder temp("out-replace");
  const fs::path scenario = temp.path() / "tiny.json";
  write_text(scenario, kTiny);
  const fs::path run = temp.path() / "run";
  REQUIRE(run_cli(run_in(scenario, run.string())).exit_code == 0);
  write_text(run / "plot.png", "old figure");  // cdsim plot's default output, also cdsim's
  write_text(scenario, std::string(kTiny).replace(std::string(kTiny).find("\"steps\": 3"), 10, "\"steps\": 4"));
  REQUIRE(run_cli(run_in(scenario, run.string())).exit_code == 0);
  CHECK(read_text(run / "scenario.resolved.json").find("\"steps\": 4") != std::string::npos);
  CHECK_FALSE(fs::exists(run / "plot.png"));
  std::size_t entries = 0;
  for (const auto& entry : fs::directory_iterator(temp.path())) {
    (void)entry;
    ++entries;
  }
  CHECK(entries == 2);  // tiny.json and run
}

TEST_CASE("staging folders of dead processes are removed, those of live ones kept, and a set-aside run put back") {
  TempFolder temp("out-stale");
  const fs::path scenario = temp.path() / "tiny.json";
  write_text(scenario, kTiny);
  const fs::path runs = temp.path() / "runs";
  REQUIRE(run_cli(run_in(scenario, (runs / "old").string())).exit_code == 0);
  const std::string dead = std::to_string(dead_pid());
  const fs::path stale = runs / (".x.staging-" + dead);
  const fs::path live = runs / (".y.staging-" + std::to_string(::getpid()));
  fs::create_directories(stale);
  write_text(stale / "metrics.csv", "partial");
  fs::create_directories(live);
  // A run killed between moving "old" aside and moving its replacement in.
  const fs::path aside = runs / (".old.replaced-" + dead);
  fs::rename(runs / "old", aside);
  REQUIRE(run_cli(run_in(scenario, (runs / "new").string())).exit_code == 0);
  CHECK_FALSE(fs::exists(stale));
  CHECK(fs::exists(live));
  CHECK_FALSE(fs::exists(aside));
  CHECK(fs::exists(runs / "old" / "metrics.csv"));
  CHECK(fs::exists(runs / "new" / "metrics.csv"));
}
