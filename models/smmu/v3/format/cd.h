// SMMUv3 Context Descriptor (CD, 64 bytes = 8 little-endian u64 words) and
// Level 1 Context Descriptor (L1CD, 8 bytes). Spec sections 5.3, 5.4, 5.5.
//
// Field positions are the spec's (IHI 0070 G.b). Comments give the overall
// bit number; word = bit / 64.
//
// Spec-vs-Linux notes (the spec is followed):
//  * TTB0/TTB1 are [55:4] of their words (overall [119:68] / [183:132]) for
//    56-bit PAs in SMMUv3.4; Linux masks at bit 51 (TTB0 bits [51:4]).
//  * L1CD.L2Ptr is [55:12]; Linux masks at 51.
//  * CD.V == 0 reached from a valid STE records C_BAD_CD (spec 5.4 "V").
//  * TG0 and TG1 use different encodings (TG0: 00 4K, 01 64K, 10 16K;
//    TG1: 01 16K, 10 4K, 11 64K), as in the A-profile TCR.
#pragma once
#include <cstdint>

#include "models/smmu/fault.h"
#include "models/smmu/v3/format/features.h"
#include "models/smmu/v3/format/regs.h"

namespace iopf::smmu::v3 {

namespace cd_f {
// word 0
constexpr Field T0SZ{5, 0};
constexpr Field TG0{7, 6};
constexpr Field IR0{9, 8};
constexpr Field OR0{11, 10};
constexpr Field SH0{13, 12};
constexpr Field EPD0{14, 14};
constexpr Field ENDI{15, 15};
constexpr Field T1SZ{21, 16};
constexpr Field TG1{23, 22};
constexpr Field IR1{25, 24};
constexpr Field OR1{27, 26};
constexpr Field SH1{29, 28};
constexpr Field EPD1{30, 30};
constexpr Field V{31, 31};
constexpr Field IPS{34, 32};
constexpr Field AFFD{35, 35};
constexpr Field WXN{36, 36};
constexpr Field UWXN{37, 37};
constexpr Field TBI0{38, 38};
constexpr Field TBI1{39, 39};
constexpr Field PAN{40, 40};
constexpr Field AA64{41, 41};
constexpr Field HD{42, 42};
constexpr Field HA{43, 43};
constexpr Field S{44, 44};
constexpr Field R{45, 45};
constexpr Field A{46, 46};
constexpr Field ASET{47, 47};
constexpr Field ASID{63, 48};
// word 1 (overall 64..127)
constexpr Field NSCFG0{0, 0};   // [64]
constexpr Field HAD0{1, 1};     // [65]
constexpr Field E0PD0{2, 2};    // [66]
constexpr Field HAFT{3, 3};     // [67]
constexpr Field TTB0{55, 4};    // [119:68]
// word 2 (overall 128..191)
constexpr Field NSCFG1{0, 0};   // [128]
constexpr Field HAD1{1, 1};     // [129]
constexpr Field E0PD1{2, 2};    // [130]
constexpr Field AIE{3, 3};      // [131]
constexpr Field TTB1{55, 4};    // [183:132]
constexpr Field DS{58, 58};     // [186]
constexpr Field PIE{59, 59};    // [187]
// word 3: MAIR0 [223:192], MAIR1 [255:224] (one 64-bit MAIR value)
// word 4: AMAIR0 [287:256], AMAIR1 [319:288]
}  // namespace cd_f

struct Cd {
    uint8_t t0sz = 0;
    uint8_t tg0 = 0;   // TG0 encoding: 00 4K, 01 64K, 10 16K
    uint8_t ir0 = 0, or0 = 0, sh0 = 0;
    bool epd0 = false;
    bool endi = false;
    uint8_t t1sz = 0;
    uint8_t tg1 = 0;   // TG1 encoding: 01 16K, 10 4K, 11 64K (00 Reserved)
    uint8_t ir1 = 0, or1 = 0, sh1 = 0;
    bool epd1 = false;
    bool v = false;
    uint8_t ips = 0;   // 0:32 1:36 2:40 3:42 4:44 5:48 6:52 7:56 bits
    bool affd = false, wxn = false, uwxn = false;
    bool tbi0 = false, tbi1 = false;
    bool pan = false;
    bool aa64 = false;
    bool hd = false, ha = false;
    bool s = false;    // stall on fault (bit 44)
    bool r = false;    // record faults
    bool a = false;    // abort (vs RAZ/WI) on terminate
    bool aset = false;
    uint16_t asid = 0;
    bool nscfg0 = false, had0 = false, e0pd0 = false, haft = false;
    uint64_t ttb0 = 0;  // byte address, bits [55:4]
    bool nscfg1 = false, had1 = false, e0pd1 = false, aie = false;
    uint64_t ttb1 = 0;  // byte address, bits [55:4]
    bool ds = false, pie = false;
    uint64_t mair = 0;   // MAIR1:MAIR0
    uint64_t amair = 0;  // AMAIR1:AMAIR0
    uint64_t raw[8] = {};
};

Cd decode_cd(const uint64_t w[8]);
// Writes all 8 words from the fields (raw[] is not used; undefined fields 0).
void encode_cd(const Cd& c, uint64_t w[8]);

// Granule size shift (12, 14, 16) for a TG0 / TG1 encoding, 0 if Reserved.
unsigned tg0_granule_shift(uint8_t tg0);
unsigned tg1_granule_shift(uint8_t tg1);
// TG encodings for a granule shift (for building CDs).
uint8_t tg0_from_granule_shift(unsigned shift);
uint8_t tg1_from_granule_shift(unsigned shift);
// Effective stage 1 output size in bits: MIN(CD.IPS, SMMU_IDR5.OAS).
unsigned cd_effective_ips_bits(const Cd& c, const Features& f);

// Validity check (spec 5.4.2 CdIllegal(), Non-secure, StreamWorld NS-EL1 since
// this model has no Hyp). Returns EventId::C_BAD_CD if V == 0 or the CD is
// ILLEGAL, otherwise EventId::None. ste_s1stalld is STE.S1STALLD of the STE
// that located the CD (STE.S1STALLD == 1 with CD.S == 1 is ILLEGAL).
// Checked: V; S vs S1STALLD and STALL_MODEL (1: S must be 0, 2: S must be 1);
// A vs TERM_MODEL; ENDI vs TTENDIAN; AA64 vs TTF; HA/HD/HAFT vs HTTU;
// ASID[15:8] vs ASID16; T0SZ/T1SZ range (STT, VAX, DS); TG0/TG1 supported;
// TTB0/TTB1 within the effective IPS (and 48 bits unless DS or 64K).
// EPDx == 1 makes the TTBx-related fields IGNORED.
EventId check_cd(const Cd& c, const Features& f, bool ste_s1stalld = false);

// Level 1 Context Descriptor (spec 5.3): V [0], L2Ptr [55:12].
namespace l1cd_f {
constexpr Field V{0, 0};
constexpr Field L2PTR{55, 12};
}  // namespace l1cd_f

struct CdL1Desc {
    bool v = false;
    uint64_t l2ptr = 0;  // byte address of the level-2 CD table (4 KB aligned)
};

CdL1Desc decode_cd_l1(uint64_t w);
uint64_t encode_cd_l1(const CdL1Desc& d);

}  // namespace iopf::smmu::v3
