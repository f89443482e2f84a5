// Parsing of unit strings at the input boundary ("250us", "1Gbps", "400KB") into the typed
// values of the engine. Errors throw InvalidInput with an empty field pointer and a message
// naming what was found and what was expected; the caller prefixes the field (within()).
// A number followed by a unit, optionally separated by spaces; the number may have a
// fraction and an exponent ("2.5s", "1e-3s"). Units are case-sensitive.
#pragma once

#include <string_view>

#include "sim/byte_count.h"
#include "sim/time.h"

namespace cdsim {

// Durations: ns, us, ms, s, min, h. Must be >= 0 and end in a unit; the result is rounded
// to the nearest nanosecond. Examples: "10ns", "250us", "1ms", "2.5s", "1min".
SimTime parse_duration(std::string_view text);
// A plain number (e.g. a JSON number) meaning seconds; must be finite and >= 0.
SimTime duration_from_seconds(double seconds);

// Bandwidths, > 0, rounded to the nearest bit per second.
//   bit rates (decimal SI):  bps, kbps (or Kbps), Mbps, Gbps, Tbps,
//                            bit/s, kbit/s, Mbit/s, Gbit/s, Tbit/s
//   byte rates (decimal):    B/s, kB/s (or KB/s), MB/s, GB/s, TB/s
//   byte rates (binary):     KiB/s, MiB/s, GiB/s, TiB/s
// A string must carry a unit (a bare number is ambiguous between bits and bytes).
Bandwidth parse_bandwidth(std::string_view text);
// A plain number (e.g. a JSON number) meaning bytes per second; must be finite and > 0.
Bandwidth bandwidth_from_bytes_per_second(double bytes_per_second);

// A graph file's link value: a unit string as above, or a bare number meaning seconds or
// bytes per second (as a scenario's JSON number), since graph tools write numbers plainly.
SimTime parse_duration_or_seconds(std::string_view text);
Bandwidth parse_bandwidth_or_bytes_per_second(std::string_view text);

// Byte counts, >= 0, a whole number of bytes: B, kB (or KB), MB, GB, TB (decimal),
// KiB, MiB, GiB, TiB (binary), or no unit meaning bytes. Examples: "12B", "400KB", "1MiB".
ByteCount parse_byte_count(std::string_view text);
// A plain number (e.g. a JSON number) of bytes; must be a finite whole number >= 0.
ByteCount byte_count_from_number(double bytes);

}  // namespace cdsim
