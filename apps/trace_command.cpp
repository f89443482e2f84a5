// `cdsim trace RUN_DIR`: what a run's events trace (events.pb, links.csv) shows. --links
// prints per-link bytes, busy fraction and peak concurrent transmissions; --chrome FILE
// writes a Chrome trace-event timeline (chrome://tracing, Perfetto). Without either, a
// count of the trace's events by kind.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "analysis/trace_analysis.h"
#include "analysis/trace_reader.h"
#include "apps/commands.h"

namespace cdsim::apps {
namespace {

struct TraceArguments {
  std::string run_directory;
  std::string chrome_file;
  bool links = false;
  std::size_t top = 0;  // 0: every link
};

void print_links(const std::vector<TraceRecord>& trace, const std::vector<LinkName>& names, std::size_t top) {
  std::vector<LinkUsage> usage = link_usage(trace, names.size(), trace_horizon_ns(trace));
  usage = busiest_links(std::move(usage), top == 0 ? usage.size() : top);
  std::cout << std::left << std::setw(6) << "link" << std::setw(8) << "from" << std::setw(8) << "to" << std::right
            << std::setw(10) << "messages" << std::setw(14) << "bytes" << std::setw(8) << "busy" << std::setw(6)
            << "peak" << "\n";
  for (const LinkUsage& u : usage) {
    const LinkName name = u.link < names.size() ? names[u.link] : LinkName{};
    char busy[16];
    std::snprintf(busy, sizeof busy, "%.1f%%", 100.0 * u.busy_fraction);
    std::cout << std::left << std::setw(6) << u.link << std::setw(8) << name.from << std::setw(8) << name.to
              << std::right << std::setw(10) << u.messages << std::setw(14) << u.bytes << std::setw(8) << busy
              << std::setw(6) << u.peak_concurrent << "\n";
  }
}

int trace(const TraceArguments& arguments) {
  const std::filesystem::path run = arguments.run_directory;
  const std::filesystem::path events = run / "events.pb";
  if (!std::filesystem::is_regular_file(events)) {
    std::cerr << "error: " << events.string() << ": no events trace (run the scenario with run.trace true)\n";
    return kExitBadInput;
  }
  try {
    const std::vector<TraceRecord> records = read_trace(events);
    const std::filesystem::path links_path = run / "links.csv";
    const std::vector<LinkName> names =
        std::filesystem::is_regular_file(links_path) ? read_link_names(links_path) : std::vector<LinkName>{};
    if (!arguments.chrome_file.empty()) {
      const std::filesystem::path staged = arguments.chrome_file + ".partial";
      {
        std::ofstream out(staged, std::ios::binary | std::ios::trunc);
        out << chrome_trace_json(records, names);
        if (!out) throw std::runtime_error(arguments.chrome_file + ": cannot write the timeline");
      }
      std::filesystem::rename(staged, arguments.chrome_file);
      std::cout << "timeline   " << arguments.chrome_file << " (open in chrome://tracing or ui.perfetto.dev)\n";
    }
    if (arguments.links) print_links(records, names, arguments.top);
    if (arguments.chrome_file.empty() && !arguments.links) {
      std::map<std::string, std::uint64_t> counts;
      for (const TraceRecord& record : records) ++counts[trace_event_type_name(record.type)];
      std::cout << records.size() << " events over " << static_cast<double>(trace_horizon_ns(records)) * 1e-9
                << " simulated seconds\n";
      for (const auto& [kind, count] : counts) std::cout << "  " << kind << " " << count << "\n";
    }
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return kExitBadInput;
  }
  return kExitSuccess;
}

}  // namespace

void add_trace_command(CLI::App& app, CommandResult& result) {
  auto arguments = std::make_shared<TraceArguments>();
  CLI::App* command = app.add_subcommand("trace", "Inspect a run's events trace: per-link use, a Chrome timeline");
  command->add_option("run", arguments->run_directory, "Run directory written with run.trace true")->required();
  command->add_option("--chrome", arguments->chrome_file,
                      "Write a Chrome trace-event JSON timeline (agents: compute, wait, send; links: busy)");
  command->add_flag("--links", arguments->links, "Print bytes, busy fraction and peak concurrent flows per link");
  command->add_option("--top", arguments->top, "With --links: only the N busiest links");
  command->callback([arguments, &result] { result.exit_code = trace(*arguments); });
}

}  // namespace cdsim::apps
