// The check every reader of a user-named file makes before it opens it: the path is a
// regular file (a directory, a FIFO or a device such as /dev/zero would be read without
// end or fail obscurely) and no larger than the reader's stated bound.
#pragma once

#include <cstdint>
#include <string>

namespace cdsim {

// Throws InvalidInput(field, ...) naming `path` and `what` ("graph file", ...) when `path`
// is not a regular file or has more than `max_bytes` bytes.
void require_input_file(const std::string& path, const std::string& field, const std::string& what,
                        std::uintmax_t max_bytes);

}  // namespace cdsim
