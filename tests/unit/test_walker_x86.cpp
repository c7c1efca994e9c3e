// Unit tests for the x86-64 first-stage walker (models/smmu/walker_x86.h): present,
// R/W, U/S, XD, A/D, 1 GiB / 2 MiB pages, reserved bits, canonical addresses, 5-level.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "models/smmu/shell/xlate_context.h"
#include "models/smmu/walker_x86.h"

using namespace iopf::smmu;

namespace {

struct Mem : WalkMemory, WalkWriter {
    std::map<uint64_t, uint64_t> words;
    std::set<uint64_t> abort;
    bool read64(uint64_t pa, uint64_t& v) override {
        if (abort.count(pa)) return false;
        auto it = words.find(pa);
        v = it == words.end() ? 0 : it->second;
        return true;
    }
    bool write64(uint64_t pa, uint64_t v) override {
        words[pa] = v;
        return true;
    }
};

constexpr uint64_t kPml5 = 0x10000, kPml4 = 0x11000, kPdpt = 0x12000, kPd = 0x13000,
                   kPt = 0x14000;
constexpr uint64_t kVa = 0x0000'7f12'3456'7abcull;
unsigned ix(uint64_t va, unsigned level) { return (va >> (12 + 9 * (level - 1))) & 0x1ff; }

const Access kUserRead{false, false, false}, kUserWrite{true, false, false},
    kUserExec{false, true, false}, kSupRead{false, false, true}, kSupWrite{true, false, true},
    kSupExec{false, true, true};

// Maps kVa through PML4 -> PDPT -> PD -> PT -> 4 KiB page at `page`.
void map4k(Mem& m, uint64_t page = 0x8000'0000ull, bool w = true, bool u = true,
           bool xd = false) {
    m.words[kPml4 + 8 * ix(kVa, 4)] = x86_table_entry(kPdpt);
    m.words[kPdpt + 8 * ix(kVa, 3)] = x86_table_entry(kPd);
    m.words[kPd + 8 * ix(kVa, 2)] = x86_table_entry(kPt);
    m.words[kPt + 8 * ix(kVa, 1)] = x86_leaf_entry(page, 1, w, u, xd);
}

X86Config cfg4() {
    X86Config c;
    c.root = kPml4;
    return c;
}

}  // namespace

TEST_CASE("x86 walker: 4 KiB page translates and sets A", "[x86walker]") {
    Mem m;
    map4k(m);
    auto r = walk_x86(cfg4(), kVa, kUserRead, m, &m);
    REQUIRE(r.ok());
    CHECK(r.pa == 0x8000'0abcull);
    CHECK(r.size_log2 == 12);
    CHECK(r.level == 1);
    CHECK(r.reads == 4);
    CHECK(r.writes == 4);  // A set in all four entries
    CHECK((m.words[kPt + 8 * ix(kVa, 1)] & x86pte::A) != 0);
    CHECK((m.words[kPt + 8 * ix(kVa, 1)] & x86pte::D) == 0);
    CHECK((m.words[kPml4 + 8 * ix(kVa, 4)] & x86pte::A) != 0);
    // Second walk: nothing more to update.
    r = walk_x86(cfg4(), kVa, kUserRead, m, &m);
    CHECK(r.writes == 0);
    // A write sets D in the leaf only.
    r = walk_x86(cfg4(), kVa, kUserWrite, m, &m);
    REQUIRE(r.ok());
    CHECK(r.writes == 1);
    CHECK((m.words[kPt + 8 * ix(kVa, 1)] & x86pte::D) != 0);
    CHECK((m.words[kPd + 8 * ix(kVa, 2)] & x86pte::D) == 0);
}

TEST_CASE("x86 walker: no A/D update without a writer or with set_ad off", "[x86walker]") {
    Mem m;
    map4k(m);
    auto r = walk_x86(cfg4(), kVa, kUserWrite, m);
    REQUIRE(r.ok());
    CHECK(r.writes == 0);
    auto c = cfg4();
    c.set_ad = false;
    r = walk_x86(c, kVa, kUserWrite, m, &m);
    CHECK(r.writes == 0);
    CHECK((m.words[kPt + 8 * ix(kVa, 1)] & x86pte::A) == 0);
}

TEST_CASE("x86 walker: not present at each level", "[x86walker]") {
    for (unsigned level = 4; level >= 1; --level) {
        Mem m;
        map4k(m);
        const uint64_t tables[5] = {0, kPt, kPd, kPdpt, kPml4};
        const uint64_t pa = tables[level] + 8 * ix(kVa, level);
        m.words[pa] &= ~x86pte::P;
        auto r = walk_x86(cfg4(), kVa, kUserRead, m, &m);
        CHECK(r.fault == X86Fault::NotPresent);
        CHECK(r.level == level);
        CHECK(r.fault_entry_pa == pa);
        CHECK(r.reads == 5 - level);
        CHECK(r.writes == 0);  // a failed walk updates nothing
        CHECK(x86_fault_event(r.fault) == EventId::F_TRANSLATION);
    }
}

TEST_CASE("x86 walker: fetch abort", "[x86walker]") {
    Mem m;
    map4k(m);
    m.abort.insert(kPd + 8 * ix(kVa, 2));
    auto r = walk_x86(cfg4(), kVa, kUserRead, m);
    CHECK(r.fault == X86Fault::Abort);
    CHECK(r.level == 2);
    CHECK(x86_fault_event(r.fault) == EventId::F_WALK_EABT);
}

TEST_CASE("x86 walker: R/W for user and supervisor, WPE", "[x86walker]") {
    Mem m;
    map4k(m, 0x8000'0000ull, /*w=*/false);
    CHECK(walk_x86(cfg4(), kVa, kUserRead, m).ok());
    auto r = walk_x86(cfg4(), kVa, kUserWrite, m);
    CHECK(r.fault == X86Fault::Write);
    CHECK(r.level == 1);
    CHECK(x86_fault_event(r.fault) == EventId::F_PERMISSION);
    // Supervisor writes ignore R/W unless WPE = 1.
    CHECK(walk_x86(cfg4(), kVa, kSupWrite, m).ok());
    auto c = cfg4();
    c.wpe = true;
    CHECK(walk_x86(c, kVa, kSupWrite, m).fault == X86Fault::Write);
    // R/W = 0 in a non-leaf entry also removes write permission.
    Mem m2;
    map4k(m2);
    m2.words[kPdpt + 8 * ix(kVa, 3)] = x86_table_entry(kPd, /*writable=*/false);
    CHECK(walk_x86(cfg4(), kVa, kUserWrite, m2).fault == X86Fault::Write);
}

TEST_CASE("x86 walker: U/S", "[x86walker]") {
    Mem m;
    map4k(m, 0x8000'0000ull, true, /*u=*/false);
    CHECK(walk_x86(cfg4(), kVa, kUserRead, m).fault == X86Fault::User);
    CHECK(walk_x86(cfg4(), kVa, kSupRead, m).ok());
    // U/S = 0 in the PML4E makes the whole range supervisor-only.
    Mem m2;
    map4k(m2);
    m2.words[kPml4 + 8 * ix(kVa, 4)] = x86_table_entry(kPdpt, true, /*user=*/false);
    auto r = walk_x86(cfg4(), kVa, kUserRead, m2);
    CHECK(r.fault == X86Fault::User);
    CHECK(r.level == 1);  // reported at the leaf, after the walk
}

TEST_CASE("x86 walker: XD, NXE and SMEP", "[x86walker]") {
    Mem m;
    map4k(m, 0x8000'0000ull, true, true, /*xd=*/true);
    CHECK(walk_x86(cfg4(), kVa, kUserRead, m).ok());
    CHECK(walk_x86(cfg4(), kVa, kUserExec, m).fault == X86Fault::Exec);
    CHECK(walk_x86(cfg4(), kVa, kSupExec, m).fault == X86Fault::Exec);
    // XD in a table entry applies below it.
    Mem m2;
    map4k(m2);
    m2.words[kPd + 8 * ix(kVa, 2)] = x86_table_entry(kPt, true, true, /*xd=*/true);
    CHECK(walk_x86(cfg4(), kVa, kUserExec, m2).fault == X86Fault::Exec);
    // With NXE = 0, XD is a reserved bit.
    auto c = cfg4();
    c.nxe = false;
    CHECK(walk_x86(c, kVa, kUserRead, m).fault == X86Fault::Reserved);
    // SMEP: supervisor execute of a user page.
    Mem m3;
    map4k(m3);
    CHECK(walk_x86(cfg4(), kVa, kSupExec, m3).ok());
    c = cfg4();
    c.smep = true;
    CHECK(walk_x86(c, kVa, kSupExec, m3).fault == X86Fault::Exec);
    CHECK(walk_x86(c, kVa, kUserExec, m3).ok());
}

TEST_CASE("x86 walker: 2 MiB and 1 GiB pages", "[x86walker]") {
    Mem m;
    m.words[kPml4 + 8 * ix(kVa, 4)] = x86_table_entry(kPdpt);
    m.words[kPdpt + 8 * ix(kVa, 3)] = x86_table_entry(kPd);
    m.words[kPd + 8 * ix(kVa, 2)] = x86_leaf_entry(0x4000'0000ull, 2, true, true, false);
    auto r = walk_x86(cfg4(), kVa, kUserWrite, m, &m);
    REQUIRE(r.ok());
    CHECK(r.size_log2 == 21);
    CHECK(r.level == 2);
    CHECK(r.pa == 0x4000'0000ull + (kVa & 0x1fffff));
    CHECK(r.va_base == (kVa & ~0x1fffffull));
    CHECK(r.reads == 3);
    CHECK((m.words[kPd + 8 * ix(kVa, 2)] & (x86pte::A | x86pte::D)) == (x86pte::A | x86pte::D));

    Mem g;
    g.words[kPml4 + 8 * ix(kVa, 4)] = x86_table_entry(kPdpt);
    g.words[kPdpt + 8 * ix(kVa, 3)] = x86_leaf_entry(0x1'0000'0000ull, 3, true, true, false);
    r = walk_x86(cfg4(), kVa, kUserRead, g);
    REQUIRE(r.ok());
    CHECK(r.size_log2 == 30);
    CHECK(r.pa == 0x1'0000'0000ull + (kVa & 0x3fffffff));
    CHECK(r.reads == 2);
    auto c = cfg4();
    c.allow_1g = false;  // CAP_REG.FL1GP = 0: PS in a PDPTE is reserved
    CHECK(walk_x86(c, kVa, kUserRead, g).fault == X86Fault::Reserved);
}

TEST_CASE("x86 walker: reserved bits", "[x86walker]") {
    // PDE(PS=1) bits [20:13] reserved.
    Mem m;
    m.words[kPml4 + 8 * ix(kVa, 4)] = x86_table_entry(kPdpt);
    m.words[kPdpt + 8 * ix(kVa, 3)] = x86_table_entry(kPd);
    m.words[kPd + 8 * ix(kVa, 2)] = x86_leaf_entry(0x4000'0000ull, 2, true, true, false) | (1u << 13);
    auto r = walk_x86(cfg4(), kVa, kUserRead, m);
    CHECK(r.fault == X86Fault::Reserved);
    CHECK(r.level == 2);
    // PDPTE(PS=1) bits [29:13] reserved.
    Mem g;
    g.words[kPml4 + 8 * ix(kVa, 4)] = x86_table_entry(kPdpt);
    g.words[kPdpt + 8 * ix(kVa, 3)] = x86_leaf_entry(0x1'0000'0000ull, 3, true, true, false) |
                                      (1u << 29);
    CHECK(walk_x86(cfg4(), kVa, kUserRead, g).fault == X86Fault::Reserved);
    // PS in a PML4E is reserved.
    Mem p;
    map4k(p);
    p.words[kPml4 + 8 * ix(kVa, 4)] |= x86pte::PS;
    r = walk_x86(cfg4(), kVa, kUserRead, p);
    CHECK(r.fault == X86Fault::Reserved);
    CHECK(r.level == 4);
    // Address bits at or above the address width are reserved.
    Mem a;
    map4k(a, 0x8000'0000ull);
    a.words[kPt + 8 * ix(kVa, 1)] |= 1ull << 46;
    auto c = cfg4();
    c.addr_width = 46;
    CHECK(walk_x86(c, kVa, kUserRead, a).fault == X86Fault::Reserved);
    c.addr_width = 47;
    CHECK(walk_x86(c, kVa, kUserRead, a).ok());
    // Bit 7 of a 4 KiB PTE is PAT, not reserved.
    Mem t;
    map4k(t);
    t.words[kPt + 8 * ix(kVa, 1)] |= x86pte::PS;
    CHECK(walk_x86(cfg4(), kVa, kUserRead, t).ok());
}

TEST_CASE("x86 walker: canonical addresses, 4- and 5-level", "[x86walker]") {
    CHECK(x86_canonical(0x0000'7fff'ffff'ffffull, false));
    CHECK(x86_canonical(0xffff'8000'0000'0000ull, false));
    CHECK_FALSE(x86_canonical(0x0000'8000'0000'0000ull, false));
    CHECK(x86_canonical(0x0000'8000'0000'0000ull, true));
    CHECK_FALSE(x86_canonical(0x0100'0000'0000'0000ull, true));
    Mem m;
    auto r = walk_x86(cfg4(), 0x0000'8000'0000'0000ull, kUserRead, m);
    CHECK(r.fault == X86Fault::NonCanonical);
    CHECK(r.reads == 0);
}

TEST_CASE("x86 walker: 5-level paging walks the PML5", "[x86walker]") {
    const uint64_t va = 0x00ab'cdef'1234'5000ull;  // needs 57-bit addressing
    Mem m;
    m.words[kPml5 + 8 * ix(va, 5)] = x86_table_entry(kPml4);
    m.words[kPml4 + 8 * ix(va, 4)] = x86_table_entry(kPdpt);
    m.words[kPdpt + 8 * ix(va, 3)] = x86_table_entry(kPd);
    m.words[kPd + 8 * ix(va, 2)] = x86_table_entry(kPt);
    m.words[kPt + 8 * ix(va, 1)] = x86_leaf_entry(0x9000'0000ull, 1, true, true, false);
    X86Config c;
    c.root = kPml5;
    c.five_level = true;
    auto r = walk_x86(c, va, kUserRead, m);
    REQUIRE(r.ok());
    CHECK(r.reads == 5);
    CHECK(r.pa == 0x9000'0000ull);
    m.words[kPml5 + 8 * ix(va, 5)] &= ~x86pte::P;
    r = walk_x86(c, va, kUserRead, m);
    CHECK(r.fault == X86Fault::NotPresent);
    CHECK(r.level == 5);
}

TEST_CASE("x86 walker in the shell's vocabulary: rights and D bit for the TLB, the x86 hit rule", "[x86walker]") {
    // X86Stage1Walker (models/smmu/shell/xlate_context.h) turns an x86 walk into the shell's
    // WalkResult; the cached attributes hold the request-independent rights and the leaf's D
    // bit, and XlateContext::hit_fault applies the same rule as the walk.
    Mem m;
    map4k(m, 0x8000'0000ull, /*w=*/false, /*u=*/true);
    X86Stage1Walker w;
    w.cfg = cfg4();
    XlateContext ctx;
    ctx.perm = PermRule::x86;
    ctx.stage1 = &w;

    // A supervisor read of a read-only user page: translated, A set through write64, clean.
    WalkResult r = w.walk(kVa, kSupRead, m);
    REQUIRE(r.ok());
    CHECK(r.pa == 0x8000'0abcull);
    CHECK(r.reads == 4);
    CHECK(r.attrs.ap == 0b11);   // AP[2] = !R/W, AP[1] = U/S
    CHECK_FALSE(r.attrs.uxn);
    CHECK_FALSE(r.attrs.dirty);
    CHECK((m.words[kPt + 8 * ix(kVa, 1)] & x86pte::A) != 0);
    // Hits: a user write is refused (Write), a supervisor write allowed while WPE = 0 but it
    // needs a walk (clean leaf); with WPE = 1 the hit refuses it; SMEP refuses a supervisor
    // execute of the user page.
    uint8_t ff = 0;
    CHECK(ctx.hit_fault(r.attrs, kUserWrite, ff) == EventId::F_PERMISSION);
    CHECK(X86Fault(ff) == X86Fault::Write);
    CHECK(ctx.hit_fault(r.attrs, kSupWrite, ff) == EventId::None);
    CHECK(XlateContext::needs_walk(r.attrs, kSupWrite));
    CHECK_FALSE(XlateContext::needs_walk(r.attrs, kSupRead));
    ctx.x86_wpe = true;
    CHECK(ctx.hit_fault(r.attrs, kSupWrite, ff) == EventId::F_PERMISSION);
    ctx.x86_wpe = false;
    CHECK(ctx.hit_fault(r.attrs, kSupExec, ff) == EventId::None);
    ctx.x86_smep = true;
    CHECK(ctx.hit_fault(r.attrs, kSupExec, ff) == EventId::F_PERMISSION);
    CHECK(X86Fault(ff) == X86Fault::Exec);

    // The supervisor write walks again and sets D: the refilled entry is dirty.
    r = w.walk(kVa, kSupWrite, m);
    REQUIRE(r.ok());
    CHECK(r.attrs.dirty);
    CHECK((m.words[kPt + 8 * ix(kVa, 1)] & x86pte::D) != 0);
    CHECK_FALSE(XlateContext::needs_walk(r.attrs, kSupWrite));

    // A fault keeps the format's own code beside the shell's event.
    r = w.walk(kVa ^ (1ull << 39), kUserRead, m);   // another PML4E: not present
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(X86Fault(r.format_fault) == X86Fault::NotPresent);
    // A memory that cannot write refuses the A/D update: an abort at that entry.
    struct ReadOnly : WalkMemory {
        Mem& m;
        explicit ReadOnly(Mem& mm) : m(mm) {}
        bool read64(uint64_t pa, uint64_t& v) override { return m.read64(pa, v); }
    } ro(m);
    m.words[kPt + 8 * ix(kVa, 1)] &= ~x86pte::A;
    r = w.walk(kVa, kUserRead, ro);
    CHECK(r.fault == EventId::F_WALK_EABT);
    CHECK(X86Fault(r.format_fault) == X86Fault::Abort);
    // The VMSA rule is unchanged by the new fields: VMSA entries are always dirty.
    CHECK_FALSE(XlateContext::needs_walk(LeafAttrs{}, kUserWrite));
}
