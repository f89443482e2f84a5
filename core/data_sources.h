// The data sources cdsim knows, where each one is read from by default and whether it is
// available on this machine (for `cdsim data list`). Default locations: Fashion-MNIST from
// the Debian package dataset-fashion-mnist, the MNIST digits and CIFAR under the
// repository's data/ folder (prepared by scripts/prepare-data.sh).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace cdsim {

struct DataSourceInfo {
  std::string name;  // the DataSpec::source value
  std::string description;
  std::string path;        // default location read from ("" for synthetic sources)
  bool available = false;  // synthetic sources are always available
  std::size_t train_samples =
      0;  // of the files found (synthetic: DataSpec's default); 0 when unavailable
  std::size_t test_samples = 0;
  std::string note;  // how to get it when unavailable, or what the counts mean
};

std::vector<DataSourceInfo> list_data_sources();

// The directory a source is read from when DataSpec::path is empty ("" when the source
// has no default, e.g. idx). data/ is looked up in the working directory first, then in
// the source tree cdsim was built from.
std::string default_data_path(const std::string& source);

}  // namespace cdsim
