// SMMUv3 PRI queue entries (16 bytes = 2 little-endian u64 words), spec
// chapter 8 "Page request queue" (IHI 0070 G.b).
//
// word0: StreamID [31:0], SubstreamID [51:32], Priv [58], Exec [59],
//        Read [60], Write [61], Last [62], SSV [63]
// word1: PRGIndex [8:0], Page address [63:12]
// (bit positions in the spec's figure are not in its text; they match Linux
// PRIQ_0_* / PRIQ_1_* and this project's REFERENCE.md.)
//
// A Stop Marker is an entry with SSV == 1, Last == 1, Read == Write == 0
// ("Stop Markers have a PASID"); the same LWR == 0b100 without a PASID is an
// ordinary page request. When SSV == 0 the Exec and Priv bits are 0.
#pragma once
#include <cstdint>
#include <string>

#include "models/smmu/v3/format/regs.h"

namespace iopf::smmu::v3 {

namespace priq_f {
constexpr Field SID{31, 0};
constexpr Field SSID{51, 32};
constexpr Field PRIV{58, 58};
constexpr Field EXEC{59, 59};
constexpr Field READ{60, 60};
constexpr Field WRITE{61, 61};
constexpr Field LAST{62, 62};
constexpr Field SSV{63, 63};
constexpr Field PRG_INDEX{8, 0};  // word1
constexpr Field ADDR{63, 12};     // word1
}  // namespace priq_f

struct PriEntry {
    uint32_t sid = 0;
    uint32_t ssid = 0;
    bool ssv = false;
    bool priv = false;
    bool exec = false;
    bool read = false;
    bool write = false;
    bool last = false;
    uint16_t prgi = 0;  // PRG index, 9 bits
    uint64_t addr = 0;  // page address, bits [63:12]

    bool is_stop_marker() const { return ssv && last && !read && !write; }
};

void encode_pri(const PriEntry& p, uint64_t w[2]);
PriEntry decode_pri(const uint64_t w[2]);

// A PCIe Stop Marker (Stop PASID) message for a PASID.
PriEntry make_stop_marker(uint32_t sid, uint32_t ssid, uint16_t prgi = 0);

// One-line decoded form, e.g.
// "PRI sid=5 ssid=1 addr=0x40000000 prgi=3 R W last" or "PRI_STOP_MARKER sid=5 ssid=1".
std::string to_string(const PriEntry& p);

}  // namespace iopf::smmu::v3
