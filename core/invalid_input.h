// The one exception type for bad user input (a scenario value, a data file, a topology
// parameter). It carries the offending field as a JSON pointer relative to whatever the
// thrower knows (e.g. "/edge_probability"), so that callers higher up can prefix the
// section ("/topology") and the file name before showing it to the user.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace cdsim {

class InvalidInput : public std::runtime_error {
 public:
  InvalidInput(std::string field_pointer, const std::string& message)
      : std::runtime_error(message), field_(std::move(field_pointer)) {}

  // JSON pointer of the offending field ("" when the whole input is at fault).
  const std::string& field() const { return field_; }

  // The same error, with `prefix` put in front of the field pointer.
  InvalidInput within(const std::string& prefix) const { return InvalidInput(prefix + field_, what()); }

 private:
  std::string field_;
};

}  // namespace cdsim
