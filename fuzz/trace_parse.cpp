// The DMA trace CSV parser (models/devices/format/trace_csv.h) on arbitrary text.
//
// Properties:
//  * it throws only ConfigError, whose message is one line "fuzz.csv:<N>: expected ...,
//    got '...'" naming an existing line N; that line is the first malformed one: the text
//    up to line N-1 parses, the text up to line N fails with the same message;
//  * what it accepts follows docs/models/trace-player.md: size 1..4096 without crossing a
//    4 KiB boundary, times non-decreasing, SubstreamID <= 2^20-1 (and 0 without SSV);
//    TraceReader::records() counts the accesses, at most one per line;
//  * accepted traces round-trip: written back in another accepted spelling (times in ps,
//    ns or format_time_ps, decimal or hex ids, addresses with or without 0x and '_',
//    sizes in bytes, hex or KiB, any op spelling, spaces, CRLF, a header) they parse to
//    the same accesses.
#include <cinttypes>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "models/common/units.h"
#include "models/devices/format/trace_csv.h"

using namespace iopf;

namespace {

const char* const kLabel = "fuzz.csv";

// Parses with TraceReader; false and the message on a ConfigError.
bool parse(const std::string& text, std::vector<TraceAccess>& out, std::string& err) {
    std::istringstream in(text);
    TraceReader r(in, kLabel);
    out.clear();
    try {
        TraceAccess a;
        while (r.next(a)) out.push_back(a);
    } catch (const ConfigError& e) {
        err = e.what();
        return false;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "unexpected exception: %s\n", e.what());
        FUZZ_CHECK(false);
    }
    FUZZ_CHECK(r.records() == out.size());
    return true;
}

bool same(const TraceAccess& a, const TraceAccess& b) {
    return a.time_ps == b.time_ps && a.address == b.address && a.sid == b.sid && a.ssid == b.ssid &&
           a.size == b.size && a.ssv == b.ssv && a.write == b.write;
}

std::string fmt(const char* f, uint64_t v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// One access in the spelling `style` selects (bits of a hash of the input).
std::string write_line(const TraceAccess& a, uint64_t style) {
    std::string t;
    switch (style % 3) {
        case 0: t = fmt("%" PRIu64 "ps", a.time_ps); break;
        case 1: t = a.time_ps % 1000 == 0 ? fmt("%" PRIu64, a.time_ps / 1000) : fmt("%" PRIu64 " ps", a.time_ps); break;
        default: t = format_time_ps(a.time_ps); break;
    }
    style /= 3;
    const std::string sid = style & 1 ? fmt("0x%" PRIx64, a.sid) : fmt("%" PRIu64, a.sid);
    const std::string ssid = !a.ssv ? "" : style & 2 ? fmt("0X%" PRIX64, a.ssid) : fmt("%" PRIu64, a.ssid);
    std::string addr;
    switch ((style >> 2) % 3) {
        case 0: addr = fmt("0x%" PRIx64, a.address); break;
        case 1: addr = fmt("%" PRIX64, a.address); break;
        default: {   // 0x with '_' every 4 digits
            const std::string h = fmt("%" PRIx64, a.address);
            std::string g;
            for (size_t i = 0; i < h.size(); ++i) {
                if (i && (h.size() - i) % 4 == 0) g += '_';
                g += h[i];
            }
            addr = "0x" + g;
        }
    }
    style >>= 4;
    std::string sz;
    switch (style % 3) {
        case 0: sz = fmt("%" PRIu64, a.size); break;
        case 1: sz = fmt("0x%" PRIx64, a.size); break;
        default: sz = a.size % 1024 == 0 ? fmt("%" PRIu64 "KiB", a.size / 1024) : format_size(a.size); break;
    }
    style /= 3;
    static const char* const rd[] = {"R", "r", "read", "READ"};
    static const char* const wr[] = {"W", "w", "write", "Write"};
    const std::string op = (a.write ? wr : rd)[style & 3];
    const std::string sep = style & 4 ? " , " : ",";
    return (style & 8 ? " " : "") + t + sep + sid + sep + ssid + sep + addr + sep + sz + sep + op +
           (style & 16 ? "\r\n" : "\n");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<TraceAccess> v;
    std::string err;
    size_t lines = 0;   // as std::getline counts them
    for (size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n' || i + 1 == text.size()) ++lines;

    if (!parse(text, v, err)) {
        // "fuzz.csv:<N>: expected ..., got '...'", one line, N an existing line.
        const std::string head = std::string(kLabel) + ":";
        FUZZ_CHECK(err.rfind(head, 0) == 0);
        size_t n = 0, p = head.size();
        while (p < err.size() && err[p] >= '0' && err[p] <= '9') n = n * 10 + size_t(err[p++] - '0');
        FUZZ_CHECK(p > head.size() && err.compare(p, 11, ": expected ") == 0);
        // (what() is a C string: a NUL in the quoted field ends the message early)
        FUZZ_CHECK(err.find(", got '") != std::string::npos);
        if (text.find('\0') == std::string::npos) FUZZ_CHECK(err.back() == '\'');
        FUZZ_CHECK(err.find('\n') == std::string::npos);
        FUZZ_CHECK(n >= 1 && n <= lines);
        // The first N-1 lines are fine; line N is the one.
        size_t end_prev = 0;   // just after the (N-1)-th '\n'
        for (size_t k = 1; k < n; ++k) end_prev = text.find('\n', end_prev) + 1;
        std::vector<TraceAccess> before;
        std::string e2;
        FUZZ_CHECK(parse(text.substr(0, end_prev), before, e2));
        const size_t end_n = text.find('\n', end_prev);
        FUZZ_CHECK(!parse(text.substr(0, end_n == std::string::npos ? text.size() : end_n), before, e2));
        FUZZ_CHECK(e2 == err);
        return 0;
    }

    FUZZ_CHECK(v.size() <= lines);
    uint64_t prev = 0;
    for (const TraceAccess& a : v) {
        FUZZ_CHECK(a.size >= 1 && a.size <= 4096);
        FUZZ_CHECK((a.address & 0xfff) + a.size <= 4096);
        FUZZ_CHECK(a.time_ps >= prev && a.time_ps < (1ull << 63));
        prev = a.time_ps;
        FUZZ_CHECK(a.ssid <= 0xfffff);
        if (!a.ssv) FUZZ_CHECK(a.ssid == 0);
    }

    // Round trip through another spelling.
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
    std::string again = h & 1 ? "# written back\n" : "";
    if (h & 2) again += h & 4 ? "time,stream,substream,address,size,op\n" : " Time , STREAM,SubStream,address,Size,OP\r\n";
    for (size_t i = 0; i < v.size(); ++i) again += write_line(v[i], (h >> 3) + i * 0x9e3779b9ull);
    std::vector<TraceAccess> w;
    std::string e3;
    if (!parse(again, w, e3)) {
        std::fprintf(stderr, "written back:\n%s\nerror: %s\n", again.c_str(), e3.c_str());
        FUZZ_CHECK(false);
    }
    FUZZ_CHECK(w.size() == v.size());
    for (size_t i = 0; i < v.size(); ++i) FUZZ_CHECK(same(v[i], w[i]));
    return 0;
}
