// Unit tests for the VMSAv8-64 descriptor formats (models/smmu/vmsa.h) and the stage-1
// table walker (models/smmu/walker.h).
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "models/smmu/walker.h"

using namespace iopf::smmu;

namespace {

// Sparse 64-bit memory: absent addresses read 0; addresses in `abort` fail.
struct MapMemory : WalkMemory {
    std::map<uint64_t, uint64_t> words;
    std::set<uint64_t> abort;
    unsigned reads = 0;
    bool read64(uint64_t pa, uint64_t& value) override {
        ++reads;
        if (abort.count(pa)) return false;
        auto it = words.find(pa);
        value = it == words.end() ? 0 : it->second;
        return true;
    }
};

const Access kRead{false, false, false};        // unprivileged data read
const Access kWrite{true, false, false};        // unprivileged data write
const Access kExec{false, true, false};         // unprivileged instruction fetch
const Access kPrivRead{false, false, true};
const Access kPrivWrite{true, false, true};
const Access kPrivExec{false, true, true};

// 4 KiB granule, 48-bit VA, start level 0. Table PAs are fixed so the expected
// descriptor addresses can be asserted. Level shifts: L0 39, L1 30, L2 21, L3 12.
constexpr uint64_t kTtb = 0x100000;
constexpr uint64_t kL1 = 0x101000, kL2 = 0x102000, kL3 = 0x103000;

uint64_t idx(uint64_t va, unsigned shift) { return (va >> shift) & 0x1ff; }

S1Config cfg4k() {
    S1Config c;
    c.tt[0].ttb = kTtb;
    c.tt[0].tsz = 16;
    c.tt[0].tg = Granule::K4;
    c.tt[1].epd = true;
    c.ips_bits = 48;
    return c;
}

// Installs L0->L1->L2->L3 table descriptors for va down to level `leaf_level` - 1, and
// puts `leaf` at level `leaf_level`. Table attributes go on the level-`attr_level` table
// descriptor.
void map4k(MapMemory& m, uint64_t va, uint64_t leaf, unsigned leaf_level, uint8_t ap_table = 0,
           bool uxn_table = false, bool pxn_table = false, unsigned attr_level = 1) {
    const uint64_t tables[4] = {kTtb, kL1, kL2, kL3};
    const unsigned shifts[4] = {39, 30, 21, 12};
    for (unsigned l = 0; l < leaf_level; ++l) {
        const bool a = l == attr_level;
        m.words[tables[l] + idx(va, shifts[l]) * 8] =
            make_table_desc(tables[l + 1], a ? ap_table : 0, a && uxn_table, a && pxn_table);
    }
    m.words[tables[leaf_level] + idx(va, shifts[leaf_level]) * 8] = leaf;
}

constexpr uint64_t kVa = 0x0000001234567abcull;  // L0 0, L1 0x48, L2 0x1a2, L3 0x167

}  // namespace

// ---------------------------------------------------------------- descriptors

TEST_CASE("vmsa: descriptor encodings", "[vmsa]") {
    CHECK(make_table_desc(0x12345000) == 0x0000000012345003ull);
    CHECK(make_table_desc(0x12345fff) == 0x0000000012345003ull);  // low bits dropped
    CHECK(make_table_desc(0x1000, 0b11, true, true) == 0x7800000000001003ull);
    CHECK(make_table_desc(0x1000, vmsa::kAPTableNoEL0) == 0x2000000000001003ull);

    // User RW, not executable: AP=01, SH=11, AF, nG, PXN, UXN.
    const LeafAttrs urw = leaf_attrs_for(true, true, false);
    CHECK(urw.ap == 0b01);
    CHECK(urw.uxn);
    CHECK(urw.pxn);
    CHECK(make_page_desc(0x12345000, urw) == 0x0060000012345f43ull);
    CHECK(make_block_desc(0x40000000, urw) == 0x0060000040000f41ull);

    LeafAttrs a;
    a.ap = 0b10;
    a.uxn = false;
    a.pxn = true;
    a.ng = false;
    a.af = false;
    a.attr_index = 5;
    a.sh = 2;
    const uint64_t d = make_page_desc(0xabcdef000, a);
    CHECK(d == (0x0020000abcdef000ull | 0x3 | (5u << 2) | (0b10u << 6) | (2u << 8)));
    const LeafAttrs b = decode_leaf_attrs(d);
    CHECK(b.ap == 0b10);
    CHECK_FALSE(b.uxn);
    CHECK(b.pxn);
    CHECK_FALSE(b.ng);
    CHECK_FALSE(b.af);
    CHECK(b.attr_index == 5);
    CHECK(b.sh == 2);
}

TEST_CASE("vmsa: leaf_attrs_for", "[vmsa]") {
    CHECK(leaf_attrs_for(true, false, false).ap == 0b00);   // EL1 RW
    CHECK(leaf_attrs_for(true, true, false).ap == 0b01);    // RW any EL
    CHECK(leaf_attrs_for(false, false, false).ap == 0b10);  // EL1 RO
    CHECK(leaf_attrs_for(false, true, false).ap == 0b11);   // RO any EL
    const LeafAttrs ux = leaf_attrs_for(false, true, true);
    CHECK_FALSE(ux.uxn);
    CHECK(ux.pxn);
    const LeafAttrs kx = leaf_attrs_for(false, false, true);
    CHECK(kx.uxn);
    CHECK_FALSE(kx.pxn);
    const LeafAttrs nx = leaf_attrs_for(true, false, false);
    CHECK(nx.uxn);
    CHECK(nx.pxn);
    CHECK(nx.af);
    CHECK(nx.ng);
}

TEST_CASE("vmsa: permits", "[vmsa]") {
    LeafAttrs a;
    a.ap = 0b00;  // EL1 RW only
    CHECK(permits(a, kPrivRead));
    CHECK(permits(a, kPrivWrite));
    CHECK_FALSE(permits(a, kRead));
    CHECK_FALSE(permits(a, kWrite));
    a.ap = 0b01;  // RW any EL
    CHECK(permits(a, kRead));
    CHECK(permits(a, kWrite));
    CHECK(permits(a, kPrivWrite));
    a.ap = 0b10;  // EL1 RO
    CHECK(permits(a, kPrivRead));
    CHECK_FALSE(permits(a, kPrivWrite));
    CHECK_FALSE(permits(a, kRead));
    a.ap = 0b11;  // RO any EL
    CHECK(permits(a, kRead));
    CHECK(permits(a, kPrivRead));
    CHECK_FALSE(permits(a, kWrite));
    CHECK_FALSE(permits(a, kPrivWrite));

    // Execute: UXN governs unprivileged fetches, PXN privileged ones.
    a.ap = 0b11;
    a.uxn = true;
    a.pxn = false;
    CHECK_FALSE(permits(a, kExec));
    CHECK(permits(a, kPrivExec));
    a.uxn = false;
    a.pxn = true;
    CHECK(permits(a, kExec));
    CHECK_FALSE(permits(a, kPrivExec));

    // WXN: writable implies execute-never; read-only stays executable.
    a.uxn = a.pxn = false;
    a.ap = 0b01;
    CHECK(permits(a, kExec, false));
    CHECK_FALSE(permits(a, kExec, true));
    CHECK_FALSE(permits(a, kPrivExec, true));
    CHECK(permits(a, kRead, true));
    a.ap = 0b11;
    CHECK(permits(a, kExec, true));

    // Implicit PXN: writable at EL0 (AP = 0b01) means privileged execute-never even with
    // PXN = 0; unprivileged fetches follow UXN; read-only at EL0 (0b11) and EL1-only
    // writable (0b00) stay privileged-executable.
    a = LeafAttrs{};
    a.uxn = a.pxn = false;
    a.ap = 0b01;
    CHECK_FALSE(permits(a, kPrivExec));
    CHECK(permits(a, kExec));
    CHECK(permits(a, kPrivRead));
    CHECK(permits(a, kPrivWrite));
    a.ap = 0b11;
    CHECK(permits(a, kPrivExec));
    a.ap = 0b00;
    CHECK(permits(a, kPrivExec));
}

TEST_CASE("walker: start level from TxSZ and granule", "[walker]") {
    CHECK(s1_start_level(Granule::K4, 16) == 0);
    CHECK(s1_start_level(Granule::K4, 24) == 0);
    CHECK(s1_start_level(Granule::K4, 25) == 1);
    CHECK(s1_start_level(Granule::K4, 33) == 1);
    CHECK(s1_start_level(Granule::K4, 34) == 2);
    CHECK(s1_start_level(Granule::K4, 39) == 2);
    CHECK(s1_start_level(Granule::K16, 16) == 0);
    CHECK(s1_start_level(Granule::K16, 17) == 1);
    CHECK(s1_start_level(Granule::K16, 27) == 1);
    CHECK(s1_start_level(Granule::K16, 28) == 2);
    CHECK(s1_start_level(Granule::K16, 38) == 2);
    CHECK(s1_start_level(Granule::K16, 39) == 3);
    CHECK(s1_start_level(Granule::K64, 16) == 1);
    CHECK(s1_start_level(Granule::K64, 22) == 2);
    CHECK(s1_start_level(Granule::K64, 35) == 3);
    CHECK(s1_start_level(Granule::K4, 15) == -1);
    CHECK(s1_start_level(Granule::K4, 40) == -1);
    CHECK(s1_start_level(Granule(13), 16) == -1);
}

// ---------------------------------------------------------------- successful walks

TEST_CASE("walker: 4 KiB page, 4 levels", "[walker]") {
    MapMemory m;
    map4k(m, kVa, make_page_desc(0x876543000, leaf_attrs_for(true, true, false)), 3);
    const WalkResult r = walk_stage1(cfg4k(), kVa, kRead, m);
    CHECK(r.fault == EventId::None);
    CHECK(r.ok());
    CHECK(r.level == 3);
    CHECK(r.reads == 4);
    CHECK(m.reads == 4);
    CHECK(r.pa == 0x876543abcull);
    CHECK(r.va_base == 0x0000001234567000ull);
    CHECK(r.pa_base == 0x876543000ull);
    CHECK(r.size_log2 == 12);
    CHECK(r.attrs.ap == 0b01);
    CHECK(r.attrs.uxn);
    CHECK(r.attrs.pxn);
    CHECK(r.attrs.ng);
    CHECK(r.attrs.af);
    CHECK(r.attrs.sh == 3);
    // Writes allowed too.
    CHECK(walk_stage1(cfg4k(), kVa, kWrite, m).ok());
}

TEST_CASE("walker: 2 MiB block at level 2", "[walker]") {
    MapMemory m;
    map4k(m, kVa, make_block_desc(0x40000000, leaf_attrs_for(true, true, false)), 2);
    const WalkResult r = walk_stage1(cfg4k(), kVa, kWrite, m);
    REQUIRE(r.ok());
    CHECK(r.level == 2);
    CHECK(r.reads == 3);
    CHECK(r.size_log2 == 21);
    CHECK(r.va_base == 0x0000001234400000ull);
    CHECK(r.pa_base == 0x40000000ull);
    CHECK(r.pa == 0x40000000ull + 0x167abc);
}

TEST_CASE("walker: 1 GiB block at level 1", "[walker]") {
    MapMemory m;
    map4k(m, kVa, make_block_desc(0x1c0000000, leaf_attrs_for(false, true, false)), 1);
    const WalkResult r = walk_stage1(cfg4k(), kVa, kRead, m);
    REQUIRE(r.ok());
    CHECK(r.level == 1);
    CHECK(r.reads == 2);
    CHECK(r.size_log2 == 30);
    CHECK(r.va_base == 0x0000001200000000ull);
    CHECK(r.pa_base == 0x1c0000000ull);
    CHECK(r.pa == 0x1c0000000ull + 0x34567abc);
}

TEST_CASE("walker: T0SZ=25 starts at level 1 (39-bit VA)", "[walker]") {
    MapMemory m;
    S1Config c = cfg4k();
    c.tt[0].tsz = 25;
    c.tt[0].ttb = kL1;  // level-1 table holds 512 entries for VA[38:30]
    const uint64_t va = 0x0000004512345678ull;
    m.words[kL1 + ((va >> 30) & 0x1ff) * 8] = make_table_desc(kL2);
    m.words[kL2 + ((va >> 21) & 0x1ff) * 8] = make_table_desc(kL3);
    m.words[kL3 + ((va >> 12) & 0x1ff) * 8] =
        make_page_desc(0xfee000, leaf_attrs_for(true, true, false));
    const WalkResult r = walk_stage1(c, va, kRead, m);
    REQUIRE(r.ok());
    CHECK(r.reads == 3);
    CHECK(r.level == 3);
    CHECK(r.pa == 0xfee678ull);
    // VA[39] set is outside the 39-bit range.
    const WalkResult out = walk_stage1(c, va | (1ull << 39), kRead, m);
    CHECK(out.fault == EventId::F_TRANSLATION);
    CHECK(out.level == 0);
    CHECK(out.reads == 0);
}

TEST_CASE("walker: TTB1 half", "[walker]") {
    MapMemory m;
    S1Config c = cfg4k();
    c.tt[1].epd = false;
    c.tt[1].tsz = 16;
    c.tt[1].ttb = 0x200000;
    const uint64_t va = 0xffff800012345000ull;  // L0 index 256
    m.words[0x200000 + 256 * 8] = make_table_desc(0x201000);
    m.words[0x201000 + ((va >> 30) & 0x1ff) * 8] = make_table_desc(0x202000);
    m.words[0x202000 + ((va >> 21) & 0x1ff) * 8] = make_table_desc(0x203000);
    m.words[0x203000 + ((va >> 12) & 0x1ff) * 8] =
        make_page_desc(0x9000000, leaf_attrs_for(true, false, false));
    const WalkResult r = walk_stage1(c, va + 0x10, kPrivWrite, m);
    REQUIRE(r.ok());
    CHECK(r.reads == 4);
    CHECK(r.pa == 0x9000010ull);
    CHECK(r.va_base == 0xffff800012345000ull);

    // Same low bits through TTB0: nothing mapped there -> level-0 translation fault.
    const WalkResult r0 = walk_stage1(c, va & 0x0000ffffffffffffull, kPrivWrite, m);
    CHECK(r0.fault == EventId::F_TRANSLATION);
    CHECK(r0.level == 0);
    CHECK(r0.fault_desc_pa == kTtb + 256 * 8);

    // EPD1 disables the TTB1 half.
    c.tt[1].epd = true;
    const WalkResult e = walk_stage1(c, va, kPrivWrite, m);
    CHECK(e.fault == EventId::F_TRANSLATION);
    CHECK(e.level == 0);
    CHECK(e.reads == 0);
}

TEST_CASE("walker: 64 KiB granule, 3 levels", "[walker]") {
    // T0SZ=16, 64K: start level 1; L1 VA[47:42] (64 entries), L2 VA[41:29], L3 VA[28:16].
    MapMemory m;
    S1Config c;
    c.tt[0].ttb = 0x400000;
    c.tt[0].tsz = 16;
    c.tt[0].tg = Granule::K64;
    c.tt[1].epd = true;
    const uint64_t va = 0x0000abcd12345678ull;
    const uint64_t l1 = (va >> 42) & 0x3f, l2 = (va >> 29) & 0x1fff, l3 = (va >> 16) & 0x1fff;
    m.words[0x400000 + l1 * 8] = make_table_desc(0x410000);
    m.words[0x410000 + l2 * 8] = make_table_desc(0x420000);
    m.words[0x420000 + l3 * 8] = make_page_desc(0x7650000, leaf_attrs_for(true, true, false));
    WalkResult r = walk_stage1(c, va, kWrite, m);
    REQUIRE(r.ok());
    CHECK(r.level == 3);
    CHECK(r.reads == 3);
    CHECK(r.size_log2 == 16);
    CHECK(r.va_base == 0x0000abcd12340000ull);
    CHECK(r.pa == 0x7655678ull);

    // 512 MiB block at level 2.
    const uint64_t vb = 0x0000abce40000000ull + 0x1234567;
    const uint64_t b2 = (vb >> 29) & 0x1fff;
    REQUIRE(((vb >> 42) & 0x3f) == l1);
    m.words[0x410000 + b2 * 8] = make_block_desc(0x60000000, leaf_attrs_for(true, true, false));
    r = walk_stage1(c, vb, kRead, m);
    REQUIRE(r.ok());
    CHECK(r.level == 2);
    CHECK(r.reads == 2);
    CHECK(r.size_log2 == 29);
    CHECK(r.pa == 0x60000000ull + 0x1234567);

    // A block at level 1 is reserved for 64K without 52-bit PA.
    m.words[0x400000 + l1 * 8] = make_block_desc(0x0, leaf_attrs_for(true, true, false));
    r = walk_stage1(c, va, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.level == 1);
    CHECK(r.reads == 1);
}

TEST_CASE("walker: 16 KiB granule, T0SZ=17", "[walker]") {
    // 47-bit VA: start level 1; L1 VA[46:36], L2 VA[35:25], L3 VA[24:14].
    MapMemory m;
    S1Config c;
    c.tt[0].ttb = 0x800000;
    c.tt[0].tsz = 17;
    c.tt[0].tg = Granule::K16;
    const uint64_t va = 0x00004321fedcba98ull;
    m.words[0x800000 + ((va >> 36) & 0x7ff) * 8] = make_table_desc(0x804000);
    m.words[0x804000 + ((va >> 25) & 0x7ff) * 8] = make_table_desc(0x808000);
    m.words[0x808000 + ((va >> 14) & 0x7ff) * 8] =
        make_page_desc(0x3333c000, leaf_attrs_for(false, true, false));
    const WalkResult r = walk_stage1(c, va, kRead, m);
    REQUIRE(r.ok());
    CHECK(r.reads == 3);
    CHECK(r.size_log2 == 14);
    CHECK(r.pa == 0x3333c000ull + (va & 0x3fff));
}

// ---------------------------------------------------------------- faults

TEST_CASE("walker: F_TRANSLATION for an invalid descriptor at each level", "[walker]") {
    const uint64_t page = make_page_desc(0x876543000, leaf_attrs_for(true, true, false));
    const uint64_t desc_pa[4] = {kTtb + idx(kVa, 39) * 8, kL1 + idx(kVa, 30) * 8,
                                 kL2 + idx(kVa, 21) * 8, kL3 + idx(kVa, 12) * 8};
    for (unsigned level = 0; level <= 3; ++level) {
        MapMemory m;
        map4k(m, kVa, page, 3);
        m.words[desc_pa[level]] &= ~1ull;  // clear the valid bit
        const WalkResult r = walk_stage1(cfg4k(), kVa, kRead, m);
        INFO("level " << level);
        CHECK(r.fault == EventId::F_TRANSLATION);
        CHECK(r.level == level);
        CHECK(r.reads == level + 1);
        CHECK(r.fault_desc_pa == desc_pa[level]);
    }
}

TEST_CASE("walker: F_TRANSLATION for reserved encodings", "[walker]") {
    const LeafAttrs rw = leaf_attrs_for(true, true, false);
    {   // Block encoding (0b01) at level 3 is reserved.
        MapMemory m;
        map4k(m, kVa, make_block_desc(0x876543000, rw), 3);
        const WalkResult r = walk_stage1(cfg4k(), kVa, kRead, m);
        CHECK(r.fault == EventId::F_TRANSLATION);
        CHECK(r.level == 3);
        CHECK(r.reads == 4);
    }
    {   // Block at level 0 with the 4K granule is reserved.
        MapMemory m;
        map4k(m, kVa, make_block_desc(0x0, rw), 0);
        const WalkResult r = walk_stage1(cfg4k(), kVa, kRead, m);
        CHECK(r.fault == EventId::F_TRANSLATION);
        CHECK(r.level == 0);
        CHECK(r.reads == 1);
    }
}

TEST_CASE("walker: F_TRANSLATION for VA range, EPD and bad TxSZ", "[walker]") {
    MapMemory m;
    map4k(m, kVa, make_page_desc(0x876543000, leaf_attrs_for(true, true, false)), 3);
    S1Config c = cfg4k();
    struct Case {
        uint64_t va;
        const char* what;
    };
    // VA[48] set with VA[63]=0; VA[63] set but not all ones; TTB1 half disabled (EPD1).
    for (const Case& k : {Case{kVa | (1ull << 48), "above T0SZ"},
                          Case{0x8000001234567abcull, "mixed top bits"},
                          Case{0xffff001234567abcull, "EPD1"}}) {
        INFO(k.what);
        const WalkResult r = walk_stage1(c, k.va, kRead, m);
        CHECK(r.fault == EventId::F_TRANSLATION);
        CHECK(r.level == 0);
        CHECK(r.reads == 0);
    }
    c.tt[0].epd = true;
    WalkResult r = walk_stage1(c, kVa, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.reads == 0);
    c = cfg4k();
    c.tt[0].tsz = 12;
    r = walk_stage1(c, kVa, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.reads == 0);
    c.tt[0].tsz = 40;
    r = walk_stage1(c, kVa & 0xffffff, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.reads == 0);
    c.tt[0].tsz = 64;  // never crash on absurd values
    r = walk_stage1(c, 0, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    // Sanity: the unmodified configuration translates.
    CHECK(walk_stage1(cfg4k(), kVa, kRead, m).ok());
}

TEST_CASE("walker: F_ADDR_SIZE", "[walker]") {
    const LeafAttrs rw = leaf_attrs_for(true, true, false);
    S1Config c = cfg4k();
    c.ips_bits = 40;
    {   // Output address above IPS.
        MapMemory m;
        map4k(m, kVa, make_page_desc(1ull << 40, rw), 3);
        const WalkResult r = walk_stage1(c, kVa, kRead, m);
        CHECK(r.fault == EventId::F_ADDR_SIZE);
        CHECK(r.level == 3);
        CHECK(r.reads == 4);
        // The same mapping is fine with a 48-bit output size.
        const WalkResult ok = walk_stage1(cfg4k(), kVa, kRead, m);
        REQUIRE(ok.ok());
        CHECK(ok.pa == (1ull << 40) + 0xabc);
    }
    {   // Block output address above IPS.
        MapMemory m;
        map4k(m, kVa, make_block_desc(0xff40000000ull | (1ull << 41), rw), 1);
        const WalkResult r = walk_stage1(c, kVa, kRead, m);
        CHECK(r.fault == EventId::F_ADDR_SIZE);
        CHECK(r.level == 1);
        CHECK(r.reads == 2);
    }
    {   // Next-level table address above IPS, in the level-1 table descriptor.
        MapMemory m;
        map4k(m, kVa, make_page_desc(0x5000, rw), 3);
        const uint64_t l1_desc = kL1 + idx(kVa, 30) * 8;
        m.words[l1_desc] = make_table_desc(0x20000000000ull);  // bit 41
        const WalkResult r = walk_stage1(c, kVa, kRead, m);
        CHECK(r.fault == EventId::F_ADDR_SIZE);
        CHECK(r.level == 1);
        CHECK(r.reads == 2);
        CHECK(r.fault_desc_pa == l1_desc);
    }
    {   // TTB above IPS: level 0, nothing read.
        MapMemory m;
        S1Config t = c;
        t.tt[0].ttb = 1ull << 44;
        const WalkResult r = walk_stage1(t, kVa, kRead, m);
        CHECK(r.fault == EventId::F_ADDR_SIZE);
        CHECK(r.level == 0);
        CHECK(r.reads == 0);
    }
}

TEST_CASE("walker: F_ACCESS and CD.AFFD", "[walker]") {
    MapMemory m;
    LeafAttrs a = leaf_attrs_for(false, true, false);  // read-only, user
    a.af = false;
    map4k(m, kVa, make_page_desc(0x876543000, a), 3);
    S1Config c = cfg4k();
    WalkResult r = walk_stage1(c, kVa, kRead, m);
    CHECK(r.fault == EventId::F_ACCESS);
    CHECK(r.level == 3);
    CHECK(r.reads == 4);
    // Access flag takes priority over permission: a write to this RO page is F_ACCESS.
    r = walk_stage1(c, kVa, kWrite, m);
    CHECK(r.fault == EventId::F_ACCESS);

    c.affd = true;
    r = walk_stage1(c, kVa, kRead, m);
    REQUIRE(r.ok());
    CHECK(r.pa == 0x876543abcull);
    CHECK_FALSE(r.attrs.af);
    // With AFFD the permission check still applies.
    r = walk_stage1(c, kVa, kWrite, m);
    CHECK(r.fault == EventId::F_PERMISSION);
    CHECK(r.level == 3);
}

TEST_CASE("walker: F_PERMISSION from leaf attributes", "[walker]") {
    auto walk = [](const LeafAttrs& a, const Access& acc, bool wxn = false) {
        MapMemory m;
        map4k(m, kVa, make_page_desc(0x876543000, a), 3);
        S1Config c = cfg4k();
        c.wxn = wxn;
        return walk_stage1(c, kVa, acc, m);
    };
    // Write to read-only.
    WalkResult r = walk(leaf_attrs_for(false, true, false), kWrite);
    CHECK(r.fault == EventId::F_PERMISSION);
    CHECK(r.level == 3);
    CHECK(r.reads == 4);
    CHECK(walk(leaf_attrs_for(false, true, false), kRead).ok());
    // Unprivileged access to a privileged-only page.
    CHECK(walk(leaf_attrs_for(true, false, false), kRead).fault == EventId::F_PERMISSION);
    CHECK(walk(leaf_attrs_for(true, false, false), kPrivWrite).ok());
    // Execute: UXN for user pages, PXN for kernel fetches of user pages.
    CHECK(walk(leaf_attrs_for(false, true, false), kExec).fault == EventId::F_PERMISSION);
    CHECK(walk(leaf_attrs_for(false, true, true), kExec).ok());
    CHECK(walk(leaf_attrs_for(false, true, true), kPrivExec).fault == EventId::F_PERMISSION);
    CHECK(walk(leaf_attrs_for(false, false, true), kPrivExec).ok());
    // WXN.
    CHECK(walk(leaf_attrs_for(true, true, true), kExec, true).fault == EventId::F_PERMISSION);
    CHECK(walk(leaf_attrs_for(true, true, true), kExec, false).ok());
    // Implicit PXN: a page writable at EL0 with PXN = 0 faults a privileged fetch at the leaf.
    LeafAttrs rw_el0 = leaf_attrs_for(true, true, true);
    rw_el0.pxn = false;
    REQUIRE(rw_el0.ap == 0b01);
    r = walk(rw_el0, kPrivExec);
    CHECK(r.fault == EventId::F_PERMISSION);
    CHECK(r.level == 3);
    CHECK(walk(rw_el0, kExec).ok());
    CHECK(walk(rw_el0, kPrivWrite).ok());
}

TEST_CASE("walker: hierarchical table attributes restrict the leaf", "[walker]") {
    const uint64_t page = make_page_desc(0x876543000, leaf_attrs_for(true, true, true));
    {   // APTable[1] (no write) on the level-1 table descriptor.
        MapMemory m;
        map4k(m, kVa, page, 3, vmsa::kAPTableNoWrite, false, false, 1);
        WalkResult r = walk_stage1(cfg4k(), kVa, kWrite, m);
        CHECK(r.fault == EventId::F_PERMISSION);
        CHECK(r.level == 3);
        r = walk_stage1(cfg4k(), kVa, kRead, m);
        REQUIRE(r.ok());
        CHECK(r.attrs.ap == 0b11);
    }
    {   // APTable[0] (no EL0) on the level-0 table descriptor.
        MapMemory m;
        map4k(m, kVa, page, 3, vmsa::kAPTableNoEL0, false, false, 0);
        CHECK(walk_stage1(cfg4k(), kVa, kRead, m).fault == EventId::F_PERMISSION);
        const WalkResult r = walk_stage1(cfg4k(), kVa, kPrivWrite, m);
        REQUIRE(r.ok());
        CHECK(r.attrs.ap == 0b00);
    }
    {   // UXNTable on the level-2 table descriptor.
        MapMemory m;
        map4k(m, kVa, page, 3, 0, true, false, 2);
        const WalkResult r = walk_stage1(cfg4k(), kVa, kExec, m);
        CHECK(r.fault == EventId::F_PERMISSION);
        CHECK(r.attrs.uxn);
        CHECK(walk_stage1(cfg4k(), kVa, kRead, m).ok());
    }
    {   // PXNTable: privileged fetch of a kernel-executable page faults.
        MapMemory m;
        map4k(m, kVa, make_page_desc(0x876543000, leaf_attrs_for(false, false, true)), 3, 0,
              false, true, 1);
        CHECK(walk_stage1(cfg4k(), kVa, kPrivExec, m).fault == EventId::F_PERMISSION);
        CHECK(walk_stage1(cfg4k(), kVa, kPrivRead, m).ok());
    }
    {   // No table attributes: everything the leaf grants is granted.
        MapMemory m;
        map4k(m, kVa, page, 3);
        CHECK(walk_stage1(cfg4k(), kVa, kWrite, m).ok());
        CHECK(walk_stage1(cfg4k(), kVa, kExec, m).ok());
    }
}

TEST_CASE("walker: F_WALK_EABT on a level-2 descriptor read", "[walker]") {
    MapMemory m;
    map4k(m, kVa, make_page_desc(0x876543000, leaf_attrs_for(true, true, false)), 3);
    const uint64_t l2_desc = kL2 + idx(kVa, 21) * 8;
    m.abort.insert(l2_desc);
    const WalkResult r = walk_stage1(cfg4k(), kVa, kRead, m);
    CHECK(r.fault == EventId::F_WALK_EABT);
    CHECK(r.level == 2);
    CHECK(r.reads == 3);
    CHECK(r.fault_desc_pa == l2_desc);
}

TEST_CASE("walker: an output address above 48 bits is an Address size fault, never truncated", "[walker]") {
    // Audit (issue 10): PA 0x1000090000000 used to be masked to 0x90000000 -- another
    // device's buffer. Descriptor bits [51:48] are RES0 without FEAT_LPA: F_ADDR_SIZE.
    const LeafAttrs rw = leaf_attrs_for(true, true, false);
    for (uint64_t pa : {0x1000090000000ull, 0x8000000000000ull}) {
        MapMemory m;
        map4k(m, kVa, make_page_desc(pa, rw), 3);
        const WalkResult r = walk_stage1(cfg4k(), kVa, kRead, m);
        CHECK(r.fault == EventId::F_ADDR_SIZE);
        CHECK(r.level == 3);
    }
    {   // A level-2 block above 48 bits, and a table pointer above 48 bits.
        MapMemory m;
        map4k(m, kVa, make_block_desc(0x1000000000000ull | 0x40000000ull, rw), 2);
        CHECK(walk_stage1(cfg4k(), kVa, kRead, m).fault == EventId::F_ADDR_SIZE);
        MapMemory t;
        map4k(t, kVa, make_page_desc(0x5000, rw), 3);
        t.words[kL1 + idx(kVa, 30) * 8] = make_table_desc(0x1000000000000ull);
        CHECK(walk_stage1(cfg4k(), kVa, kRead, t).fault == EventId::F_ADDR_SIZE);
    }
}
