#include "models/smmu/vmsa.h"

namespace iopf::smmu {

namespace {

uint64_t leaf_bits(const LeafAttrs& a) {
    uint64_t d = 0;
    d |= uint64_t(a.attr_index & 0x7) << vmsa::kAttrIndxShift;
    d |= uint64_t(a.ap & 0x3) << vmsa::kApShift;
    d |= uint64_t(a.sh & 0x3) << vmsa::kShShift;
    if (a.af) d |= vmsa::kAF;
    if (a.ng) d |= vmsa::kNG;
    if (a.pxn) d |= vmsa::kPXN;
    if (a.uxn) d |= vmsa::kUXN;
    return d;
}

}  // namespace

uint64_t make_table_desc(uint64_t next_table_pa, uint8_t ap_table, bool uxn_table,
                         bool pxn_table) {
    uint64_t d = vmsa::kValid | vmsa::kTableOrPage | (next_table_pa & vmsa::kOaMask);
    d |= uint64_t(ap_table & 0x3) << vmsa::kAPTableShift;
    if (uxn_table) d |= vmsa::kUXNTable;
    if (pxn_table) d |= vmsa::kPXNTable;
    return d;
}

uint64_t make_page_desc(uint64_t pa, const LeafAttrs& attrs) {
    return vmsa::kValid | vmsa::kTableOrPage | (pa & vmsa::kOaMask) | leaf_bits(attrs);
}

uint64_t make_block_desc(uint64_t pa, const LeafAttrs& attrs) {
    return vmsa::kValid | (pa & vmsa::kOaMask) | leaf_bits(attrs);
}

LeafAttrs leaf_attrs_for(bool writable, bool user, bool executable) {
    LeafAttrs a;
    a.ap = uint8_t((user ? 0b01 : 0b00) | (writable ? 0b00 : 0b10));
    a.uxn = !(executable && user);
    a.pxn = !(executable && !user);
    return a;
}

LeafAttrs decode_leaf_attrs(uint64_t desc) {
    LeafAttrs a;
    a.attr_index = uint8_t((desc >> vmsa::kAttrIndxShift) & 0x7);
    a.ap = uint8_t((desc >> vmsa::kApShift) & 0x3);
    a.sh = uint8_t((desc >> vmsa::kShShift) & 0x3);
    a.af = (desc & vmsa::kAF) != 0;
    a.ng = (desc & vmsa::kNG) != 0;
    a.pxn = (desc & vmsa::kPXN) != 0;
    a.uxn = (desc & vmsa::kUXN) != 0;
    return a;
}

bool permits(const LeafAttrs& a, const Access& acc, bool wxn) {
    const bool el0_access = (a.ap & 0b01) != 0;   // AP[1]
    const bool read_only = (a.ap & 0b10) != 0;    // AP[2]
    if (!acc.priv && !el0_access) return false;
    if (acc.write && read_only) return false;
    if (acc.exec) {
        // Writable at this privilege: read/write checks above already passed for the
        // privilege level, so "writable" is simply AP[2]=0.
        if (wxn && !read_only) return false;
        if (acc.priv ? a.pxn : a.uxn) return false;
        // Implicit PXN: a region writable at EL0 (AP[2:1] = 0b01) is privileged
        // execute-never whatever its PXN bit (Arm ARM D8, "Memory access control": for the
        // EL1&0 regime, PXN is treated as 1 for a location writable at EL0).
        if (acc.priv && !read_only && el0_access) return false;
    }
    return true;
}

}  // namespace iopf::smmu
