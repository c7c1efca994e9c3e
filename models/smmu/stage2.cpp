#include "models/smmu/stage2.h"

namespace iopf::smmu {

namespace {

constexpr unsigned kMaxOaBits = 48;  // no FEAT_LPA/LPA2

bool above(uint64_t addr, unsigned bits) { return bits < 64 && (addr >> bits) != 0; }

uint64_t oa_mask(unsigned lsb) {
    return ((uint64_t(1) << kMaxOaBits) - 1) & ~((uint64_t(1) << lsb) - 1);
}

S2WalkResult fail(S2WalkResult r, EventId id, unsigned level, uint64_t desc_pa = 0) {
    r.fault = id;
    r.level = level;
    r.fault_desc_pa = desc_pa;
    return r;
}

uint64_t s2_leaf_bits(const S2Attrs& a) {
    uint64_t d = 0;
    d |= uint64_t(a.memattr & 0xf) << vmsa_s2::kMemAttrShift;
    d |= uint64_t(a.s2ap & 0x3) << vmsa_s2::kS2APShift;
    d |= uint64_t(a.sh & 0x3) << vmsa::kShShift;
    if (a.af) d |= vmsa::kAF;
    if (a.xn) d |= vmsa::kUXN;  // XN is bit 54
    return d;
}

}  // namespace

int s2_start_level(Granule tg, unsigned sl0) {
    if (tg == Granule::K4) {
        switch (sl0) {
            case 0: return 2;
            case 1: return 1;
            case 2: return 0;
            default: return -1;  // 0b11: level 3 only with FEAT_TTST
        }
    }
    if (tg == Granule::K16 || tg == Granule::K64) {
        switch (sl0) {
            case 0: return 3;
            case 1: return 2;
            case 2: return 1;
            default: return -1;  // 0b11: level 0 (16K) only with FEAT_LPA2; 64K Reserved
        }
    }
    return -1;
}

bool s2_config_valid(const S2Config& c) {
    if (c.tg != Granule::K4 && c.tg != Granule::K16 && c.tg != Granule::K64) return false;
    if (c.t0sz < 16 || c.t0sz > 39) return false;
    const int start = s2_start_level(c.tg, c.sl0);
    if (start < 0) return false;
    const unsigned g = granule_shift(c.tg);
    const unsigned stride = g - 3;
    const unsigned levels = 3 - unsigned(start);
    const unsigned ia = 64 - c.t0sz;
    // AArch64.S2InconsistentSL: the start level resolves at least 1 bit and at most
    // stride + 4 bits (one full level plus up to 16 concatenated tables).
    const unsigned sl_min = levels * stride + g + 1;
    const unsigned sl_max = sl_min + (stride - 1) + 4;
    return ia >= sl_min && ia <= sl_max;
}

uint64_t s2_start_table_entries(const S2Config& c) {
    if (!s2_config_valid(c)) return 0;
    const unsigned g = granule_shift(c.tg);
    const unsigned stride = g - 3;
    const unsigned start = unsigned(s2_start_level(c.tg, c.sl0));
    const unsigned start_shift = g + (3 - start) * stride;
    return uint64_t(1) << ((64 - c.t0sz) - start_shift);
}

bool s2_permits(const S2Attrs& a, const Access& acc) {
    if (acc.exec) return !a.xn;
    if (acc.write) return (a.s2ap & vmsa_s2::kS2APWrite) != 0;
    return (a.s2ap & vmsa_s2::kS2APRead) != 0;
}

uint64_t make_s2_page_desc(uint64_t pa, const S2Attrs& a) {
    return vmsa::kValid | vmsa::kTableOrPage | (pa & vmsa::kOaMask) | s2_leaf_bits(a);
}

uint64_t make_s2_block_desc(uint64_t pa, const S2Attrs& a) {
    return vmsa::kValid | (pa & vmsa::kOaMask) | s2_leaf_bits(a);
}

S2Attrs s2_attrs_for(bool read, bool write, bool exec) {
    S2Attrs a;
    a.s2ap = uint8_t((read ? vmsa_s2::kS2APRead : 0) | (write ? vmsa_s2::kS2APWrite : 0));
    a.xn = !exec;
    return a;
}

S2Attrs decode_s2_attrs(uint64_t d) {
    S2Attrs a;
    a.memattr = uint8_t((d >> vmsa_s2::kMemAttrShift) & 0xf);
    a.s2ap = uint8_t((d >> vmsa_s2::kS2APShift) & 0x3);
    a.sh = uint8_t((d >> vmsa::kShShift) & 0x3);
    a.af = (d & vmsa::kAF) != 0;
    a.xn = (d & vmsa::kUXN) != 0;
    return a;
}

S2WalkResult walk_stage2(const S2Config& cfg, uint64_t ipa, const Access& access,
                         WalkMemory& mem) {
    S2WalkResult r;
    if (!s2_config_valid(cfg)) return fail(r, EventId::F_TRANSLATION, 0);
    const unsigned ia = 64 - cfg.t0sz;
    if (above(ipa, ia)) return fail(r, EventId::F_TRANSLATION, 0);

    const unsigned ps = cfg.ps_bits < kMaxOaBits ? cfg.ps_bits : kMaxOaBits;
    if (above(cfg.ttb, ps)) return fail(r, EventId::F_ADDR_SIZE, 0);

    const unsigned g = granule_shift(cfg.tg);
    const unsigned stride = g - 3;
    const unsigned start = unsigned(s2_start_level(cfg.tg, cfg.sl0));
    const unsigned start_shift = g + (3 - start) * stride;
    const unsigned start_bits = ia - start_shift;   // > stride: concatenated tables
    uint64_t table = cfg.ttb & ~((uint64_t(8) << start_bits) - 1);

    for (unsigned level = start; level <= 3; ++level) {
        const unsigned shift = g + (3 - level) * stride;
        const unsigned bits = level == start ? start_bits : stride;
        const uint64_t index = (ipa >> shift) & ((uint64_t(1) << bits) - 1);
        const uint64_t desc_pa = table + index * 8;

        uint64_t d = 0;
        ++r.reads;
        if (!mem.read64(desc_pa, d)) return fail(r, EventId::F_WALK_EABT, level, desc_pa);
        if (!(d & vmsa::kValid)) return fail(r, EventId::F_TRANSLATION, level, desc_pa);

        const bool type_bit = (d & vmsa::kTableOrPage) != 0;
        if (level < 3 && type_bit) {
            const uint64_t next = d & oa_mask(g);
            if (above(next, ps)) return fail(r, EventId::F_ADDR_SIZE, level, desc_pa);
            table = next;
            continue;
        }
        if (level == 3 ? !type_bit : !s1_block_allowed(cfg.tg, level))
            return fail(r, EventId::F_TRANSLATION, level, desc_pa);

        const uint64_t pa_base = d & oa_mask(shift);
        if (above(pa_base, ps)) return fail(r, EventId::F_ADDR_SIZE, level, desc_pa);

        r.level = level;
        r.size_log2 = shift;
        r.ipa_base = ipa & ~((uint64_t(1) << shift) - 1);
        r.pa_base = pa_base;
        r.pa = pa_base | (ipa & ((uint64_t(1) << shift) - 1));
        r.attrs = decode_s2_attrs(d);
        if (!r.attrs.af && !cfg.affd) return fail(r, EventId::F_ACCESS, level, desc_pa);
        if (!s2_permits(r.attrs, access)) return fail(r, EventId::F_PERMISSION, level, desc_pa);
        return r;
    }
    return fail(r, EventId::F_TRANSLATION, 3);
}

}  // namespace iopf::smmu
