#include "analysis/provenance.h"

#include "analysis/sha256.h"

namespace cdsim {

std::string version_line(const BuildInfo& info) {
  std::string line = "cdsim " + info.version + " (commit " + info.git_commit.substr(0, 12);
  if (info.git_dirty) line += ", dirty";
  return line + ", " + (info.build_type.empty() ? std::string("no build type") : info.build_type) + ")";
}

std::vector<InputFingerprint> fingerprint_inputs(const Scenario& scenario, const std::vector<std::string>& data_files) {
  std::vector<InputFingerprint> inputs;
  const std::string& kind = scenario.topology.kind;
  if ((kind == "edge_list" || kind == "dot" || kind == "graphml") && !scenario.topology.file.empty()) {
    inputs.push_back({"topology", scenario.topology.file, sha256_file_hex(scenario.topology.file)});
  }
  if (scenario.mixing.rule == "explicit" && !scenario.mixing.file.empty()) {
    inputs.push_back({"mixing", scenario.mixing.file, sha256_file_hex(scenario.mixing.file)});
  }
  const NetworkSpec& network = scenario.network;
  if (network.model == "platform" && network.platform.kind == "file") {
    inputs.push_back({"platform", network.platform.file, sha256_file_hex(network.platform.file)});
  }
  for (const std::string& file : data_files) inputs.push_back({"data", file, sha256_file_hex(file)});
  return inputs;
}

}  // namespace cdsim
