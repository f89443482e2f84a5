// Which optional fields of a scenario section a given kind actually reads: momentum only
// for momentum methods, `communication` only for the centralized baselines, `rows` only for
// grids, and so on. The loader rejects a field the chosen kind would silently ignore, and
// the resolved scenario writes only the fields that apply, so it loads back.
#pragma once

#include <string>
#include <string_view>

namespace cdsim {

// Whether algorithm `kind` reads field `field` of the algorithm section.
bool algorithm_reads(const std::string& kind, std::string_view field);
// Whether topology `kind` reads field `field` of the topology section.
bool topology_reads(const std::string& kind, std::string_view field);
// Whether mixing rule `rule` reads field `field` of the mixing section.
bool mixing_reads(const std::string& rule, std::string_view field);

}  // namespace cdsim
