// Features an SMMUv3 instance is configured with, and the ID registers
// (SMMU_IDR0/1/3/5, SMMU_AIDR, SMMU_IIDR) the SystemC module reports for them.
// The STE/CD/command validity checks take a Features so that they apply the
// ILLEGAL rules of exactly the configuration being modelled.
//
// The defaults describe the SMMU this project models first: a Non-secure,
// stage-1-only SMMUv3.1 with 4 KB granules, VMSAv8-64 tables, 16-bit ASIDs,
// 2-level stream and CD tables, MSIs and SEV, ATS and PRI, and the stall +
// terminate fault models. They are the one source of truth for the SMMUv3
// model's feature defaults: SmmuV3's `features.*` parameters take their
// defaults from a default-constructed Features (sources are declared there).
#pragma once
#include <cstdint>

#include "models/smmu/v3/format/regs.h"

namespace iopf::smmu::v3 {

struct Features {
    // SMMU_IDR0
    bool stage1 = true;             // S1P
    bool stage2 = false;            // S2P (not modelled; STE.Config 0b11x is ILLEGAL)
    bool hyp = false;               // Hyp (EL2 StreamWorlds); RES0 without stage 2
    bool ats = true;                // ATS
    bool pri = true;                // PRI (RES0 unless ats)
    unsigned stall_model = idr0::STALL_MODEL_STALL_TERM;  // STALL_MODEL: 0, 1 or 2
    bool term_model = false;        // TERM_MODEL: 1 = CD.A must be 1
    bool asid16 = true;             // ASID16
    bool vmid16 = false;            // VMID16
    bool msi = true;                // MSI
    bool sev = true;                // SEV
    bool coherent = true;           // COHACC
    bool btm = false;               // BTM
    unsigned httu = 0;              // HTTU: 0 none, 1 AF, 2 AF+dirty, 3 +table AF
    bool st_2level = true;          // ST_LEVEL == 0b01
    bool cd_2level = true;          // CD2L
    unsigned ttendian = idr0::TTENDIAN_MIXED;  // TTENDIAN
    bool ttf_aarch32 = false;       // TTF[0]: VMSAv8-32 LPAE tables (CD.AA64 == 0)
    bool ttf_aarch64 = true;        // TTF[1]: VMSAv8-64 tables
    // SMMU_IDR1
    unsigned sid_bits = 16;         // SIDSIZE (0..32)
    unsigned ssid_bits = 20;        // SSIDSIZE (0..20)
    unsigned cmdq_log2 = 8;         // CMDQS (max log2 entries, <= 19)
    unsigned eventq_log2 = 7;       // EVENTQS
    unsigned priq_log2 = 8;         // PRIQS
    // SMMU_IDR3
    bool stt = false;               // STT: small translation tables (TxSZ up to 48)
    bool ril = false;               // RIL: range invalidation and TTL hint in TLBI
    // SMMU_IDR5
    unsigned oas_bits = 48;         // OAS, in bits: 32, 36, 40, 42, 44, 48, 52 or 56
    bool gran_4k = true;            // GRAN4K
    bool gran_16k = false;          // GRAN16K
    bool gran_64k = false;          // GRAN64K
    bool ds = false;                // DS: 52-bit addresses with 4K/16K granules
    unsigned vax = 0;               // VAX: 0 48-bit VA, 1 52-bit, 2 56-bit
    uint16_t stall_max = 32;        // STALL_MAX: outstanding stalls supported
    // SMMU_AIDR
    unsigned arch_minor = 1;        // SMMUv3.<arch_minor>
    // SMMU_IIDR
    uint32_t iidr = 0;              // raw implementation ID (0 = not specified)
};

// IDR5.OAS encoding <-> bits. Unknown bit counts round down to the nearest
// encodable size (minimum 32).
inline unsigned oas_field_from_bits(unsigned bits) {
    if (bits >= 56) return 7;
    if (bits >= 52) return 6;
    if (bits >= 48) return 5;
    if (bits >= 44) return 4;
    if (bits >= 42) return 3;
    if (bits >= 40) return 2;
    if (bits >= 36) return 1;
    return 0;
}
inline unsigned oas_bits_from_field(unsigned field) {
    static const unsigned kBits[8] = {32, 36, 40, 42, 44, 48, 52, 56};
    return kBits[field & 7];
}

inline uint32_t make_idr0(const Features& f) {
    uint64_t v = 0;
    v = idr0::S2P.put(v, f.stage2);
    v = idr0::S1P.put(v, f.stage1);
    v = idr0::TTF.put(v, (f.ttf_aarch32 ? 1u : 0u) | (f.ttf_aarch64 ? 2u : 0u));
    v = idr0::COHACC.put(v, f.coherent);
    v = idr0::BTM.put(v, f.btm);
    v = idr0::HTTU.put(v, f.httu);
    v = idr0::HYP.put(v, f.hyp && f.stage1 && f.stage2);
    v = idr0::ATS.put(v, f.ats);
    v = idr0::ASID16.put(v, f.asid16);
    v = idr0::MSI.put(v, f.msi);
    v = idr0::SEV.put(v, f.sev);
    v = idr0::PRI.put(v, f.ats && f.pri);  // PRI is RES0 when ATS == 0
    v = idr0::VMID16.put(v, f.vmid16);
    v = idr0::CD2L.put(v, f.cd_2level);
    v = idr0::TTENDIAN.put(v, f.ttendian);
    v = idr0::STALL_MODEL.put(v, f.stall_model);
    v = idr0::TERM_MODEL.put(v, f.term_model);
    v = idr0::ST_LEVEL.put(v, f.st_2level ? idr0::ST_LEVEL_2LVL : idr0::ST_LEVEL_LINEAR);
    return static_cast<uint32_t>(v);
}

inline uint32_t make_idr1(const Features& f) {
    uint64_t v = 0;
    v = idr1::SIDSIZE.put(v, f.sid_bits);
    v = idr1::SSIDSIZE.put(v, f.ssid_bits);
    v = idr1::PRIQS.put(v, (f.ats && f.pri) ? f.priq_log2 : 0);
    v = idr1::EVENTQS.put(v, f.eventq_log2);
    v = idr1::CMDQS.put(v, f.cmdq_log2);
    return static_cast<uint32_t>(v);
}

inline uint32_t make_idr2(const Features&) { return 0; }  // no VATOS

inline uint32_t make_idr3(const Features& f) {
    uint64_t v = 0;
    v = idr3::HAD.put(v, f.stage1 && f.arch_minor >= 1);  // mandatory from v3.1 with S1
    v = idr3::STT.put(v, f.stt);
    v = idr3::RIL.put(v, f.ril);
    return static_cast<uint32_t>(v);
}

inline uint32_t make_idr4(const Features&) { return 0; }  // IMPLEMENTATION DEFINED

inline uint32_t make_idr5(const Features& f) {
    uint64_t v = 0;
    v = idr5::OAS.put(v, oas_field_from_bits(f.oas_bits));
    v = idr5::GRAN4K.put(v, f.gran_4k);
    v = idr5::GRAN16K.put(v, f.gran_16k);
    v = idr5::GRAN64K.put(v, f.gran_64k);
    v = idr5::DS.put(v, f.ds && (f.gran_4k || f.gran_16k));
    v = idr5::VAX.put(v, f.vax);
    // STALL_MAX is RES0 when the Stall model is not supported.
    v = idr5::STALL_MAX.put(v, f.stall_model == idr0::STALL_MODEL_TERM_ONLY ? 0 : f.stall_max);
    return static_cast<uint32_t>(v);
}

inline uint32_t make_aidr(const Features& f) {
    uint64_t v = 0;
    v = aidr::ARCH_MAJOR_REV.put(v, 0);
    v = aidr::ARCH_MINOR_REV.put(v, f.arch_minor);
    return static_cast<uint32_t>(v);
}

inline uint32_t make_iidr(const Features& f) { return f.iidr; }

// Translation granule support, by granule size shift (12, 14, 16).
inline bool granule_supported(const Features& f, unsigned shift) {
    switch (shift) {
    case 12: return f.gran_4k;
    case 14: return f.gran_16k;
    case 16: return f.gran_64k;
    default: return false;
    }
}

}  // namespace iopf::smmu::v3
