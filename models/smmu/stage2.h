// VMSAv8-64 stage-2 translation table walker (IPA -> PA), for SMMUv3 STE.Config S2-only
// (0b110) and nested (0b111) streams. Given the same "read 8 bytes at PA" callback as the
// stage-1 walker (WalkMemory).
//
// Configuration follows the VTCR fields the STE carries (S2T0SZ, S2SL0, S2TG, S2PS,
// S2AFFD) and S2TTB. Checks made (Arm ARM pseudocode AArch64.S2Walk and helpers):
//  - S2T0SZ outside [16, 39] (no FEAT_TTST / FEAT_LPA), an S2SL0 value that is invalid for
//    the granule (AArch64.S2InvalidSL) or inconsistent with S2T0SZ (AArch64.S2InconsistentSL:
//    the start level must resolve between 1 and stride + 4 bits, i.e. up to 16 concatenated
//    tables) -> stage-2 Translation fault at level 0;
//  - IPA at or above 2^(64 - S2T0SZ) -> stage-2 Translation fault at level 0;
//  - S2TTB, a next-level table address or an output address at or above 2^PS (PS = S2PS,
//    capped by the caller at the SMMU's OAS) -> stage-2 Address size fault;
//  - AF == 0 with S2AFFD == 0 -> stage-2 Access flag fault (before Permission);
//  - S2AP[1:0] (descriptor bits [7:6]: bit 6 read, bit 7 write) and XN (bit 54) ->
//    stage-2 Permission fault. Stage 2 ignores privilege (PnU). An instruction fetch
//    needs XN == 0 only (FEAT_XNX's XN[0] at bit 53 is not modelled).
// Start levels (S2SL0): 4 KiB granule 0 -> level 2, 1 -> level 1, 2 -> level 0 (3 is
// Reserved without FEAT_TTST); 16 KiB and 64 KiB granules 0 -> level 3, 1 -> level 2,
// 2 -> level 1 (3 is Reserved without FEAT_LPA2). Concatenated start-level tables are
// indexed by the extra IPA bits (the start table is aligned to its full size).
// Not modelled: FWB (STE.S2FWB), MemAttr combining, HTTU (S2HA/S2HD), AArch32 (S2AA64=0)
// tables, 52-bit addresses, the Contiguous hint.
// No SystemC here: this is part of the functional core.
#pragma once
#include <cstdint>

#include "models/smmu/walker.h"

namespace iopf::smmu {

struct S2Config {
    uint64_t ttb = 0;          // S2TTB: base of the (possibly concatenated) start-level table
    unsigned t0sz = 24;        // S2T0SZ: IPA size is 64 - t0sz bits
    Granule tg = Granule::K4;  // S2TG
    unsigned sl0 = 1;          // S2SL0 (encoding, see above)
    unsigned ps_bits = 48;     // S2PS in bits, already capped at the SMMU's OAS
    bool affd = false;         // S2AFFD: AF == 0 does not fault
};

// Stage-2 leaf attributes.
struct S2Attrs {
    uint8_t s2ap = 0b11;   // S2AP[1:0]: bit 0 read allowed, bit 1 write allowed
    bool xn = false;       // XN (bit 54): no instruction fetch
    bool af = true;        // Access flag (bit 10)
    uint8_t memattr = 0xf; // MemAttr[3:0] (bits [5:2]); 0xf Normal write-back
    uint8_t sh = 3;        // SH[1:0]
};

namespace vmsa_s2 {
constexpr unsigned kMemAttrShift = 2;
constexpr unsigned kS2APShift = 6;       // S2AP[0] = bit 6 (read), S2AP[1] = bit 7 (write)
constexpr uint8_t kS2APRead = 0b01;
constexpr uint8_t kS2APWrite = 0b10;
}  // namespace vmsa_s2

struct S2WalkResult {
    EventId fault = EventId::None;
    unsigned level = 0;
    uint64_t pa = 0;                 // output address of the requested IPA (success)
    uint64_t ipa_base = 0, pa_base = 0;
    unsigned size_log2 = 12;
    S2Attrs attrs;
    unsigned reads = 0;              // descriptor reads issued
    uint64_t fault_desc_pa = 0;
    bool ok() const { return fault == EventId::None; }
};

// Start level for S2TG/S2SL0, or -1 if the encoding is Reserved for that granule.
int s2_start_level(Granule tg, unsigned sl0);
// Whether S2T0SZ, S2SL0 and S2TG form a usable configuration (range and consistency).
bool s2_config_valid(const S2Config& cfg);
// Entries in the start-level table (more than 2^stride means concatenated tables), or 0
// when the configuration is not valid.
uint64_t s2_start_table_entries(const S2Config& cfg);

// Stage-2 permission check (data: S2AP; instruction fetch: XN).
bool s2_permits(const S2Attrs& a, const Access& access);

// Stage-2 descriptors (table descriptors are make_table_desc(): stage 2 has no
// hierarchical attributes).
uint64_t make_s2_page_desc(uint64_t pa, const S2Attrs& a);
uint64_t make_s2_block_desc(uint64_t pa, const S2Attrs& a);
S2Attrs s2_attrs_for(bool read, bool write, bool exec);
S2Attrs decode_s2_attrs(uint64_t desc);

S2WalkResult walk_stage2(const S2Config& cfg, uint64_t ipa, const Access& access,
                         WalkMemory& mem);

}  // namespace iopf::smmu
