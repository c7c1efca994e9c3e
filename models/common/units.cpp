#include "models/common/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace iopf {
namespace {

std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

// Splits "12.5ns" into 12.5 and "ns". Returns false when no number leads the text.
bool split_number(const std::string& text, double& number, std::string& unit) {
    std::string t = trim(text);
    if (t.empty() || t[0] == '-') return false;
    char* end = nullptr;
    number = std::strtod(t.c_str(), &end);
    if (end == t.c_str() || !std::isfinite(number) || number < 0) return false;
    unit = trim(std::string(end));
    return true;
}

}  // namespace

std::optional<uint64_t> ps_from_double(double ps) {
    // Times are sc_time values in ps; anything from 2^63 ps (~107 days) up is out of range
    // (and beyond llround's range), as are NaN and negative values.
    if (!(ps >= 0) || !(ps < 9.2e18)) return std::nullopt;
    return static_cast<uint64_t>(std::llround(ps));
}

std::optional<uint64_t> parse_uint(const std::string& text) {
    std::string t = trim(text);
    if (t.empty()) return std::nullopt;
    int base = 10;
    size_t pos = 0;
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) { base = 16; pos = 2; }
    else if (t.size() > 2 && t[0] == '0' && (t[1] == 'b' || t[1] == 'B')) { base = 2; pos = 2; }
    uint64_t v = 0;
    bool digits = false;
    for (; pos < t.size(); ++pos) {
        char c = t[pos];
        if (c == '_' ) continue;  // digit separators: 0x8000_0000
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return std::nullopt;
        if (d >= base) return std::nullopt;
        uint64_t next = v * base + d;
        if (next / base != v) return std::nullopt;  // overflow
        v = next;
        digits = true;
    }
    if (!digits) return std::nullopt;   // "_", "0x_" carry no digit
    return v;
}

std::optional<uint64_t> parse_time_ps(const std::string& text, uint64_t default_unit_ps) {
    double n;
    std::string unit;
    if (!split_number(text, n, unit)) return std::nullopt;
    double scale;
    if (unit.empty()) scale = static_cast<double>(default_unit_ps);
    else if (unit == "ps") scale = 1;
    else if (unit == "ns") scale = 1e3;
    else if (unit == "us") scale = 1e6;
    else if (unit == "ms") scale = 1e9;
    else if (unit == "s") scale = 1e12;
    else return std::nullopt;
    return ps_from_double(n * scale);
}

std::optional<uint64_t> parse_size(const std::string& text) {
    std::string t = trim(text);
    if (t.size() > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) return parse_uint(t);
    double n;
    std::string unit;
    if (!split_number(t, n, unit)) return std::nullopt;
    double scale;
    if (unit.empty() || unit == "B") scale = 1;
    else if (unit == "KiB" || unit == "K" || unit == "k") scale = 1024.0;
    else if (unit == "MiB" || unit == "M") scale = 1024.0 * 1024;
    else if (unit == "GiB" || unit == "G") scale = 1024.0 * 1024 * 1024;
    else if (unit == "TiB" || unit == "T") scale = 1024.0 * 1024 * 1024 * 1024;
    else return std::nullopt;
    // A plain integer with a binary unit is exact in 64-bit integers (doubles lose
    // precision above 2^53); a fractional one goes through double and must stay exact.
    const std::string digits = t.substr(0, t.size() - unit.size());
    if (auto whole = parse_uint(digits); whole && digits.find_first_not_of("0123456789_ \t") == std::string::npos) {
        const uint64_t s = static_cast<uint64_t>(scale);
        if (*whole > UINT64_MAX / s) return std::nullopt;
        return *whole * s;
    }
    double b = n * scale;
    if (b != std::floor(b) || b >= 9007199254740992.0) return std::nullopt;   // 2^53
    return static_cast<uint64_t>(b);
}

std::string format_time_ps(uint64_t ps) {
    char buf[64];
    if (ps % 1000000000ull == 0 && ps) std::snprintf(buf, sizeof buf, "%llums", (unsigned long long)(ps / 1000000000ull));
    else if (ps % 1000000ull == 0 && ps) std::snprintf(buf, sizeof buf, "%lluus", (unsigned long long)(ps / 1000000ull));
    else if (ps % 1000ull == 0) std::snprintf(buf, sizeof buf, "%lluns", (unsigned long long)(ps / 1000ull));
    else std::snprintf(buf, sizeof buf, "%llups", (unsigned long long)ps);
    return buf;
}

std::string format_size(uint64_t b) {
    char buf[64];
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (u < 4 && b >= 1024 && b % 1024 == 0) { b /= 1024; ++u; }
    std::snprintf(buf, sizeof buf, "%llu%s", (unsigned long long)b, units[u]);
    return buf;
}

std::string hex(uint64_t value, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%0*llx", width, (unsigned long long)value);
    return buf;
}

}  // namespace iopf
