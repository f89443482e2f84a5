#include "core/input_file.h"

#include <filesystem>
#include <system_error>

#include "core/invalid_input.h"

namespace cdsim {

void require_input_file(const std::string& path, const std::string& field, const std::string& what,
                        std::uintmax_t max_bytes) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    throw InvalidInput(field, "'" + path + "' is a directory; expected a " + what);
  }
  if (!std::filesystem::exists(path, error)) throw InvalidInput(field, "no such " + what + " '" + path + "'");
  if (!std::filesystem::is_regular_file(path, error)) {
    throw InvalidInput(field, "'" + path + "' is not a regular file; expected a " + what);
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (!error && size > max_bytes) {
    throw InvalidInput(field, "'" + path + "' has " + std::to_string(size) + " bytes; expected a " + what +
                                  " of at most " + std::to_string(max_bytes >> 20) + " MiB");
  }
}

}  // namespace cdsim
