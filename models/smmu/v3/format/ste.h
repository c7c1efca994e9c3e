// SMMUv3 Stream Table Entry (STE, 64 bytes = 8 little-endian u64 words) and
// Level 1 Stream Table Descriptor (L1STD, 8 bytes). Spec sections 5.1, 5.2.
//
// Field positions are the spec's (IHI 0070 G.b). Overall bit n of the STE is
// bit (n % 64) of word n / 64; comments give both.
//
// Spec-vs-Linux notes (the spec is followed):
//  * S1ContextPtr is [55:6] and S2TTB is [55:4] in SMMUv3.4 (Linux masks both
//    at bit 51). Bits above the OAS are RES0.
//  * STE.V == 0 records C_BAD_STE (spec 5.2 "V": "Device transactions that
//    select an STE with this field configured to 0 are terminated with an abort
//    ... and a C_BAD_STE event is recorded"), not F_STREAM_DISABLED, which is
//    only for substream-disabled traffic (S1DSS).
//  * Config 0b000 and the Reserved values 0b001..0b011 are NOT ILLEGAL: the
//    Reserved values "behave as 0b000", i.e. abort with no event recorded.
//    check_ste() therefore returns EventId::None for them; use
//    ste_aborts_silently() to detect that case.
#pragma once
#include <cstdint>
#include <string>

#include "models/smmu/fault.h"
#include "models/smmu/stage2.h"
#include "models/smmu/v3/format/features.h"
#include "models/smmu/v3/format/regs.h"

namespace iopf::smmu::v3 {

// STE.Config encodings.
namespace ste_config {
constexpr uint8_t ABORT = 0b000;
constexpr uint8_t BYPASS = 0b100;
constexpr uint8_t S1_TRANS = 0b101;
constexpr uint8_t S2_TRANS = 0b110;
constexpr uint8_t NESTED = 0b111;
}  // namespace ste_config

// STE.S1Fmt encodings.
namespace s1fmt {
constexpr uint8_t LINEAR = 0b00;
constexpr uint8_t L2_4K = 0b01;   // 2-level, 4 KB leaf tables of 64 CDs
constexpr uint8_t L2_64K = 0b10;  // 2-level, 64 KB leaf tables of 1024 CDs
}  // namespace s1fmt

// STE.S1DSS encodings.
namespace s1dss {
constexpr uint8_t TERMINATE = 0b00;
constexpr uint8_t BYPASS = 0b01;
constexpr uint8_t SSID0 = 0b10;
}  // namespace s1dss

// STE.EATS encodings.
namespace eats {
constexpr uint8_t ABORT = 0b00;
constexpr uint8_t FULL = 0b01;
constexpr uint8_t SPLIT = 0b10;
constexpr uint8_t FULL_DPT = 0b11;
}  // namespace eats

// Field layout, per word.
namespace ste_f {
// word 0
constexpr Field V{0, 0};                // [0]
constexpr Field CONFIG{3, 1};           // [3:1]
constexpr Field S1FMT{5, 4};            // [5:4]
constexpr Field S1CONTEXTPTR{55, 6};    // [55:6]
constexpr Field S1CDMAX{63, 59};        // [63:59]
// word 1 (overall bits 64..127)
constexpr Field S1DSS{1, 0};            // [65:64]
constexpr Field S1CIR{3, 2};            // [67:66]
constexpr Field S1COR{5, 4};            // [69:68]
constexpr Field S1CSH{7, 6};            // [71:70]
constexpr Field DRE{12, 12};            // [76]
constexpr Field CONT{16, 13};           // [80:77]
constexpr Field DCP{17, 17};            // [81]
constexpr Field PPAR{18, 18};           // [82]
constexpr Field MEV{19, 19};            // [83]
constexpr Field SW_RESERVED{23, 20};    // [87:84]
constexpr Field S2FWB{25, 25};          // [89]
constexpr Field S1STALLD{27, 27};       // [91]
constexpr Field EATS{29, 28};           // [93:92]
constexpr Field STRW{31, 30};           // [95:94]
constexpr Field MEMATTR{35, 32};        // [99:96]
constexpr Field MTCFG{36, 36};          // [100]
constexpr Field ALLOCCFG{40, 37};       // [104:101]
constexpr Field SHCFG{45, 44};          // [109:108]
constexpr Field NSCFG{47, 46};          // [111:110]
constexpr Field PRIVCFG{49, 48};        // [113:112]
constexpr Field INSTCFG{51, 50};        // [115:114]
// word 2 (overall bits 128..191)
constexpr Field S2VMID{15, 0};          // [143:128]
constexpr Field S2T0SZ{37, 32};         // [165:160]
constexpr Field S2SL0{39, 38};          // [167:166]
constexpr Field S2IR0{41, 40};          // [169:168]
constexpr Field S2OR0{43, 42};          // [171:170]
constexpr Field S2SH0{45, 44};          // [173:172]
constexpr Field S2TG{47, 46};           // [175:174]
constexpr Field S2PS{50, 48};           // [178:176]
constexpr Field S2AA64{51, 51};         // [179]
constexpr Field S2ENDI{52, 52};         // [180]
constexpr Field S2AFFD{53, 53};         // [181]
constexpr Field S2PTW{54, 54};          // [182]
constexpr Field S2HD{55, 55};           // [183]
constexpr Field S2HA{56, 56};           // [184]
constexpr Field S2S{57, 57};            // [185]
constexpr Field S2R{58, 58};            // [186]
// word 3 (overall bits 192..255)
constexpr Field S2TTB{55, 4};           // [247:196]
}  // namespace ste_f

struct Ste {
    bool v = false;
    uint8_t config = ste_config::ABORT;
    uint8_t s1fmt = s1fmt::LINEAR;
    uint64_t s1_context_ptr = 0;  // byte address, bits [55:6]
    uint8_t s1cdmax = 0;          // log2(number of CDs)
    uint8_t s1dss = s1dss::TERMINATE;
    uint8_t s1cir = 0, s1cor = 0, s1csh = 0;
    bool dre = false;
    uint8_t cont = 0;
    bool dcp = false;
    bool ppar = false;
    bool mev = false;
    bool s1stalld = false;        // bit 27 of word 1 (overall bit 91)
    uint8_t eats = eats::ABORT;
    uint8_t strw = 0;
    uint8_t memattr = 0;
    bool mtcfg = false;
    uint8_t alloccfg = 0;
    uint8_t shcfg = 0;
    uint8_t nscfg = 0;
    uint8_t privcfg = 0;
    uint8_t instcfg = 0;
    uint16_t s2vmid = 0;
    uint8_t s2t0sz = 0, s2sl0 = 0, s2ir0 = 0, s2or0 = 0, s2sh0 = 0, s2tg = 0, s2ps = 0;
    bool s2aa64 = false, s2endi = false, s2affd = false, s2ptw = false;
    bool s2hd = false, s2ha = false, s2s = false, s2r = false;
    uint64_t s2ttb = 0;           // byte address, bits [55:4]
    uint64_t raw[8] = {};         // words as decoded (encode_ste ignores this)

    bool stage1_enabled() const { return (config & 0b101) == 0b101; }  // 0b1x1
    bool stage2_enabled() const { return (config & 0b110) == 0b110; }  // 0b11x
    bool substreams_enabled() const { return s1cdmax != 0; }
};

Ste decode_ste(const uint64_t w[8]);
// Writes all 8 words from the fields (raw[] is not used; undefined fields are 0).
void encode_ste(const Ste& s, uint64_t w[8]);

// Validity check of a fetched STE (spec 5.2.2 SteIllegal(), Non-secure
// programming interface). Returns EventId::C_BAD_STE if V == 0 or the STE is
// ILLEGAL for this SMMU configuration, otherwise EventId::None. A valid STE
// with Config 0b0xx returns None: see ste_aborts_silently().
// Reserved (non-specified) fields are not checked: the spec lets an
// implementation ignore them and this model does.
EventId check_ste(const Ste& s, const Features& f);

// Stage-2 walker configuration of an STE: S2TTB, S2T0SZ, S2SL0, S2TG (0b00 4 KB, 0b01
// 64 KB, 0b10 16 KB), S2PS (capped at the SMMU's OAS), S2AFFD.
smmu::S2Config ste_s2_config(const Ste& s, const Features& f);

// One-line decoded form for the queue log: "STE V=1 Config=nested S1ContextPtr=0x...
// S2VMID=1 S2T0SZ=16 S2SL0=2 S2TG=0 S2PS=5 S2AA64=1 S2S=1 S2R=1 S2TTB=0x...".
std::string to_string(const Ste& s);

// V == 1 and Config == 0b0xx: transactions abort and no event is recorded.
inline bool ste_aborts_silently(const Ste& s) { return s.v && (s.config & 0b100) == 0; }

// Level 1 Stream Table Descriptor (spec 5.1): Span [4:0], L2Ptr [55:6].
namespace l1std_f {
constexpr Field SPAN{4, 0};
constexpr Field L2PTR{55, 6};
}  // namespace l1std_f

struct StL1Desc {
    unsigned span = 0;   // 0 invalid, 1..11: level-2 array of 2^(span-1) STEs
    uint64_t l2ptr = 0;  // byte address of the level-2 array

    // Span usable given SMMU_STRTAB_BASE_CFG.SPLIT (Span 12..31 Reserved,
    // behaves as 0; Span > SPLIT + 1 is out of bounds).
    bool valid(unsigned split) const { return span >= 1 && span <= 11 && span <= split + 1; }
    uint32_t l2_entries() const { return span ? (uint32_t{1} << (span - 1)) : 0; }
};

StL1Desc decode_st_l1(uint64_t w);
uint64_t encode_st_l1(const StL1Desc& d);

}  // namespace iopf::smmu::v3
