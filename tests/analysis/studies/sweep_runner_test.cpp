#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/analysis/studies/study_harness.h"

using cdsim::testing::csv_rows;
using cdsim::testing::folder_contents;
using cdsim::testing::read_text;
using cdsim::testing::run_cli;
using cdsim::testing::TempFolder;
using cdsim::testing::write_small_sweep;
using cdsim::testing::write_text;

namespace {

const std::string kGrid = R"("grid": {"topology.kind": ["ring", "complete"]}, "seeds": [1, 2])";

}  // namespace

TEST_CASE("a sweep writes sweep.json, one run directory per run and an index row per run") {
  TempFolder temp("sweep-basic");
  const auto sweep = write_small_sweep(temp.path(), kGrid);
  const auto out = temp.path() / "out";
  const auto outcome = run_cli("sweep " + sweep.string() + " --out " + out.string() + " -j 2");
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  CHECK(std::filesystem::exists(out / "sweep.json"));
  const auto rows = csv_rows(read_text(out / "index.csv"));
  REQUIRE(rows.size() == 5);
  const std::vector<std::string>& header = rows.front();
  REQUIRE(header.size() >= 5);
  CHECK(header[0] == "id");
  CHECK(header[1] == "topology.kind");
  CHECK(header[2] == "seed");
  CHECK(header[3] == "status");
  CHECK(header.back() == "run_dir");
  const std::vector<std::string> ids = {"kind=ring__seed=1", "kind=ring__seed=2", "kind=complete__seed=1",
                                        "kind=complete__seed=2"};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    CHECK(rows[i + 1][0] == ids[i]);
    CHECK(rows[i + 1][1] == (i < 2 ? "ring" : "complete"));
    CHECK(rows[i + 1][2] == std::to_string(1 + i % 2));
    CHECK(rows[i + 1][3] == "complete");
    CHECK(rows[i + 1].back() == "runs/" + ids[i]);
    // The run's own files agree with its index row: 24 steps of its topology and seed.
    const std::string resolved = read_text(out / "runs" / ids[i] / "scenario.resolved.json");
    CHECK(resolved.find(std::string("\"kind\": \"") + (i < 2 ? "ring" : "complete") + "\"") != std::string::npos);
    CHECK(resolved.find("\"seed\": " + std::to_string(1 + i % 2)) != std::string::npos);
    CHECK(rows[i + 1][4] == "24");
  }
  // The complete graph sends 7 messages per agent per step, the ring 2.
  const auto bytes = [&](std::size_t row) {
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (header[c] == "bytes_total") return std::stod(rows[row][c]);
    }
    return 0.0;
  };
  CHECK(bytes(3) == doctest::Approx(bytes(1) * 7.0 / 2.0).epsilon(1e-9));
}

TEST_CASE("a sweep gives byte-identical run directories with -j 1 and -j 2") {
  TempFolder temp("sweep-jobs");
  const auto sweep = write_small_sweep(temp.path(), kGrid);
  const auto one = temp.path() / "one";
  const auto two = temp.path() / "two";
  REQUIRE(run_cli("sweep " + sweep.string() + " --quiet --out " + one.string() + " -j 1").exit_code == 0);
  REQUIRE(run_cli("sweep " + sweep.string() + " --quiet --out " + two.string() + " -j 2").exit_code == 0);
  const auto a = folder_contents(one / "runs");
  const auto b = folder_contents(two / "runs");
  CHECK(a.size() == 4 * 5);  // metrics, agents, summary, resolved scenario, the run marker
  CHECK(a == b);
  CHECK(read_text(one / "index.csv") == read_text(two / "index.csv"));
}

TEST_CASE("a rerun skips complete runs and reruns deleted or half-written ones") {
  TempFolder temp("sweep-resume");
  const auto sweep = write_small_sweep(temp.path(), kGrid);
  const auto out = temp.path() / "out";
  REQUIRE(run_cli("sweep " + sweep.string() + " --quiet --out " + out.string() + " -j 2").exit_code == 0);
  const auto before = folder_contents(out / "runs");
  const auto untouched = out / "runs" / "kind=ring__seed=1" / "timing.json";
  const std::string untouched_timing = read_text(untouched);
  // One run deleted, one with a truncated metrics.csv, one without its summary.
  std::filesystem::remove_all(out / "runs" / "kind=ring__seed=2");
  const auto truncated = out / "runs" / "kind=complete__seed=1" / "metrics.csv";
  const std::string metrics = read_text(truncated);
  write_text(truncated, metrics.substr(0, metrics.size() / 2));
  std::filesystem::remove(out / "runs" / "kind=complete__seed=2" / "summary.json");
  const auto index_before = csv_rows(read_text(out / "index.csv"));

  const auto rerun = run_cli("sweep " + sweep.string() + " --out " + out.string() + " -j 2");
  INFO(rerun.output);
  REQUIRE(rerun.exit_code == 0);
  CHECK(rerun.output.find("1 complete already") != std::string::npos);
  CHECK(folder_contents(out / "runs") == before);
  CHECK(read_text(untouched) == untouched_timing);  // skipped: not rerun
  CHECK(csv_rows(read_text(out / "index.csv")) == index_before);
}

TEST_CASE("a run directory holding a file cdsim did not write is left alone and the run reported failed") {
  TempFolder temp("sweep-foreign");
  const auto sweep = write_small_sweep(temp.path(), R"("grid": {"topology.kind": ["ring"]}, "seeds": [1])");
  const auto out = temp.path() / "out";
  REQUIRE(run_cli("sweep " + sweep.string() + " --quiet --out " + out.string()).exit_code == 0);
  const auto run = out / "runs" / "kind=ring__seed=1";
  std::filesystem::remove(run / "summary.json");
  write_text(run / "notes.txt", "mine");
  const auto rerun = run_cli("sweep " + sweep.string() + " --quiet --out " + out.string());
  CHECK(rerun.exit_code == 1);
  CHECK(read_text(run / "notes.txt") == "mine");
  CHECK(read_text(out / "index.csv").find(",failed,") != std::string::npos);
}

TEST_CASE("a bad sweep file exits 2 naming the file and the field, before anything is written") {
  TempFolder temp("sweep-bad");
  const auto sweep = write_small_sweep(temp.path(), R"("grid": {"network.bandwith": ["1Gbps"]})");
  const auto out = temp.path() / "out";
  const auto outcome = run_cli("sweep " + sweep.string() + " --out " + out.string());
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find(sweep.string() + ": /grid/network.bandwith/0:") != std::string::npos);
  CHECK(outcome.output.find("unknown key") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("a sweep refuses an output folder that is not a sweep folder") {
  TempFolder temp("sweep-foreign-out");
  const auto sweep = write_small_sweep(temp.path(), R"("grid": {"topology.kind": ["ring"]})");
  std::filesystem::create_directories(temp.path() / "mine");
  write_text(temp.path() / "mine" / "keep.txt", "x");
  const auto outcome = run_cli("sweep " + sweep.string() + " --out " + (temp.path() / "mine").string());
  CHECK(outcome.exit_code == 2);
  CHECK(read_text(temp.path() / "mine" / "keep.txt") == "x");
  CHECK_FALSE(std::filesystem::exists(temp.path() / "mine" / "runs"));
}

TEST_CASE("a run that ends with no progress possible is a complete run of the sweep, and says it ended early") {
  // With no timeout, the first lost message leaves its receiver waiting for ever; with one,
  // the run completes.
  TempFolder temp("sweep-no-progress");
  const auto sweep = temp.path() / "sweep.in.json";
  write_text(sweep, "{\"base\": \"" + std::string(CDSIM_SOURCE_DIR) +
                        "/scenarios/examples/faults_link_down.json\", \"set\": {\"run.epochs\": 1}, "
                        "\"grid\": {\"algorithm.timeout\": [\"0s\", \"5ms\"]}}");
  const auto out = temp.path() / "out";
  const auto outcome = run_cli("sweep " + sweep.string() + " --out " + out.string());
  INFO(outcome.output);
  CHECK(outcome.exit_code == 0);
  CHECK(outcome.output.find("ended early timeout=0s__seed=1") != std::string::npos);
  const auto rows = csv_rows(read_text(out / "index.csv"));
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][0] == "timeout=0s__seed=1");
  CHECK(rows[1][3] == "complete");
  CHECK(rows[2][3] == "complete");
  const auto summary = [&](const std::string& id) {
    return nlohmann::json::parse(read_text(out / "runs" / id / "summary.json"));
  };
  CHECK(summary("timeout=0s__seed=1")["end_reason"] == "no_progress");
  CHECK(summary("timeout=5ms__seed=1")["end_reason"] == "completed");
  const auto end_reason = std::find(rows[0].begin(), rows[0].end(), "end_reason") - rows[0].begin();
  REQUIRE(end_reason < static_cast<std::ptrdiff_t>(rows[0].size()));
  CHECK(rows[1][static_cast<std::size_t>(end_reason)] == "no_progress");
  CHECK(rows[2][static_cast<std::size_t>(end_reason)] == "completed");
  // A rerun finds both complete and runs nothing.
  const auto rerun = run_cli("sweep " + sweep.string() + " --out " + out.string());
  CHECK(rerun.exit_code == 0);
  CHECK(rerun.output.find("2 complete already") != std::string::npos);
}
