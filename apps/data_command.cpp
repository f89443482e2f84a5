// `cdsim data list`: the data sources a scenario can name, where they are read from, and
// whether they are there.
#include <iomanip>
#include <iostream>

#include "apps/commands.h"
#include "core/data_sources.h"

namespace cdsim::apps {
namespace {

int list_sources() {
  std::cout << std::left << std::setw(20) << "source" << std::setw(11) << "available" << std::setw(9) << "train"
            << std::setw(8) << "test" << "path / note\n";
  for (const DataSourceInfo& info : list_data_sources()) {
    std::cout << std::left << std::setw(20) << info.name << std::setw(11) << (info.available ? "yes" : "no")
              << std::setw(9) << info.train_samples << std::setw(8) << info.test_samples
              << (info.path.empty() ? "-" : info.path);
    if (!info.note.empty()) std::cout << "  " << info.note;
    std::cout << "\n";
  }
  return kExitSuccess;
}

}  // namespace

void add_data_command(CLI::App& app, CommandResult& result) {
  CLI::App* command = app.add_subcommand("data", "Data sets");
  command->require_subcommand(1);
  CLI::App* list = command->add_subcommand("list", "List the data sources and where they are read from");
  list->callback([&result] { result.exit_code = list_sources(); });
}

}  // namespace cdsim::apps
