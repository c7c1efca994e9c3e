// VMSAv8-64 stage-1 long-descriptor formats (Arm ARM D8 "VMSAv8-64 translation table
// format descriptors"): descriptor builders for the host software model and tests,
// attribute decode, and the stage-1 access-permission check.
//
// Descriptor bit positions used here (stage 1, 48-bit OA, no FEAT_LPA/LPA2):
//   [1:0]   type: 0b11 table (levels 0-2) / page (level 3), 0b01 block (levels 1-2)
//   [4:2]   AttrIndx      [7:6] AP[2:1]   [9:8] SH   [10] AF   [11] nG
//   [47:g]  output address / next-level table address (g = log2 granule)
//   [53]    PXN           [54] UXN (XN)
//   table descriptors only: [59] PXNTable [60] UXNTable [62:61] APTable [63] NSTable
// No SystemC here: this is part of the functional core.
#pragma once
#include <cstdint>

#include "models/smmu/fault.h"

namespace iopf::smmu {

// Translation granule; the value is log2 of the granule size in bytes.
enum class Granule : uint8_t { K4 = 12, K16 = 14, K64 = 16 };

inline constexpr unsigned granule_shift(Granule g) { return static_cast<unsigned>(g); }

// Attributes of a leaf (page or block) mapping.
struct LeafAttrs {
    uint8_t ap = 0;     // AP[2:1]: bit 0 = AP[1] (EL0 access), bit 1 = AP[2] (read-only).
                        // In a WalkResult this is the effective value after APTable.
    bool uxn = false;   // UXN/XN, bit 54 (effective: ORed with UXNTable in a WalkResult)
    bool pxn = false;   // PXN, bit 53 (effective: ORed with PXNTable in a WalkResult)
    bool ng = true;     // nG: false means a global mapping (matches any ASID)
    bool af = true;     // Access flag
    uint8_t attr_index = 0;  // AttrIndx[2:0], index into MAIR
    uint8_t sh = 3;          // SH[1:0], 3 = Inner Shareable
    // Dirty state of the cached leaf, for formats whose hardware sets a dirty bit on the
    // first write (x86-64 D): a write that hits a clean entry walks again. VMSA entries are
    // always "dirty" (no HTTU: software owns AP[2]).
    bool dirty = true;
};

namespace vmsa {
constexpr uint64_t kValid = 1ull << 0;
constexpr uint64_t kTableOrPage = 1ull << 1;   // bit 1: table (L0-2) / page (L3)
constexpr unsigned kAttrIndxShift = 2;
constexpr unsigned kApShift = 6;               // AP[1] = bit 6, AP[2] = bit 7
constexpr unsigned kShShift = 8;
constexpr uint64_t kAF = 1ull << 10;
constexpr uint64_t kNG = 1ull << 11;
constexpr uint64_t kPXN = 1ull << 53;
constexpr uint64_t kUXN = 1ull << 54;
constexpr uint64_t kPXNTable = 1ull << 59;
constexpr uint64_t kUXNTable = 1ull << 60;
constexpr unsigned kAPTableShift = 61;         // APTable[0] = bit 61, APTable[1] = bit 62
constexpr uint64_t kNSTable = 1ull << 63;
// Address field [51:12]: bits [51:48] are RES0 without FEAT_LPA, and kept so that an
// output address above 48 bits reaches the walker, which gives an Address size fault
// (instead of the encoder silently truncating the PA onto another buffer). The walker
// further masks the low bits by granule and level.
constexpr uint64_t kOaMask = 0x000ffffffffff000ull;

// APTable bits (value of the 2-bit field at [62:61]).
constexpr uint8_t kAPTableNoEL0 = 0b01;    // APTable[0]: no EL0 (unprivileged) access below
constexpr uint8_t kAPTableNoWrite = 0b10;  // APTable[1]: no write access below
}  // namespace vmsa

// Table descriptor pointing at next_table_pa (bits [47:12] kept). The optional
// hierarchical attributes are APTable[62:61], UXNTable[60], PXNTable[59].
uint64_t make_table_desc(uint64_t next_table_pa, uint8_t ap_table = 0, bool uxn_table = false,
                         bool pxn_table = false);

// Level-3 page descriptor (bits[1:0] = 0b11). pa must be granule aligned.
uint64_t make_page_desc(uint64_t pa, const LeafAttrs& attrs);

// Level-1/2 block descriptor (bits[1:0] = 0b01). pa must be block aligned.
uint64_t make_block_desc(uint64_t pa, const LeafAttrs& attrs);

// Attributes for a typical mapping. AP: 0b00 EL1 RW, 0b01 RW any EL, 0b10 EL1 RO,
// 0b11 RO any EL. An executable user mapping has UXN=0 PXN=1, an executable kernel
// mapping UXN=1 PXN=0, a non-executable one UXN=PXN=1. nG=1, AF=1, AttrIndx 0, SH=3.
LeafAttrs leaf_attrs_for(bool writable, bool user, bool executable);

// Attributes held in a leaf descriptor (no hierarchical attributes applied).
LeafAttrs decode_leaf_attrs(uint64_t desc);

// Stage-1 permission check for one access (Arm ARM D8 "Memory access control"):
//  - unprivileged (PnU=0) needs AP[1]=1;
//  - writes need AP[2]=0;
//  - instruction fetch: unprivileged needs UXN=0, privileged needs PXN=0;
//  - wxn: a region writable at the access's privilege is treated as execute-never;
//  - implicit PXN: a region writable at EL0 (AP[2:1] = 0b01) is privileged execute-never.
// Not modelled: PAN and FEAT_PAN3 / permission indirection.
bool permits(const LeafAttrs& attrs, const Access& access, bool wxn = false);

}  // namespace iopf::smmu
