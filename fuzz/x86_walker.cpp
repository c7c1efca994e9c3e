// The x86-64 first-stage walker (models/smmu/walker_x86.h) over page tables made of fuzz
// bytes: 4- or 5-level, any root, address width, WPE / NXE / SMEP / 1 GiB support, A/D
// updates with or without a writer, any VA and request kind, and an abort pattern for reads
// and for the A/D writes.
//
// Properties:
//  * the walk matches a reference walk written here from the SDM rules (vol. 3 4.5, 4.6) and
//    the header's list: the same entry reads in the same order, the same fault, level and
//    faulting entry, leaf, rights and A/D writes;
//  * independently of the reference: at most one aligned 8-byte read per level, each inside
//    the table the previous entry points at; `reads` / `writes` count them; a translation
//    keeps the page offset, is aligned to its page size (4 KiB, 2 MiB or 1 GiB) and its
//    output fits the address width (never truncated into range: a reserved-bit fault
//    instead); a permission fault never grants the access and a translation always does;
//    x86_access_check agrees with the SDM truth table;
//  * a mapping built with x86_table_entry / x86_leaf_entry translates to its page.
#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "fuzz/fuzz_input.h"
#include "models/smmu/walker_x86.h"

using namespace iopf::smmu;

namespace {

constexpr uint64_t kAddr = 0x000ffffffffff000ull;   // entry address bits [51:12]
constexpr uint64_t kP = 1, kRW = 2, kUS = 4, kA = 1ull << 5, kD = 1ull << 6, kPS = 1ull << 7,
                   kXD = 1ull << 63;

bool matches(uint64_t pa, uint64_t mask) { return mask && (pa & mask) == mask; }

// Entry reads come from a pool of fuzz words (cycled by PA); PAs matching a pattern abort.
struct FuzzMemory : WalkMemory {
    std::vector<uint64_t> words;
    uint64_t abort_mask = 0;
    std::vector<uint64_t> reads;
    uint64_t word(uint64_t pa) const { return words.empty() ? 0 : words[(pa >> 3) % words.size()]; }
    bool read64(uint64_t pa, uint64_t& v) override {
        reads.push_back(pa);
        FUZZ_CHECK((pa & 7) == 0);
        if (matches(pa, abort_mask)) return false;
        v = word(pa);
        return true;
    }
};

struct FuzzWriter : WalkWriter {
    uint64_t abort_mask = 0;
    std::vector<std::pair<uint64_t, uint64_t>> writes;
    bool write64(uint64_t pa, uint64_t v) override {
        writes.emplace_back(pa, v);
        return !matches(pa, abort_mask);
    }
};

// SDM 4.6: what a request may do with the rights ANDed (R/W, U/S) and ORed (XD) over the walk.
X86Fault sdm_access(bool rw, bool us, bool xd, bool wpe, bool smep, const Access& a) {
    const bool user = !a.priv;
    if (user && !us) return X86Fault::User;
    const bool may_write = user ? rw : (rw || !wpe);
    if (a.write && !may_write) return X86Fault::Write;
    const bool may_exec = !xd && !(!user && smep && us);
    if (a.exec && !may_exec) return X86Fault::Exec;
    return X86Fault::None;
}

bool any_bit(uint64_t e, unsigned lo, unsigned hi) {
    for (unsigned b = lo; b <= hi; ++b)
        if ((e >> b) & 1) return true;
    return false;
}

struct Ref {
    X86Fault fault = X86Fault::None;
    unsigned level = 0;
    uint64_t fault_pa = 0;
    bool leaf = false;   // reached a leaf (success or permission fault)
    unsigned size_log2 = 0;
    uint64_t pa = 0, pa_base = 0, va_base = 0;
    bool rw = true, us = true, xd = false;
    bool dirty = false;
    std::vector<uint64_t> reads;
    std::vector<std::pair<uint64_t, uint64_t>> writes;
};

Ref reference(const X86Config& c, uint64_t va, const Access& a, const FuzzMemory& m,
              const FuzzWriter* w) {
    Ref r;
    const unsigned levels = c.five_level ? 5 : 4;
    const unsigned va_bits = 12 + 9 * levels;   // 48 or 57
    const unsigned sign = (va >> (va_bits - 1)) & 1;
    for (unsigned b = va_bits; b < 64; ++b)
        if (((va >> b) & 1) != sign) {
            r.fault = X86Fault::NonCanonical;
            r.level = levels;
            return r;
        }
    const unsigned width = std::max(12u, std::min(c.addr_width, 52u));
    uint64_t table = c.root & kAddr;
    std::vector<uint64_t> entry, where;
    unsigned level = levels;
    for (;; --level) {
        const unsigned shift = 12 + 9 * (level - 1);
        const uint64_t pa = table | (((va >> shift) & 511) << 3);
        r.reads.push_back(pa);
        auto fail = [&](X86Fault f) {
            r.fault = f;
            r.level = level;
            r.fault_pa = pa;
            return r;
        };
        if (matches(pa, m.abort_mask)) return fail(X86Fault::Abort);
        const uint64_t e = m.word(pa);
        if (!(e & kP)) return fail(X86Fault::NotPresent);
        const bool big = (e & kPS) && (level == 2 || level == 3);
        bool rsv = width <= 51 && any_bit(e, width, 51);
        rsv |= !c.nxe && (e & kXD);
        rsv |= level >= 4 && (e & kPS);
        rsv |= level == 3 && big && (!c.allow_1g || any_bit(e, 13, 29));
        rsv |= level == 2 && big && any_bit(e, 13, 20);
        if (rsv) return fail(X86Fault::Reserved);
        r.rw = r.rw && (e & kRW);
        r.us = r.us && (e & kUS);
        r.xd = r.xd || (c.nxe && (e & kXD));
        entry.push_back(e);
        where.push_back(pa);
        if (level == 1 || big) {
            r.leaf = true;
            r.size_log2 = shift;
            r.pa_base = ((e & kAddr) >> shift) << shift;
            r.va_base = (va >> shift) << shift;
            r.pa = r.pa_base + (va - r.va_base);
            r.dirty = e & kD;
            break;
        }
        table = e & kAddr;
    }
    r.level = level;
    r.fault = sdm_access(r.rw, r.us, r.xd, c.wpe, c.smep, a);
    if (r.fault != X86Fault::None) {
        r.fault_pa = where.back();
        return r;
    }
    if (!c.set_ad || !w) return r;
    for (size_t i = 0; i < entry.size(); ++i) {
        const bool last = i + 1 == entry.size();
        const uint64_t want = entry[i] | kA | (last && a.write ? kD : 0);
        if (want == entry[i]) continue;
        r.writes.emplace_back(where[i], want);
        if (matches(where[i], w->abort_mask)) {
            r.fault = X86Fault::Abort;
            r.level = levels - unsigned(i);
            r.fault_pa = where[i];
            return r;
        }
        if (last) r.dirty = want & kD;
    }
    return r;
}

// A 4K..1G mapping of one VA built with the entry builders, walked.
void check_builders(iopf::fuzz::Input& in, const X86Config& base) {
    X86Config c = base;
    c.set_ad = false;
    c.nxe = true;
    const unsigned levels = c.five_level ? 5 : 4;
    const unsigned width = std::min(std::max(c.addr_width, 32u), 52u);
    c.addr_width = width;
    const unsigned leaf = 1 + unsigned(in.below(c.allow_1g ? 3 : 2));   // 1, 2 or 3
    const unsigned va_bits = 12 + 9 * levels;
    uint64_t va = in.get<uint64_t>() & ((1ull << va_bits) - 1);
    if ((va >> (va_bits - 1)) & 1) va |= ~((1ull << va_bits) - 1);   // sign-extend: canonical
    const unsigned shift = 12 + 9 * (leaf - 1);
    const uint64_t page = (in.get<uint64_t>() & ((1ull << width) - 1)) >> shift << shift;
    const bool w = in.flag(), u = in.flag(), x = in.flag();
    const Access acc{in.flag(), in.flag(), in.flag()};
    struct MapMem : WalkMemory {
        std::map<uint64_t, uint64_t> m;
        bool read64(uint64_t pa, uint64_t& v) override {
            auto it = m.find(pa);
            v = it == m.end() ? 0 : it->second;
            return true;
        }
    } mem;
    uint64_t table = 0x1000;   // tables at 0x1000, 0x2000, ...: below any width >= 32
    c.root = table;
    for (unsigned l = levels; l > leaf; --l) {
        const uint64_t next = table + 0x1000;
        mem.m[table + ((va >> (12 + 9 * (l - 1))) & 511) * 8] = x86_table_entry(next, true, true, false);
        table = next;
    }
    mem.m[table + ((va >> shift) & 511) * 8] = x86_leaf_entry(page, leaf, w, u, x);
    const X86WalkResult r = walk_x86(c, va, acc, mem);
    const X86Fault want = sdm_access(w, u, x, c.wpe, c.smep, acc);
    FUZZ_CHECK(r.fault == want);
    FUZZ_CHECK(r.reads == levels - leaf + 1);
    FUZZ_CHECK(r.size_log2 == shift && r.level == leaf);
    FUZZ_CHECK(r.pa == page + (va & ((1ull << shift) - 1)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    iopf::fuzz::Input in(data, size);
    X86Config cfg;
    cfg.root = in.get<uint64_t>();   // any bits: the walker uses [51:12]
    cfg.five_level = in.flag();
    cfg.addr_width = 30 + unsigned(in.below(35));   // 30..64 (above 52: entries hold 52 bits)
    cfg.wpe = in.flag();
    cfg.nxe = in.flag();
    cfg.smep = in.flag();
    cfg.allow_1g = in.flag();
    cfg.set_ad = in.flag();
    const bool with_writer = in.flag();
    uint64_t va = in.get<uint64_t>();
    if (in.flag()) va = uint64_t(int64_t(va << 16) >> 16);   // mostly canonical (48-bit)
    const Access acc{in.flag(), in.flag(), in.flag()};
    FuzzMemory mem;
    FuzzWriter writer;
    mem.abort_mask = in.flag() ? (in.get<uint64_t>() & kAddr) : 0;
    writer.abort_mask = in.flag() ? (in.get<uint64_t>() & kAddr) : 0;

    check_builders(in, cfg);

    // The pool: each word with a shaping byte that, if asked, clears the address bits the
    // width reserves and the large-page reserved bits and sets P, so walks get deep.
    const unsigned aw = std::min(cfg.addr_width, 52u);
    const uint64_t keep_addr = kAddr & ((1ull << aw) - 1);
    while (in.left() >= 9 && mem.words.size() < 512) {
        const uint8_t shape = in.get<uint8_t>();
        uint64_t w = in.get<uint64_t>();
        if (shape & 1) w &= keep_addr | 0xfffull | kXD;
        if (shape & 2) w &= ~0x3fffe000ull;
        if (shape & 4) w |= kP;
        mem.words.push_back(w);
    }

    FuzzWriter* wp = with_writer ? &writer : nullptr;
    const X86WalkResult r = walk_x86(cfg, va, acc, mem, wp);
    const Ref ref = reference(cfg, va, acc, mem, wp);
    const unsigned levels = cfg.five_level ? 5 : 4;

    // Reads: counted, at most one per level, each in the table the previous entry names.
    FUZZ_CHECK(r.reads == mem.reads.size() && r.reads <= levels);
    for (size_t i = 0; i < mem.reads.size(); ++i) {
        const uint64_t table = i == 0 ? (cfg.root & kAddr) : (mem.word(mem.reads[i - 1]) & kAddr);
        FUZZ_CHECK(mem.reads[i] >= table && mem.reads[i] < table + 4096);
    }
    FUZZ_CHECK(r.writes == writer.writes.size());
    if (!wp || !cfg.set_ad) FUZZ_CHECK(writer.writes.empty());

    // The reference.
    FUZZ_CHECK(mem.reads == ref.reads);
    FUZZ_CHECK(r.fault == ref.fault);
    FUZZ_CHECK(r.level == ref.level);
    if (!r.ok()) FUZZ_CHECK(r.fault_entry_pa == ref.fault_pa);
    FUZZ_CHECK(writer.writes == ref.writes);
    if (ref.leaf) {
        FUZZ_CHECK(r.size_log2 == ref.size_log2);
        FUZZ_CHECK(r.pa == ref.pa && r.pa_base == ref.pa_base && r.va_base == ref.va_base);
        FUZZ_CHECK(r.rights.rw == ref.rw && r.rights.us == ref.us && r.rights.xd == ref.xd);
    }
    if (r.ok()) FUZZ_CHECK(r.dirty == ref.dirty);

    // Self-consistency of a translation, without the reference.
    if (r.ok()) {
        FUZZ_CHECK(r.size_log2 == 12 || r.size_log2 == 21 || (r.size_log2 == 30 && cfg.allow_1g));
        FUZZ_CHECK(r.level == (r.size_log2 - 12) / 9 + 1);
        const uint64_t sz = 1ull << r.size_log2;
        FUZZ_CHECK((r.va_base & (sz - 1)) == 0 && (r.pa_base & (sz - 1)) == 0);
        FUZZ_CHECK(r.pa - r.pa_base == (va & (sz - 1)) && r.va_base == (va & ~(sz - 1)));
        FUZZ_CHECK(r.pa < (1ull << aw));   // never truncated into range
        FUZZ_CHECK(x86_canonical(va, cfg.five_level));
        if (acc.write && wp && cfg.set_ad) FUZZ_CHECK(r.dirty);
    }
    // A permission fault never grants; a translation always does.
    const bool granted = (acc.priv || r.user) && (!acc.write || r.writable) && (!acc.exec || r.executable);
    if (r.fault == X86Fault::User || r.fault == X86Fault::Write || r.fault == X86Fault::Exec) FUZZ_CHECK(!granted);
    if (r.ok()) FUZZ_CHECK(granted);
    if (ref.leaf && r.fault != X86Fault::Abort)
        FUZZ_CHECK(x86_access_check(r.rights, cfg.wpe, cfg.smep, acc) == r.fault);

    // x86_access_check on its own, against the SDM table.
    const uint8_t bitsx = in.get<uint8_t>();
    const X86Rights rights{bool(bitsx & 1), bool(bitsx & 2), bool(bitsx & 4)};
    const Access a2{bool(bitsx & 8), bool(bitsx & 16), bool(bitsx & 32)};
    const bool wpe = bitsx & 64, smep = bitsx & 128;
    FUZZ_CHECK(x86_access_check(rights, wpe, smep, a2) == sdm_access(rights.rw, rights.us, rights.xd, wpe, smep, a2));
    FUZZ_CHECK(x86_fault_name(r.fault) != nullptr);
    return 0;
}
