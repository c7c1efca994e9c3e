#include "models/smmu/v3/format/cd.h"

#include <algorithm>

namespace iopf::smmu::v3 {

Cd decode_cd(const uint64_t w[8]) {
    Cd c;
    for (int i = 0; i < 8; ++i) c.raw[i] = w[i];
    const uint64_t w0 = w[0];
    c.t0sz = static_cast<uint8_t>(cd_f::T0SZ.get(w0));
    c.tg0 = static_cast<uint8_t>(cd_f::TG0.get(w0));
    c.ir0 = static_cast<uint8_t>(cd_f::IR0.get(w0));
    c.or0 = static_cast<uint8_t>(cd_f::OR0.get(w0));
    c.sh0 = static_cast<uint8_t>(cd_f::SH0.get(w0));
    c.epd0 = cd_f::EPD0.get(w0);
    c.endi = cd_f::ENDI.get(w0);
    c.t1sz = static_cast<uint8_t>(cd_f::T1SZ.get(w0));
    c.tg1 = static_cast<uint8_t>(cd_f::TG1.get(w0));
    c.ir1 = static_cast<uint8_t>(cd_f::IR1.get(w0));
    c.or1 = static_cast<uint8_t>(cd_f::OR1.get(w0));
    c.sh1 = static_cast<uint8_t>(cd_f::SH1.get(w0));
    c.epd1 = cd_f::EPD1.get(w0);
    c.v = cd_f::V.get(w0);
    c.ips = static_cast<uint8_t>(cd_f::IPS.get(w0));
    c.affd = cd_f::AFFD.get(w0);
    c.wxn = cd_f::WXN.get(w0);
    c.uwxn = cd_f::UWXN.get(w0);
    c.tbi0 = cd_f::TBI0.get(w0);
    c.tbi1 = cd_f::TBI1.get(w0);
    c.pan = cd_f::PAN.get(w0);
    c.aa64 = cd_f::AA64.get(w0);
    c.hd = cd_f::HD.get(w0);
    c.ha = cd_f::HA.get(w0);
    c.s = cd_f::S.get(w0);
    c.r = cd_f::R.get(w0);
    c.a = cd_f::A.get(w0);
    c.aset = cd_f::ASET.get(w0);
    c.asid = static_cast<uint16_t>(cd_f::ASID.get(w0));

    c.nscfg0 = cd_f::NSCFG0.get(w[1]);
    c.had0 = cd_f::HAD0.get(w[1]);
    c.e0pd0 = cd_f::E0PD0.get(w[1]);
    c.haft = cd_f::HAFT.get(w[1]);
    c.ttb0 = w[1] & cd_f::TTB0.mask();

    c.nscfg1 = cd_f::NSCFG1.get(w[2]);
    c.had1 = cd_f::HAD1.get(w[2]);
    c.e0pd1 = cd_f::E0PD1.get(w[2]);
    c.aie = cd_f::AIE.get(w[2]);
    c.ttb1 = w[2] & cd_f::TTB1.mask();
    c.ds = cd_f::DS.get(w[2]);
    c.pie = cd_f::PIE.get(w[2]);

    c.mair = w[3];
    c.amair = w[4];
    return c;
}

void encode_cd(const Cd& c, uint64_t w[8]) {
    for (int i = 0; i < 8; ++i) w[i] = 0;
    w[0] = cd_f::T0SZ.make(c.t0sz) | cd_f::TG0.make(c.tg0) | cd_f::IR0.make(c.ir0) |
           cd_f::OR0.make(c.or0) | cd_f::SH0.make(c.sh0) | cd_f::EPD0.make(c.epd0) |
           cd_f::ENDI.make(c.endi) | cd_f::T1SZ.make(c.t1sz) | cd_f::TG1.make(c.tg1) |
           cd_f::IR1.make(c.ir1) | cd_f::OR1.make(c.or1) | cd_f::SH1.make(c.sh1) |
           cd_f::EPD1.make(c.epd1) | cd_f::V.make(c.v) | cd_f::IPS.make(c.ips) |
           cd_f::AFFD.make(c.affd) | cd_f::WXN.make(c.wxn) | cd_f::UWXN.make(c.uwxn) |
           cd_f::TBI0.make(c.tbi0) | cd_f::TBI1.make(c.tbi1) | cd_f::PAN.make(c.pan) |
           cd_f::AA64.make(c.aa64) | cd_f::HD.make(c.hd) | cd_f::HA.make(c.ha) |
           cd_f::S.make(c.s) | cd_f::R.make(c.r) | cd_f::A.make(c.a) |
           cd_f::ASET.make(c.aset) | cd_f::ASID.make(c.asid);
    w[1] = cd_f::NSCFG0.make(c.nscfg0) | cd_f::HAD0.make(c.had0) | cd_f::E0PD0.make(c.e0pd0) |
           cd_f::HAFT.make(c.haft) | (c.ttb0 & cd_f::TTB0.mask());
    w[2] = cd_f::NSCFG1.make(c.nscfg1) | cd_f::HAD1.make(c.had1) | cd_f::E0PD1.make(c.e0pd1) |
           cd_f::AIE.make(c.aie) | (c.ttb1 & cd_f::TTB1.mask()) | cd_f::DS.make(c.ds) |
           cd_f::PIE.make(c.pie);
    w[3] = c.mair;
    w[4] = c.amair;
}

unsigned tg0_granule_shift(uint8_t tg0) {
    switch (tg0 & 3) {
    case 0b00: return 12;
    case 0b01: return 16;
    case 0b10: return 14;
    default: return 0;
    }
}

unsigned tg1_granule_shift(uint8_t tg1) {
    switch (tg1 & 3) {
    case 0b01: return 14;
    case 0b10: return 12;
    case 0b11: return 16;
    default: return 0;
    }
}

uint8_t tg0_from_granule_shift(unsigned shift) {
    return shift == 16 ? 0b01 : shift == 14 ? 0b10 : 0b00;
}

uint8_t tg1_from_granule_shift(unsigned shift) {
    return shift == 16 ? 0b11 : shift == 14 ? 0b01 : 0b10;
}

unsigned cd_effective_ips_bits(const Cd& c, const Features& f) {
    unsigned ips = c.ips;
    // IPS 0b111 (56 bits) is only defined from SMMUv3.4; before that it behaves
    // as 0b110 (v3.1-v3.3) or 0b101 (v3.0). 0b110 behaves as 0b101 in v3.0.
    if (f.arch_minor == 0 && ips > 5) ips = 5;
    if (f.arch_minor < 4 && ips > 6) ips = 6;
    return std::min(oas_bits_from_field(ips), f.oas_bits);
}

namespace {

// CDTxSZInvalid() for VMSAv8-64 (spec 5.4.2), StreamWorld NS-EL1.
bool txsz_invalid(const Features& f, bool ds, unsigned txsz, unsigned granule_shift) {
    const bool small_granule = granule_shift == 12 || granule_shift == 14;
    const unsigned txsz_max = f.stt ? (small_granule ? 48u : 47u) : 39u;
    unsigned txsz_min = 16;
    if (f.vax >= 1 && (granule_shift == 16 || (f.ds && ds))) txsz_min = 12;
    return txsz < txsz_min || txsz > txsz_max;
}

// CDTTBxOutOfRange(): TTB outside the effective IPS, or outside 48 bits when
// DS == 0 and the granule is smaller than 64 KB.
bool ttb_out_of_range(uint64_t ttb, unsigned ips_bits, bool ds, unsigned granule_shift) {
    unsigned range = ips_bits;
    if (!ds && granule_shift != 16) range = std::min(range, 48u);
    return range < 64 && (ttb >> range) != 0;
}

}  // namespace

EventId check_cd(const Cd& c, const Features& f, bool ste_s1stalld) {
    constexpr EventId kIllegal = EventId::C_BAD_CD;
    if (!c.v) return kIllegal;
    if (ste_s1stalld && c.s) return kIllegal;
    if (f.term_model && !c.a) return kIllegal;
    if (f.stall_model == idr0::STALL_MODEL_TERM_ONLY && c.s) return kIllegal;
    if (f.stall_model == idr0::STALL_MODEL_STALL_FORCED && !c.s) return kIllegal;

    // StreamWorld NS-EL1: EPD0/EPD1 take effect.
    const bool walk0 = !c.epd0;
    const bool walk1 = !c.epd1;
    if (walk0 || walk1) {
        if (f.ttendian == idr0::TTENDIAN_LE && c.endi) return kIllegal;
        if (f.ttendian == idr0::TTENDIAN_BE && !c.endi) return kIllegal;
    }
    // AA64 == 0 selects VMSAv8-32 LPAE (no D128 in this model).
    if (!c.aa64 && !f.ttf_aarch32) return kIllegal;
    if (c.aa64 && !f.ttf_aarch64) return kIllegal;
    if (c.aa64) {
        if ((c.ha || c.hd) && f.httu == 0) return kIllegal;
        if (c.hd && f.httu == 1) return kIllegal;
        if (f.httu == 3 && c.haft && !c.ha) return kIllegal;
    }
    if (!f.asid16 && (c.asid >> 8) != 0) return kIllegal;

    if (c.aa64) {
        const unsigned g0 = tg0_granule_shift(c.tg0);
        const unsigned g1 = tg1_granule_shift(c.tg1);
        // TxSZ range (SMMUv3.1 onwards an out-of-range TxSZ is always ILLEGAL;
        // for v3.0 the spec allows either behaviour and this model picks ILLEGAL).
        if (walk0 && txsz_invalid(f, c.ds, c.t0sz, g0)) return kIllegal;
        if (walk1 && txsz_invalid(f, c.ds, c.t1sz, g1)) return kIllegal;
        const unsigned ips = cd_effective_ips_bits(c, f);
        if (walk0 && (g0 == 0 || !granule_supported(f, g0) ||
                      ttb_out_of_range(c.ttb0, ips, c.ds, g0)))
            return kIllegal;
        if (walk1 && (g1 == 0 || !granule_supported(f, g1) ||
                      ttb_out_of_range(c.ttb1, ips, c.ds, g1)))
            return kIllegal;
    } else {
        // VMSAv8-32 LPAE: TGx IGNORED, 40-bit output.
        if (walk0 && ttb_out_of_range(c.ttb0, 40, false, 12)) return kIllegal;
        if (walk1 && ttb_out_of_range(c.ttb1, 40, false, 12)) return kIllegal;
    }
    return EventId::None;
}

CdL1Desc decode_cd_l1(uint64_t w) {
    CdL1Desc d;
    d.v = l1cd_f::V.get(w);
    d.l2ptr = w & l1cd_f::L2PTR.mask();
    return d;
}

uint64_t encode_cd_l1(const CdL1Desc& d) {
    return l1cd_f::V.make(d.v) | (d.l2ptr & l1cd_f::L2PTR.mask());
}

}  // namespace iopf::smmu::v3
