// Stage-1 VMSAv8-64 translation table walker (SMMUv3 CD-driven, AArch64 tables).
//
// Supported: 4 KiB, 16 KiB and 64 KiB granules; input sizes 25..48 bits (TxSZ 16..39);
// output addresses up to 48 bits; hierarchical APTable/UXNTable/PXNTable. Not modelled:
// 52-bit VA/PA (FEAT_LVA/LPA/LPA2: descriptor OA[51:48] bits are ignored and ips_bits is
// capped at 48), TBI, the Contiguous hint, hardware AF/dirty update (HTTU), NSTable,
// stage 2. No SystemC here: this is part of the functional core.
#pragma once
#include <cstdint>

#include "models/smmu/fault.h"
#include "models/smmu/vmsa.h"

namespace iopf::smmu {

// "Read 8 bytes at PA" callback used by the walkers, and the optional "write 8 bytes" for
// formats whose walks update entries in memory (x86-64 A/D bits). A memory that cannot write
// refuses (an external abort on the write).
struct WalkMemory {
    virtual ~WalkMemory() = default;
    // Returns false for an external abort on the read.
    virtual bool read64(uint64_t pa, uint64_t& value) = 0;
    virtual bool write64(uint64_t /*pa*/, uint64_t /*value*/) { return false; }
};

struct S1Config {
    struct Half {
        uint64_t ttb = 0;
        unsigned tsz = 16;           // TxSZ: input address size is 64 - tsz bits
        Granule tg = Granule::K4;
        bool epd = false;            // EPDx: walks through this half fault
    };
    Half tt[2];               // [0] = TTB0 (VA top bits all 0), [1] = TTB1 (VA top bits all 1)
    unsigned ips_bits = 48;   // output address size (caller already capped by the SMMU's OAS)
    bool affd = false;        // CD.AFFD: access flag fault disabled (AF=0 does not fault)
    bool wxn = false;
};

struct WalkResult {
    EventId fault = EventId::None;  // None = success
    unsigned level = 0;             // level of the leaf or of the faulting descriptor
    uint64_t pa = 0;                // output address of the requested VA (success)
    uint64_t va_base = 0, pa_base = 0;
    unsigned size_log2 = 12;        // the leaf mapping (for the TLB)
    LeafAttrs attrs;                // effective attributes (AP with APTable applied, UXN/PXN
                                    // ORed with the tables' UXNTable/PXNTable)
    uint8_t format_fault = 0;       // the walker format's own fault code (x86: X86Fault), for
                                    // front ends whose records name it (VT-d fault reasons)
    unsigned reads = 0;             // descriptor reads issued (an aborted read counts)
    uint64_t fault_desc_pa = 0;     // PA of the descriptor at which the walk failed
    // Stage 2 (models/smmu/nested.h): the stage that faulted, its CLASS (0 CD, 1 TT, 2 IN)
    // and IPA; on success the stage-2 permissions of the output (for the TLB entry).
    uint8_t stage = 1;
    uint8_t fault_class = 2;
    uint64_t ipa = 0;
    uint8_t s2ap = 0b11;
    bool s2xn = false;
    bool ok() const { return fault == EventId::None; }
};

// Initial lookup level for a granule and TxSZ, or -1 if the combination is not
// supported (TxSZ outside [16, 39]).
int s1_start_level(Granule tg, unsigned tsz);

// Whether a block descriptor is permitted at a level (48-bit OA, no FEAT_LPA2):
// 4K: L1 (1 GiB) and L2 (2 MiB); 16K: L2 (32 MiB); 64K: L2 (512 MiB).
bool s1_block_allowed(Granule tg, unsigned level);

WalkResult walk_stage1(const S1Config& cfg, uint64_t va, const Access& access, WalkMemory& mem);

}  // namespace iopf::smmu
