// libFuzzer harness for the data readers, which read files: the input is written to a
// private temporary file and read as an IDX file (DATA_FORMAT_IDX) or a CIFAR batch, whole
// and with a cap on the samples kept. Every input must load or throw InvalidInput.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/cifar_reader.h"
#include "core/idx_reader.h"
#include "core/invalid_input.h"

namespace {

// One file per fuzzing process, rewritten for every input.
const std::string& scratch_path() {
  static const std::string kPath =  // per-process constant, set once
      (std::filesystem::temp_directory_path() / ("cdsim-fuzz-" + std::to_string(::getpid()) + ".bin")).string();
  return kPath;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::ofstream out(scratch_path(), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  for (std::size_t cap : {std::size_t{0}, std::size_t{3}}) {
    try {
#ifdef DATA_FORMAT_IDX
      cdsim::read_idx(scratch_path(), cap);
#else
      const cdsim::CifarKind kind = size % 2 == 0 ? cdsim::CifarKind::kCifar10 : cdsim::CifarKind::kCifar100;
      cdsim::read_cifar_files({scratch_path()}, kind, "fuzz", true, cap);
#endif
    } catch (const cdsim::InvalidInput&) {
    }
  }
  return 0;
}
