// `cdsim summarize DIR...`: groups the runs of sweep folders or run directories by
// configuration and prints mean ± std and 95% confidence intervals over the seeds, and the
// time to a target (analysis/studies/summary.h).
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/studies/summary.h"
#include "apps/commands.h"

namespace cdsim::apps {
namespace {

struct SummarizeArguments {
  std::vector<std::string> paths;
  std::string target;
  std::string by;
  std::string metrics;
  std::string format = "table";
};

int summarize_runs(const SummarizeArguments& arguments) {
  std::optional<studies::Target> target;
  std::vector<studies::RunRecord> runs;
  std::vector<studies::GroupSummary> groups;
  try {
    if (!arguments.target.empty()) target = studies::parse_target(arguments.target);
    std::vector<std::filesystem::path> paths(arguments.paths.begin(), arguments.paths.end());
    runs = studies::load_runs(paths);
    if (runs.empty()) {
      std::cerr << "error: no complete runs under " << arguments.paths.front() << "\n";
      return kExitBadInput;
    }
    groups = studies::summarize(runs, studies::split_list(arguments.by), target);
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kExitBadInput;
  }
  const std::vector<std::string> metrics =
      arguments.metrics.empty() ? studies::default_summary_metrics(groups) : studies::split_list(arguments.metrics);
  for (const std::string& metric : metrics) {
    const auto& finals = groups.front().finals;
    if (std::none_of(finals.begin(), finals.end(), [&](const auto& f) { return f.first == metric; })) {
      std::string known;
      for (const auto& f : finals) known += (known.empty() ? "" : ", ") + f.first;
      std::cerr << "error: --metrics " << metric << ": not a metrics.csv column of these runs (they have: " << known
                << ")\n";
      return kExitBadInput;
    }
  }
  const studies::SummaryFormat format = arguments.format == "csv"        ? studies::SummaryFormat::kCsv
                                        : arguments.format == "json"     ? studies::SummaryFormat::kJson
                                        : arguments.format == "markdown" ? studies::SummaryFormat::kMarkdown
                                                                         : studies::SummaryFormat::kTable;
  std::cout << studies::format_summary(groups, format, metrics, target);
  return kExitSuccess;
}

}  // namespace

void add_summarize_command(CLI::App& app, CommandResult& result) {
  auto arguments = std::make_shared<SummarizeArguments>();
  CLI::App* command = app.add_subcommand(
      "summarize", "Group runs by configuration: final metrics as mean ± std [95% CI] over seeds, time to a target");
  command->add_option("dirs", arguments->paths, "Sweep folders or run directories")->required();
  command->add_option("--target", arguments->target,
                      "METRIC=VALUE (accuracies: at least, others: at most; or METRIC>=VALUE, METRIC<=VALUE): "
                      "epochs, steps, sim seconds and bytes until first reached");
  command->add_option("--by", arguments->by, "Group by these fields only (comma-separated dotted paths)");
  command->add_option("--metrics", arguments->metrics,
                      "Final metrics to show in table and markdown (comma-separated metrics.csv columns)");
  command->add_option("--format", arguments->format, "table, csv, json or markdown")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "csv", "json", "markdown"}));
  command->callback([arguments, &result] { result.exit_code = summarize_runs(*arguments); });
}

}  // namespace cdsim::apps
