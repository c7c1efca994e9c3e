#include "models/host/io_pgtable.h"

#include <vector>

#include "models/common/params.h"
#include "models/common/units.h"

namespace iopf {
namespace {

constexpr uint64_t kPage = 4096;
inline unsigned shift_of(unsigned level) { return 12 + 9 * (3 - level); }   // L0: 39 ... L3: 12
inline uint64_t index_of(uint64_t va, unsigned level) { return (va >> shift_of(level)) & 0x1ff; }
inline bool valid(uint64_t d) { return d & 1; }
inline uint64_t next_addr(uint64_t d) { return d & 0x000ffffffffff000ull; }

}  // namespace

const char* pgtable_format_name(PgtableFormat f) {
    return f == PgtableFormat::x86_64 ? "x86_64" : "vmsav8_64";
}

IoPgtable::IoPgtable(HostBus& bus, PhysAlloc& alloc, Cpu& cpu, PgtableCosts costs, PgtableFormat format)
    : bus_(bus), alloc_(alloc), cpu_(cpu), costs_(costs), format_(format), root_(0) {}

bool IoPgtable::is_table(uint64_t d, unsigned level) const {
    if (format_ == PgtableFormat::x86_64) return level < 3 && (d & smmu::x86pte::P) && !(d & smmu::x86pte::PS);
    return level < 3 && (d & 3) == 3;
}

uint64_t IoPgtable::table_desc(uint64_t next) const {
    // x86-64: table entries grant everything (R/W, U/S, no XD); the leaf decides.
    return format_ == PgtableFormat::x86_64 ? smmu::x86_table_entry(next) : smmu::make_table_desc(next);
}

uint64_t IoPgtable::leaf_desc(uint64_t pa, unsigned level, const smmu::LeafAttrs& a) const {
    if (format_ == PgtableFormat::x86_64) {
        // From the VMSA-style attributes: AP[2] = read-only, AP[1] = user; execute-never is
        // UXN for a user mapping, PXN for a kernel one. Like Linux's PAGE_* protections the
        // entry is made young (A = 1) and, when writable, dirty (D = 1: the fault was a write).
        const bool writable = !(a.ap & 2), user = a.ap & 1;
        const bool xd = user ? a.uxn : a.pxn;
        return smmu::x86_leaf_entry(pa, 4 - level, writable, user, xd, true, writable);
    }
    return level == 3 ? smmu::make_page_desc(pa, a) : smmu::make_block_desc(pa, a);
}

void IoPgtable::charge_pte_write() {
    // The caller runs on a core (OnCore): software time per descriptor beyond the access.
    cpu_.busy(costs_.pte_write.sample(), "pte_write");
    ++writes_;
}

uint64_t IoPgtable::new_table() {
    uint64_t pa = alloc_.alloc(kPage, kPage);
    // A table page must read as all-invalid: zero it (a timed 4 KiB write).
    std::vector<uint8_t> zero(kPage, 0);
    bus_.write(pa, zero.data(), kPage);
    ++tables_;
    return pa;
}

uint64_t IoPgtable::table_for(uint64_t va, unsigned level, bool create) {
    if (!root_) {
        if (!create) return 0;
        root_ = new_table();
    }
    uint64_t table = root_;
    for (unsigned l = 0; l < level; ++l) {
        uint64_t slot = table + index_of(va, l) * 8;
        uint64_t d = bus_.read64(slot);
        if (!valid(d)) {
            if (!create) return 0;
            uint64_t t = new_table();
            bus_.write64(slot, table_desc(t));
            charge_pte_write();
            table = t;
        } else if (is_table(d, l)) {
            table = next_addr(d);
        } else {
            if (!create) return 0;
            throw ConfigError("page tables: " + hex(va) + " is already covered by a block mapping");
        }
    }
    return table;
}

void IoPgtable::map(uint64_t va, uint64_t pa, uint64_t size, const smmu::LeafAttrs& attrs, bool allow_blocks) {
    if ((va | pa | size) & (kPage - 1))
        throw ConfigError("mapping " + hex(va) + " -> " + hex(pa) + " size " + hex(size) + ": not 4 KiB aligned");
    if (size == 0 || va + size < va || (va + size - 1) >> kVaBits)
        throw ConfigError("mapping " + hex(va) + " size " + hex(size) + ": outside the 48-bit VA space");
    uint64_t off = 0;
    while (off < size) {
        const uint64_t v = va + off, p = pa + off, left = size - off;
        unsigned level = 3;
        if (allow_blocks) {
            for (unsigned l : {1u, 2u}) {
                const uint64_t bs = 1ull << shift_of(l);
                if (!((v | p) & (bs - 1)) && left >= bs) { level = l; break; }
            }
        }
        const uint64_t table = table_for(v, level, true);
        const uint64_t slot = table + index_of(v, level) * 8;
        if (valid(bus_.read64(slot)))
            throw ConfigError("mapping " + hex(v) + ": overlaps an existing mapping");
        bus_.write64(slot, leaf_desc(p, level, attrs));
        charge_pte_write();
        off += 1ull << shift_of(level);
    }
}

bool IoPgtable::map_desc(uint64_t va, uint64_t desc) {
    const uint64_t table = table_for(va, 3, true);
    const uint64_t slot = table + index_of(va, 3) * 8;
    if (valid(bus_.read64(slot))) return false;
    bus_.write64(slot, desc);
    charge_pte_write();
    return true;
}

uint64_t IoPgtable::unmap(uint64_t va, uint64_t size, std::vector<uint64_t>* freed) {
    uint64_t n = 0;
    for (uint64_t off = 0; off < size; off += kPage) {
        const uint64_t table = table_for(va + off, 3, false);
        if (!table) continue;
        const uint64_t slot = table + index_of(va + off, 3) * 8;
        const uint64_t d = bus_.read64(slot);
        if (!valid(d)) continue;
        if (freed) freed->push_back(next_addr(d));
        bus_.write64(slot, 0);
        charge_pte_write();
        ++n;
    }
    return n;
}

uint64_t IoPgtable::lookup(uint64_t va) {
    if (!root_) return 0;
    uint64_t table = root_;
    for (unsigned l = 0; l <= 3; ++l) {
        uint64_t d = bus_.read64(table + index_of(va, l) * 8);
        if (!valid(d)) return 0;
        if (l == 3 || !is_table(d, l)) return d;
        table = next_addr(d);
    }
    return 0;
}

}  // namespace iopf
