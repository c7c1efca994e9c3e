// The DMA access trace the trace player replays (docs/models/trace-player.md "Trace
// format"): a CSV text file, one access per line, columns time,stream,substream,address,
// size,op; '#' comments, blank lines and one optional header line allowed.
//
// No SystemC in this file: it is part of the functional core (tests/unit/test_trace_parse.cpp,
// fuzz/trace_parse.cpp). The player itself is models/devices/trace_player.{h,cpp}.
#pragma once
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "models/common/params.h"   // ConfigError, what a malformed line throws

namespace iopf {

struct TraceAccess {
    uint64_t time_ps = 0;     // issue time, relative to the trace's origin
    uint64_t address = 0;     // input address (IOVA / VA)
    uint32_t sid = 0;         // StreamID
    uint32_t ssid = 0;        // SubstreamID (PASID); meaningful when ssv
    uint32_t size = 0;        // bytes, 1..4096, not crossing a 4 KiB boundary
    bool ssv = false;
    bool write = false;
};

// Reads a trace one record at a time (the player streams its file). `label` names the file
// in error messages; next() throws ConfigError "<label>:<line>: expected ..., got '...'" on
// the first malformed line.
class TraceReader {
public:
    TraceReader(std::istream& in, std::string label);
    bool next(TraceAccess& out);         // false at the end of the trace
    uint64_t records() const { return records_; }

private:
    std::istream& in_;
    std::string label_;
    size_t lineno_ = 0;
    bool seen_data_ = false;
    uint64_t prev_time_ = 0;
    uint64_t records_ = 0;
};

// The whole trace at once (tools and tests; the player streams with TraceReader).
std::vector<TraceAccess> parse_access_trace(std::istream& in, const std::string& label);

}  // namespace iopf
