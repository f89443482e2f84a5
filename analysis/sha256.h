// SHA-256 (FIPS 180-4) of bytes and of files, as lowercase hex: the input fingerprints a
// run records in summary.json. Written here because no library in the project's Debian
// dependency list offers SHA-256 (Boost 1.74 has SHA-1 and MD5 only).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace cdsim {

std::string sha256_hex(std::string_view bytes);
// Streams the file; throws std::runtime_error naming it when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace cdsim
