// The text format shared by the two sides of bench/simgrid/validate_platforms.py: a
// platform (a star of H hosts, or a two-level tree of H hosts, k per leaf switch) with
// uniform host links, and flows (from, to, bytes, start). Read from a stream; throws
// std::runtime_error naming the line on bad input.
//   star H HOST_BPS HOST_LATENCY_NS
//   tree H K HOST_BPS HOST_LATENCY_NS CORE_BPS CORE_LATENCY_NS
//   flow FROM TO BYTES START_NS          (any number of these)
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <istream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cdsim::bench {

struct PlatformCase {
  struct Flow {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    std::uint64_t bytes = 0;
    std::int64_t start_ns = 0;
  };
  std::string kind;  // "star" or "tree"
  std::uint32_t hosts = 0;
  std::uint32_t hosts_per_switch = 0;  // tree
  std::int64_t host_bps = 0;
  std::int64_t host_latency_ns = 0;
  std::int64_t core_bps = 0;        // tree
  std::int64_t core_latency_ns = 0;  // tree
  std::vector<Flow> flows;

  // Leaf switch of host h (tree).
  std::uint32_t leaf_of(std::uint32_t h) const { return h / hosts_per_switch; }
  std::uint32_t leaves() const { return (hosts + hosts_per_switch - 1) / hosts_per_switch; }
};

inline PlatformCase read_platform_case(std::istream& in) {
  PlatformCase c;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream fields(line);
    std::string word;
    if (!(fields >> word)) continue;
    bool ok = true;
    if (word == "star") {
      c.kind = word;
      ok = static_cast<bool>(fields >> c.hosts >> c.host_bps >> c.host_latency_ns);
    } else if (word == "tree") {
      c.kind = word;
      ok = static_cast<bool>(fields >> c.hosts >> c.hosts_per_switch >> c.host_bps >> c.host_latency_ns >> c.core_bps >>
                             c.core_latency_ns) &&
           c.hosts_per_switch > 0;
    } else if (word == "flow") {
      PlatformCase::Flow f;
      ok = static_cast<bool>(fields >> f.from >> f.to >> f.bytes >> f.start_ns) && f.from < c.hosts && f.to < c.hosts &&
           f.from != f.to;
      c.flows.push_back(f);
    } else {
      ok = false;
    }
    if (!ok) throw std::runtime_error("line " + std::to_string(number) + ": cannot read \"" + line + "\"");
  }
  if (c.kind.empty() || c.hosts < 2) throw std::runtime_error("no platform line (star or tree) with >= 2 hosts");
  return c;
}

// For the programs' main(): reads the case file named by the one argument into `c`;
// prints usage or the error and returns false on failure.
inline bool read_platform_case_argument(int argc, char** argv, PlatformCase& c) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CASE_FILE\n", argv[0]);
    return false;
  }
  std::ifstream in(argv[1]);
  try {
    c = read_platform_case(in);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", argv[1], error.what());
    return false;
  }
  return true;
}

}  // namespace cdsim::bench
