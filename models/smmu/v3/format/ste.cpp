#include "models/smmu/v3/format/ste.h"

#include <algorithm>
#include <cstdio>

namespace iopf::smmu::v3 {

Ste decode_ste(const uint64_t w[8]) {
    Ste s;
    for (int i = 0; i < 8; ++i) s.raw[i] = w[i];
    s.v = ste_f::V.get(w[0]);
    s.config = static_cast<uint8_t>(ste_f::CONFIG.get(w[0]));
    s.s1fmt = static_cast<uint8_t>(ste_f::S1FMT.get(w[0]));
    s.s1_context_ptr = w[0] & ste_f::S1CONTEXTPTR.mask();
    s.s1cdmax = static_cast<uint8_t>(ste_f::S1CDMAX.get(w[0]));

    s.s1dss = static_cast<uint8_t>(ste_f::S1DSS.get(w[1]));
    s.s1cir = static_cast<uint8_t>(ste_f::S1CIR.get(w[1]));
    s.s1cor = static_cast<uint8_t>(ste_f::S1COR.get(w[1]));
    s.s1csh = static_cast<uint8_t>(ste_f::S1CSH.get(w[1]));
    s.dre = ste_f::DRE.get(w[1]);
    s.cont = static_cast<uint8_t>(ste_f::CONT.get(w[1]));
    s.dcp = ste_f::DCP.get(w[1]);
    s.ppar = ste_f::PPAR.get(w[1]);
    s.mev = ste_f::MEV.get(w[1]);
    s.s1stalld = ste_f::S1STALLD.get(w[1]);
    s.eats = static_cast<uint8_t>(ste_f::EATS.get(w[1]));
    s.strw = static_cast<uint8_t>(ste_f::STRW.get(w[1]));
    s.memattr = static_cast<uint8_t>(ste_f::MEMATTR.get(w[1]));
    s.mtcfg = ste_f::MTCFG.get(w[1]);
    s.alloccfg = static_cast<uint8_t>(ste_f::ALLOCCFG.get(w[1]));
    s.shcfg = static_cast<uint8_t>(ste_f::SHCFG.get(w[1]));
    s.nscfg = static_cast<uint8_t>(ste_f::NSCFG.get(w[1]));
    s.privcfg = static_cast<uint8_t>(ste_f::PRIVCFG.get(w[1]));
    s.instcfg = static_cast<uint8_t>(ste_f::INSTCFG.get(w[1]));

    s.s2vmid = static_cast<uint16_t>(ste_f::S2VMID.get(w[2]));
    s.s2t0sz = static_cast<uint8_t>(ste_f::S2T0SZ.get(w[2]));
    s.s2sl0 = static_cast<uint8_t>(ste_f::S2SL0.get(w[2]));
    s.s2ir0 = static_cast<uint8_t>(ste_f::S2IR0.get(w[2]));
    s.s2or0 = static_cast<uint8_t>(ste_f::S2OR0.get(w[2]));
    s.s2sh0 = static_cast<uint8_t>(ste_f::S2SH0.get(w[2]));
    s.s2tg = static_cast<uint8_t>(ste_f::S2TG.get(w[2]));
    s.s2ps = static_cast<uint8_t>(ste_f::S2PS.get(w[2]));
    s.s2aa64 = ste_f::S2AA64.get(w[2]);
    s.s2endi = ste_f::S2ENDI.get(w[2]);
    s.s2affd = ste_f::S2AFFD.get(w[2]);
    s.s2ptw = ste_f::S2PTW.get(w[2]);
    s.s2hd = ste_f::S2HD.get(w[2]);
    s.s2ha = ste_f::S2HA.get(w[2]);
    s.s2s = ste_f::S2S.get(w[2]);
    s.s2r = ste_f::S2R.get(w[2]);

    s.s2ttb = w[3] & ste_f::S2TTB.mask();
    return s;
}

void encode_ste(const Ste& s, uint64_t w[8]) {
    for (int i = 0; i < 8; ++i) w[i] = 0;
    w[0] = ste_f::V.make(s.v) | ste_f::CONFIG.make(s.config) | ste_f::S1FMT.make(s.s1fmt) |
           (s.s1_context_ptr & ste_f::S1CONTEXTPTR.mask()) | ste_f::S1CDMAX.make(s.s1cdmax);
    w[1] = ste_f::S1DSS.make(s.s1dss) | ste_f::S1CIR.make(s.s1cir) |
           ste_f::S1COR.make(s.s1cor) | ste_f::S1CSH.make(s.s1csh) | ste_f::DRE.make(s.dre) |
           ste_f::CONT.make(s.cont) | ste_f::DCP.make(s.dcp) | ste_f::PPAR.make(s.ppar) |
           ste_f::MEV.make(s.mev) | ste_f::S1STALLD.make(s.s1stalld) |
           ste_f::EATS.make(s.eats) | ste_f::STRW.make(s.strw) |
           ste_f::MEMATTR.make(s.memattr) | ste_f::MTCFG.make(s.mtcfg) |
           ste_f::ALLOCCFG.make(s.alloccfg) | ste_f::SHCFG.make(s.shcfg) |
           ste_f::NSCFG.make(s.nscfg) | ste_f::PRIVCFG.make(s.privcfg) |
           ste_f::INSTCFG.make(s.instcfg);
    w[2] = ste_f::S2VMID.make(s.s2vmid) | ste_f::S2T0SZ.make(s.s2t0sz) |
           ste_f::S2SL0.make(s.s2sl0) | ste_f::S2IR0.make(s.s2ir0) |
           ste_f::S2OR0.make(s.s2or0) | ste_f::S2SH0.make(s.s2sh0) |
           ste_f::S2TG.make(s.s2tg) | ste_f::S2PS.make(s.s2ps) |
           ste_f::S2AA64.make(s.s2aa64) | ste_f::S2ENDI.make(s.s2endi) |
           ste_f::S2AFFD.make(s.s2affd) | ste_f::S2PTW.make(s.s2ptw) |
           ste_f::S2HD.make(s.s2hd) | ste_f::S2HA.make(s.s2ha) | ste_f::S2S.make(s.s2s) |
           ste_f::S2R.make(s.s2r);
    w[3] = s.s2ttb & ste_f::S2TTB.mask();
}

namespace {

bool above_bits(uint64_t addr, unsigned bits) { return bits < 64 && (addr >> bits) != 0; }

// STE.S2TG / CD.TG0 encoding to granule shift (0 = Reserved).
unsigned s2tg_shift(uint8_t tg) {
    switch (tg) {
    case 0b00: return 12;
    case 0b01: return 16;
    case 0b10: return 14;
    default: return 0;
    }
}

// Output size of an STE.S2PS / CD.IPS encoding (7 is 56 bits from v3.4).
unsigned ps_bits(uint8_t ps) { return oas_bits_from_field(ps); }

}  // namespace

EventId check_ste(const Ste& s, const Features& f) {
    constexpr EventId kIllegal = EventId::C_BAD_STE;
    // "Use of an ILLEGAL STE behaves as described for STE.V == 0": C_BAD_STE.
    if (!s.v) return kIllegal;
    // Config 0b0xx: no translation; the remaining fields are IGNORED.
    if ((s.config & 0b100) == 0) return EventId::None;

    const bool s1 = s.stage1_enabled();
    const bool s2 = s.stage2_enabled();
    if (s1 && !f.stage1) return kIllegal;  // Config 0b1x1 without S1P
    if (s2 && !f.stage2) return kIllegal;  // Config 0b11x without S2P

    // ATS configuration (only when ATS is implemented and the STE translates).
    if (f.ats && s.config != ste_config::BYPASS) {
        // NS1ATS is RES0 without stage 2, so split-stage is only legal nested.
        const bool ns1ats = !(f.stage1 && f.stage2);
        if (s.eats == eats::SPLIT && (s.config != ste_config::NESTED || s.s2s || ns1ats))
            return kIllegal;
        // SMMUv3.1 and later: Full ATS with a stalling stage 2 is ILLEGAL.
        if (s.eats == eats::FULL && s.s2s && s2) return kIllegal;
        // EATS == 0b11 without DPT is Reserved and behaves as 0b00: not ILLEGAL.
    }

    // STRW is unused without Hyp (Non-secure), with stage 2, or in bypass.
    const bool strw_unused = !f.stage1 || !f.hyp || s2 || s.config == ste_config::BYPASS;
    if (!strw_unused && (s.strw & 1)) return kIllegal;  // STRW 0bx1 Reserved

    if (s1) {
        // S1STALLD == 1 is ILLEGAL unless the Stall model is configurable.
        if (s.s1stalld && f.stall_model != idr0::STALL_MODEL_STALL_TERM) return kIllegal;
        // S1CDMax allowable range 0..SSIDSIZE (IGNORED when SSIDSIZE == 0).
        if (f.ssid_bits != 0 && s.s1cdmax > f.ssid_bits) return kIllegal;
        // 2-level CD tables without CD2L.
        if (f.ssid_bits != 0 && s.s1cdmax != 0 && !f.cd_2level &&
            (s.s1fmt == s1fmt::L2_4K || s.s1fmt == s1fmt::L2_64K))
            return kIllegal;
        // S1ContextPtr is a PA that must be within the OAS (IPA/IAS with stage 2).
        if (!s2 && above_bits(s.s1_context_ptr, f.oas_bits)) return kIllegal;
    }

    if (s2) {
        if (s.s2s && f.stall_model == idr0::STALL_MODEL_TERM_ONLY) return kIllegal;
        if (!s.s2s && f.stall_model == idr0::STALL_MODEL_STALL_FORCED) return kIllegal;
        if (!s.s2aa64 && !f.ttf_aarch32) return kIllegal;
        if (s.s2aa64 && !f.ttf_aarch64) return kIllegal;
        if ((s.s2ha || s.s2hd) && (!s.s2aa64 || f.httu == 0)) return kIllegal;
        if (s.s2hd && f.httu == 1) return kIllegal;
        if (s.s2aa64) {
            const unsigned g = s2tg_shift(s.s2tg);
            if (g == 0 || !granule_supported(f, g)) return kIllegal;
        }
        const unsigned pa = s.s2aa64 ? std::min(ps_bits(s.s2ps), f.oas_bits) : 40u;
        if (above_bits(s.s2ttb, pa)) return kIllegal;
        if (f.ttendian == idr0::TTENDIAN_LE && s.s2endi) return kIllegal;
        if (f.ttendian == idr0::TTENDIAN_BE && !s.s2endi) return kIllegal;
        if (!f.vmid16 && (s.s2vmid >> 8) != 0) return kIllegal;
    }
    return EventId::None;
}

smmu::S2Config ste_s2_config(const Ste& s, const Features& f) {
    smmu::S2Config c;
    c.ttb = s.s2ttb;
    c.t0sz = s.s2t0sz;
    const unsigned g = s2tg_shift(s.s2tg);
    c.tg = g ? static_cast<smmu::Granule>(g) : smmu::Granule::K4;
    c.sl0 = s.s2sl0;
    c.ps_bits = std::min(ps_bits(s.s2ps), f.oas_bits);
    c.affd = s.s2affd;
    return c;
}

std::string to_string(const Ste& s) {
    const char* cfg = s.config == ste_config::BYPASS ? "bypass"
                    : s.config == ste_config::S1_TRANS ? "s1_trans"
                    : s.config == ste_config::S2_TRANS ? "s2_only"
                    : s.config == ste_config::NESTED ? "nested" : "abort";
    char b[320];
    int n = std::snprintf(b, sizeof b, "STE V=%d Config=%s", s.v ? 1 : 0, cfg);
    if (s.stage1_enabled())
        n += std::snprintf(b + n, sizeof b - n, " S1ContextPtr=0x%llx S1CDMax=%u", (unsigned long long)s.s1_context_ptr,
                           unsigned(s.s1cdmax));
    if (s.stage2_enabled())
        std::snprintf(b + n, sizeof b - n,
                      " S2VMID=%u S2T0SZ=%u S2SL0=%u S2TG=%u S2PS=%u S2AA64=%d S2AFFD=%d S2S=%d S2R=%d S2TTB=0x%llx",
                      unsigned(s.s2vmid), unsigned(s.s2t0sz), unsigned(s.s2sl0), unsigned(s.s2tg), unsigned(s.s2ps),
                      s.s2aa64 ? 1 : 0, s.s2affd ? 1 : 0, s.s2s ? 1 : 0, s.s2r ? 1 : 0, (unsigned long long)s.s2ttb);
    return b;
}

StL1Desc decode_st_l1(uint64_t w) {
    StL1Desc d;
    d.span = static_cast<unsigned>(l1std_f::SPAN.get(w));
    d.l2ptr = w & l1std_f::L2PTR.mask();
    return d;
}

uint64_t encode_st_l1(const StL1Desc& d) {
    return l1std_f::SPAN.make(d.span) | (d.l2ptr & l1std_f::L2PTR.mask());
}

}  // namespace iopf::smmu::v3
