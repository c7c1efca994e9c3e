#include "models/devices/format/trace_csv.h"

#include <cctype>
#include <optional>

#include "models/common/units.h"

namespace iopf {
namespace {

std::string trim(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> f;
    size_t pos = 0;
    for (;;) {
        size_t comma = line.find(',', pos);
        f.push_back(trim(line.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos)));
        if (comma == std::string::npos) break;
        pos = comma + 1;
    }
    return f;
}

// Hex with or without 0x; digit separators '_' allowed.
std::optional<uint64_t> parse_hex(const std::string& t) {
    std::string s = t;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s = s.substr(2);
    if (s.empty()) return std::nullopt;
    return parse_uint("0x" + s);
}

const char* const kColumns[] = {"time", "stream", "substream", "address", "size", "op"};

}  // namespace

TraceReader::TraceReader(std::istream& in, std::string label) : in_(in), label_(std::move(label)) {}

bool TraceReader::next(TraceAccess& a) {
    std::string line;
    while (std::getline(in_, line)) {
        ++lineno_;
        const std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        auto fail = [&](const std::string& what, const std::string& got) {
            throw ConfigError(label_ + ":" + std::to_string(lineno_) + ": expected " + what + ", got '" + got + "'");
        };
        auto f = split_csv(t);
        if (!seen_data_ && lower(f[0]) == "time") {   // the optional header line
            seen_data_ = true;
            bool ok = f.size() == 6;
            for (size_t i = 0; ok && i < 6; ++i) ok = lower(f[i]) == kColumns[i];
            if (!ok) fail("the header time,stream,substream,address,size,op", t);
            continue;
        }
        seen_data_ = true;
        if (f.size() != 6) fail("6 comma-separated fields time,stream,substream,address,size,op (found " +
                                std::to_string(f.size()) + ")", t);
        a = TraceAccess{};
        auto time = parse_time_ps(f[0]);
        if (f[0].empty() || !time) fail("a time such as 120ns, 1.5us or 120 (= ns) in column 'time'", f[0]);
        if (*time < prev_time_) fail("a time not before the previous line's " + format_time_ps(prev_time_) + " in column 'time'", f[0]);
        a.time_ps = prev_time_ = *time;
        auto sid = parse_uint(f[1]);
        if (!sid || *sid > 0xffffffffull) fail("a StreamID (0..0xffffffff) in column 'stream'", f[1]);
        a.sid = static_cast<uint32_t>(*sid);
        if (!f[2].empty()) {
            auto ssid = parse_uint(f[2]);
            if (!ssid || *ssid > 0xfffff) fail("a SubstreamID (0..0xfffff) or nothing in column 'substream'", f[2]);
            a.ssv = true;
            a.ssid = static_cast<uint32_t>(*ssid);
        }
        auto addr = parse_hex(f[3]);
        if (!addr) fail("a hexadecimal address such as 0x40001000 in column 'address'", f[3]);
        a.address = *addr;
        auto size = parse_size(f[4]);
        if (!size || *size == 0 || *size > 4096) fail("a size of 1..4096 bytes in column 'size'", f[4]);
        a.size = static_cast<uint32_t>(*size);
        if ((a.address & 0xfff) + a.size > 4096)
            fail("an access that does not cross a 4 KiB boundary (address " + hex(a.address) + " + size " +
                 std::to_string(a.size) + ")", t);
        const std::string op = lower(f[5]);
        if (op == "r" || op == "read") a.write = false;
        else if (op == "w" || op == "write") a.write = true;
        else fail("R or W in column 'op'", f[5]);
        ++records_;
        return true;
    }
    return false;
}

std::vector<TraceAccess> parse_access_trace(std::istream& in, const std::string& label) {
    std::vector<TraceAccess> out;
    TraceReader r(in, label);
    TraceAccess a;
    while (r.next(a)) out.push_back(a);
    return out;
}

}  // namespace iopf
