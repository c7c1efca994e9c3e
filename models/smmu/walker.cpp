#include "models/smmu/walker.h"

namespace iopf::smmu {

namespace {

constexpr unsigned kMaxOaBits = 48;  // no FEAT_LPA/LPA2

bool valid_granule(Granule tg) {
    return tg == Granule::K4 || tg == Granule::K16 || tg == Granule::K64;
}

// True if any bit at or above `bits` is set in `addr`.
bool above(uint64_t addr, unsigned bits) { return bits < 64 && (addr >> bits) != 0; }

// Mask selecting descriptor output-address bits [51:lsb]. Without FEAT_LPA, bits [51:48]
// are RES0; taking them as address bits means a descriptor that sets them yields an
// output address above any OAS this walker supports: an Address size fault, never a PA
// silently truncated to 48 bits (which would alias another buffer).
uint64_t oa_mask(unsigned lsb) {
    return ((uint64_t(1) << 52) - 1) & ~((uint64_t(1) << lsb) - 1);
}

WalkResult fail(WalkResult r, EventId id, unsigned level, uint64_t desc_pa = 0) {
    r.fault = id;
    r.level = level;
    r.fault_desc_pa = desc_pa;
    return r;
}

}  // namespace

int s1_start_level(Granule tg, unsigned tsz) {
    if (!valid_granule(tg) || tsz < 16 || tsz > 39) return -1;
    const unsigned g = granule_shift(tg);
    const unsigned stride = g - 3;
    const unsigned ia = 64 - tsz;
    const unsigned levels = (ia - g + stride - 1) / stride;  // ceil((ia - g) / stride)
    return 4 - int(levels);
}

bool s1_block_allowed(Granule tg, unsigned level) {
    switch (tg) {
        case Granule::K4: return level == 1 || level == 2;
        case Granule::K16: return level == 2;
        case Granule::K64: return level == 2;
    }
    return false;
}

WalkResult walk_stage1(const S1Config& cfg, uint64_t va, const Access& access, WalkMemory& mem) {
    WalkResult r;

    // Select the half by VA[63] (TBI not modelled), then check the whole top of the VA
    // against that half's TxSZ. Out-of-range VA, unsupported TxSZ/granule and EPDx are
    // level-0 Translation faults (Arm ARM pseudocode AArch64.S1Translate/S1Walk).
    const unsigned half = unsigned(va >> 63);
    const S1Config::Half& h = cfg.tt[half];
    const int start = s1_start_level(h.tg, h.tsz);
    if (start < 0) return fail(r, EventId::F_TRANSLATION, 0);
    if (h.epd) return fail(r, EventId::F_TRANSLATION, 0);
    const unsigned ia = 64 - h.tsz;
    const uint64_t top = va >> ia;
    const uint64_t top_ones = (uint64_t(1) << (64 - ia)) - 1;  // ia >= 25, no overflow
    if (top != (half ? top_ones : 0)) return fail(r, EventId::F_TRANSLATION, 0);

    const unsigned ips = cfg.ips_bits < kMaxOaBits ? cfg.ips_bits : kMaxOaBits;
    const unsigned g = granule_shift(h.tg);
    const unsigned stride = g - 3;

    // TTB wider than the output size: Address size fault reported at level 0 (Arm ARM
    // pseudocode AArch64.S1Walk, "Detect Address Size Fault by TTB").
    if (above(h.ttb, ips)) return fail(r, EventId::F_ADDR_SIZE, 0);

    // The start-level table is aligned to its own size; lower TTB bits are treated as 0.
    const unsigned start_shift = g + unsigned(3 - start) * stride;
    const unsigned start_bits = ia - start_shift;
    uint64_t table = h.ttb & ~((uint64_t(8) << start_bits) - 1);

    // Hierarchical attributes accumulated from table descriptors.
    uint8_t ap_table = 0;
    bool uxn_table = false, pxn_table = false;

    for (unsigned level = unsigned(start); level <= 3; ++level) {
        const unsigned shift = g + (3 - level) * stride;
        const unsigned bits = level == unsigned(start) ? start_bits : stride;
        const uint64_t index = (va >> shift) & ((uint64_t(1) << bits) - 1);
        const uint64_t desc_pa = table + index * 8;

        uint64_t d = 0;
        ++r.reads;
        if (!mem.read64(desc_pa, d)) return fail(r, EventId::F_WALK_EABT, level, desc_pa);
        if (!(d & vmsa::kValid)) return fail(r, EventId::F_TRANSLATION, level, desc_pa);

        const bool type_bit = (d & vmsa::kTableOrPage) != 0;
        if (level < 3 && type_bit) {
            // Table descriptor: next-level table address is bits [47:g].
            const uint64_t next = d & oa_mask(g);
            if (above(next, ips)) return fail(r, EventId::F_ADDR_SIZE, level, desc_pa);
            ap_table |= uint8_t((d >> vmsa::kAPTableShift) & 0x3);
            uxn_table |= (d & vmsa::kUXNTable) != 0;
            pxn_table |= (d & vmsa::kPXNTable) != 0;
            table = next;
            continue;
        }
        // Leaf: page (level 3, 0b11) or block (0b01 where the granule permits it).
        // Level-3 0b01 and blocks at unsupported levels are reserved encodings, which
        // behave as invalid descriptors: Translation fault.
        if (level == 3 ? !type_bit : !s1_block_allowed(h.tg, level))
            return fail(r, EventId::F_TRANSLATION, level, desc_pa);

        const uint64_t pa_base = d & oa_mask(shift);
        if (above(pa_base, ips)) return fail(r, EventId::F_ADDR_SIZE, level, desc_pa);

        LeafAttrs a = decode_leaf_attrs(d);
        if (ap_table & vmsa::kAPTableNoEL0) a.ap &= uint8_t(~0b01);
        if (ap_table & vmsa::kAPTableNoWrite) a.ap |= 0b10;
        a.uxn = a.uxn || uxn_table;
        a.pxn = a.pxn || pxn_table;

        r.level = level;
        r.size_log2 = shift;
        r.va_base = va & ~((uint64_t(1) << shift) - 1);
        r.pa_base = pa_base;
        r.pa = pa_base | (va & ((uint64_t(1) << shift) - 1));
        r.attrs = a;

        // Fault priority after a successful walk: Access flag before Permission (SMMUv3
        // IHI 0070, STE.S2AFFD/CD.AFFD: "an Access flag fault takes priority over a
        // Permission fault"; Arm ARM fault prioritization lists Translation, Address
        // size, Access flag, then Permission for one stage of translation).
        if (!a.af && !cfg.affd) return fail(r, EventId::F_ACCESS, level, desc_pa);
        if (!permits(a, access, cfg.wxn)) return fail(r, EventId::F_PERMISSION, level, desc_pa);
        return r;
    }
    // Unreachable: level 3 always returns.
    return fail(r, EventId::F_TRANSLATION, 3);
}

}  // namespace iopf::smmu
