// Units and parsing for parameters: times ("250ns", "2us", plain number = ns),
// sizes ("4KiB", "2MiB", plain number = bytes), integers ("0x1000"), clocks.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace iopf {

// Parse a time into picoseconds. Accepts "<number><unit>" with unit ps|ns|us|ms|s, or a
// bare number meaning `default_unit_ps` units. nullopt when malformed or negative.
std::optional<uint64_t> parse_time_ps(const std::string& text, uint64_t default_unit_ps = 1000);

// Round a time in picoseconds to an integer; nullopt for NaN, negative or >= 2^63 ps.
std::optional<uint64_t> ps_from_double(double ps);

// Parse a size in bytes: "<number>[B|KiB|MiB|GiB|TiB|K|M|G]", "0x..." or plain decimal.
std::optional<uint64_t> parse_size(const std::string& text);

// Parse an unsigned integer: decimal, 0x-hex, or 0b-binary. nullopt when malformed.
std::optional<uint64_t> parse_uint(const std::string& text);

// Human-readable forms used in --describe and logs.
std::string format_time_ps(uint64_t ps);
std::string format_size(uint64_t bytes);
std::string hex(uint64_t value, int width = 0);

// Convert a clock in MHz and a cycle count into picoseconds (rounded to the nearest ps).
constexpr uint64_t cycles_to_ps(uint64_t cycles, double clock_mhz) {
    return static_cast<uint64_t>(static_cast<double>(cycles) * 1e6 / clock_mhz + 0.5);
}

}  // namespace iopf
