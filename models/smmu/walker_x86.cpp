#include "models/smmu/walker_x86.h"

namespace iopf::smmu {

const char* x86_fault_name(X86Fault f) {
    switch (f) {
        case X86Fault::None: return "none";
        case X86Fault::NotPresent: return "not-present";
        case X86Fault::Reserved: return "reserved-bit";
        case X86Fault::NonCanonical: return "non-canonical";
        case X86Fault::User: return "user";
        case X86Fault::Write: return "write";
        case X86Fault::Exec: return "exec";
        case X86Fault::Abort: return "abort";
    }
    return "?";
}

EventId x86_fault_event(X86Fault f) {
    switch (f) {
        case X86Fault::None: return EventId::None;
        case X86Fault::NotPresent:
        case X86Fault::Reserved:
        case X86Fault::NonCanonical: return EventId::F_TRANSLATION;
        case X86Fault::User:
        case X86Fault::Write:
        case X86Fault::Exec: return EventId::F_PERMISSION;
        case X86Fault::Abort: return EventId::F_WALK_EABT;
    }
    return EventId::F_TRANSLATION;
}

bool x86_canonical(uint64_t va, bool five_level) {
    const unsigned top = five_level ? 56 : 47;
    const int64_t s = int64_t(va) >> top;  // arithmetic shift: all ones or all zeros
    return s == 0 || s == -1;
}

uint64_t x86_table_entry(uint64_t next, bool writable, bool user, bool xd) {
    return x86pte::P | (writable ? x86pte::RW : 0) | (user ? x86pte::US : 0) |
           (next & x86pte::ADDR) | (xd ? x86pte::XD : 0);
}

uint64_t x86_leaf_entry(uint64_t pa, unsigned level, bool writable, bool user, bool xd,
                        bool accessed, bool dirty) {
    uint64_t e = x86pte::P | (writable ? x86pte::RW : 0) | (user ? x86pte::US : 0) |
                 (pa & x86pte::ADDR) | (xd ? x86pte::XD : 0) | (accessed ? x86pte::A : 0) |
                 (dirty ? x86pte::D : 0);
    if (level >= 2) e |= x86pte::PS;
    return e;
}

X86Fault x86_access_check(const X86Rights& r, bool wpe, bool smep, const Access& access) {
    const bool supervisor = access.priv;
    if (!supervisor && !r.us) return X86Fault::User;
    if (access.write && !(supervisor ? (r.rw || !wpe) : r.rw)) return X86Fault::Write;
    if (access.exec && (r.xd || (supervisor && smep && r.us))) return X86Fault::Exec;
    return X86Fault::None;
}

namespace {

X86WalkResult fail(X86WalkResult r, X86Fault f, unsigned level, uint64_t entry_pa) {
    r.fault = f;
    r.level = level;
    r.fault_entry_pa = entry_pa;
    return r;
}

unsigned level_shift(unsigned level) { return 12 + 9 * (level - 1); }

}  // namespace

X86WalkResult walk_x86(const X86Config& cfg, uint64_t va, const Access& access, WalkMemory& mem,
                       WalkWriter* writer) {
    X86WalkResult r;
    const unsigned top_level = cfg.five_level ? 5 : 4;
    if (!x86_canonical(va, cfg.five_level)) return fail(r, X86Fault::NonCanonical, top_level, 0);

    const unsigned aw = cfg.addr_width < 52 ? cfg.addr_width : 52;
    const uint64_t above_aw = x86pte::ADDR & ~((uint64_t(1) << aw) - 1);

    uint64_t entry_pa[5] = {};
    uint64_t entry_val[5] = {};
    unsigned used = 0;
    bool rw = true, us = true, xd = false;
    uint64_t table = cfg.root & x86pte::ADDR;
    unsigned level = top_level;
    for (;; --level) {
        const unsigned shift = level_shift(level);
        const uint64_t pa = table + ((va >> shift) & 0x1ff) * 8;
        uint64_t e = 0;
        ++r.reads;
        if (!mem.read64(pa, e)) return fail(r, X86Fault::Abort, level, pa);
        if (!(e & x86pte::P)) return fail(r, X86Fault::NotPresent, level, pa);

        const bool ps = (e & x86pte::PS) && level >= 2;
        bool reserved = (e & above_aw) != 0;
        if (!cfg.nxe && (e & x86pte::XD)) reserved = true;
        if ((level >= 4) && (e & x86pte::PS)) reserved = true;
        if (level == 3 && ps && !cfg.allow_1g) reserved = true;
        if (level == 3 && ps && (e & 0x3fffe000ull)) reserved = true;   // [29:13]
        if (level == 2 && ps && (e & 0x1fe000ull)) reserved = true;     // [20:13]
        if (reserved) return fail(r, X86Fault::Reserved, level, pa);

        rw = rw && (e & x86pte::RW);
        us = us && (e & x86pte::US);
        xd = xd || (cfg.nxe && (e & x86pte::XD));
        entry_pa[used] = pa;
        entry_val[used] = e;
        ++used;

        if (level == 1 || ps) {
            r.size_log2 = shift;
            const uint64_t page_mask = (uint64_t(1) << shift) - 1;
            r.pa_base = e & x86pte::ADDR & ~page_mask;
            r.va_base = va & ~page_mask;
            r.pa = r.pa_base | (va & page_mask);
            break;
        }
        table = e & x86pte::ADDR;
    }
    r.level = level;

    const bool supervisor = access.priv;
    r.rights = X86Rights{rw, us, xd};
    r.user = us;
    r.writable = supervisor ? (rw || !cfg.wpe) : rw;
    r.executable = !xd && !(supervisor && cfg.smep && us);
    r.dirty = (entry_val[used - 1] & x86pte::D) != 0;
    if (const X86Fault f = x86_access_check(r.rights, cfg.wpe, cfg.smep, access); f != X86Fault::None)
        return fail(r, f, level, entry_pa[used - 1]);

    if (cfg.set_ad && writer) {
        for (unsigned i = 0; i < used; ++i) {
            uint64_t want = entry_val[i] | x86pte::A;
            if (i + 1 == used && access.write) want |= x86pte::D;
            if (want != entry_val[i]) {
                ++r.writes;
                if (!writer->write64(entry_pa[i], want))
                    return fail(r, X86Fault::Abort, top_level - i, entry_pa[i]);
            }
            if (i + 1 == used) r.dirty = (want & x86pte::D) != 0;
        }
    }
    return r;
}

}  // namespace iopf::smmu
