#include "analysis/sha256.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

TEST_CASE("SHA-256 matches the FIPS 180-4 and NIST example digests") {
  CHECK(cdsim::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(cdsim::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(cdsim::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(cdsim::sha256_hex(std::string(1'000'000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("a file's SHA-256 is that of its bytes, across read-buffer boundaries") {
  const auto path = std::filesystem::temp_directory_path() / ("cdsim-sha-" + std::to_string(::getpid()));
  const std::string bytes(200'000, 'a');  // three 64 KiB buffers and a bit
  std::ofstream(path, std::ios::binary) << bytes;
  CHECK(cdsim::sha256_file_hex(path) == cdsim::sha256_hex(bytes));
  std::filesystem::remove(path);
  CHECK_THROWS_AS(cdsim::sha256_file_hex(path), std::runtime_error);
}
