// Unit tests for the stage-2 walker (models/smmu/stage2.h), nested walks
// (models/smmu/nested.h), the stage-2 TLB entries and invalidations (models/smmu/tlb.h)
// and the SMMUv3 stage-2 formats (STE S2 fields, CMD_TLBI_S12_VMALL / CMD_TLBI_S2_IPA).
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "models/smmu/nested.h"
#include "models/smmu/stage2.h"
#include "models/smmu/tlb.h"
#include "models/smmu/v3/format/command.h"
#include "models/smmu/v3/format/event.h"
#include "models/smmu/v3/format/ste.h"

using namespace iopf::smmu;

namespace {

struct MapMemory : WalkMemory {
    std::map<uint64_t, uint64_t> words;
    std::set<uint64_t> abort;
    std::vector<uint64_t> log;
    unsigned reads = 0;
    bool read64(uint64_t pa, uint64_t& value) override {
        ++reads;
        log.push_back(pa);
        if (abort.count(pa)) return false;
        auto it = words.find(pa);
        value = it == words.end() ? 0 : it->second;
        return true;
    }
};

const Access kRead{false, false, false};
const Access kWrite{true, false, false};
const Access kExec{false, true, false};

// 4 KiB-granule table builder. Table addresses live in "table space" (PA for stage 2,
// IPA for a guest's stage 1); a descriptor at table-space address a is stored at
// a + offset in the memory.
struct Builder {
    MapMemory& m;
    uint64_t next;           // next free table page (table space)
    uint64_t offset = 0;     // table space -> PA
    void put(uint64_t a, uint64_t v) { m.words[a + offset] = v; }
    uint64_t get(uint64_t a) const {
        auto it = m.words.find(a + offset);
        return it == m.words.end() ? 0 : it->second;
    }
    uint64_t alloc(uint64_t bytes = 0x1000) {
        const uint64_t t = next;
        next += bytes;
        return t;
    }
    // Installs `leaf` for addr at leaf_level under root (start level `start`, whose table
    // resolves `start_bits` bits), allocating tables on the way.
    void map(uint64_t root, unsigned start, unsigned start_bits, uint64_t addr, uint64_t leaf,
             unsigned leaf_level) {
        uint64_t table = root;
        for (unsigned l = start;; ++l) {
            const unsigned shift = 12 + 9 * (3 - l);
            const unsigned bits = l == start ? start_bits : 9;
            const uint64_t a = table + ((addr >> shift) & ((uint64_t(1) << bits) - 1)) * 8;
            if (l == leaf_level) {
                put(a, leaf);
                return;
            }
            uint64_t d = get(a);
            if (!(d & 1)) {
                d = make_table_desc(alloc());
                put(a, d);
            }
            table = d & vmsa::kOaMask;
        }
    }
};

const S2Attrs kRW = s2_attrs_for(true, true, false);

// Stage 2 with a 40-bit IPA, start level 1, two concatenated level-1 tables (8 KiB).
constexpr uint64_t kS2Root = 0x100000;
S2Config s2_40bit() {
    S2Config c;
    c.ttb = kS2Root;
    c.t0sz = 24;
    c.tg = Granule::K4;
    c.sl0 = 1;
    c.ps_bits = 48;
    return c;
}

}  // namespace

// ------------------------------------------------------------ configuration

TEST_CASE("stage2: start level and concatenation from S2SL0 and S2T0SZ", "[stage2]") {
    CHECK(s2_start_level(Granule::K4, 0) == 2);
    CHECK(s2_start_level(Granule::K4, 1) == 1);
    CHECK(s2_start_level(Granule::K4, 2) == 0);
    CHECK(s2_start_level(Granule::K4, 3) == -1);
    CHECK(s2_start_level(Granule::K64, 0) == 3);
    CHECK(s2_start_level(Granule::K16, 2) == 1);

    S2Config c = s2_40bit();
    CHECK(s2_config_valid(c));
    CHECK(s2_start_table_entries(c) == 1024);   // 2 concatenated level-1 tables
    c.t0sz = 21;                                // 43-bit IPA at level 1: 16 tables
    CHECK(s2_start_table_entries(c) == 8192);
    c.t0sz = 20;                                // 44 bits would need 32 tables
    CHECK_FALSE(s2_config_valid(c));
    c.t0sz = 25;                                // 39 bits: exactly one table
    CHECK(s2_start_table_entries(c) == 512);
    c.t0sz = 31;                                // 33 bits: level 1 resolves 3 bits
    CHECK(s2_start_table_entries(c) == 8);
    c.t0sz = 34;                                // 30 bits: nothing left for level 1
    CHECK_FALSE(s2_config_valid(c));
    c.sl0 = 0;                                  // ... but level 2 resolves 9 bits
    CHECK(s2_start_table_entries(c) == 512);
    c.sl0 = 2;
    c.t0sz = 16;                                // 48 bits from level 0
    CHECK(s2_start_table_entries(c) == 512);
    c.sl0 = 1;                                  // 48 bits from level 1: inconsistent
    CHECK_FALSE(s2_config_valid(c));
    c.t0sz = 15;
    c.sl0 = 2;
    CHECK_FALSE(s2_config_valid(c));            // S2T0SZ below 16
    c.t0sz = 40;
    CHECK_FALSE(s2_config_valid(c));            // S2T0SZ above 39
}

// ------------------------------------------------------------ S2-only walks

TEST_CASE("stage2: 3-level walk through concatenated level-1 tables", "[stage2]") {
    MapMemory m;
    Builder b{m, 0x200000};
    const S2Config c = s2_40bit();
    // IPA bit 39 set: level-1 index 0x201, in the second concatenated table.
    const uint64_t ipa = 0x8040203abcull;
    b.map(kS2Root, 1, 10, ipa, make_s2_page_desc(0x7654000, kRW), 3);
    S2WalkResult r = walk_stage2(c, ipa, kRead, m);
    REQUIRE(r.ok());
    CHECK(r.pa == 0x7654abc);
    CHECK(r.reads == 3);
    CHECK(r.level == 3);
    CHECK(r.size_log2 == 12);
    REQUIRE(m.log.size() == 3);
    CHECK(m.log[0] == kS2Root + 0x201 * 8);     // = kS2Root + 0x1008
    // An IPA with bit 39 clear uses the first table: unmapped there.
    r = walk_stage2(c, ipa & ~(uint64_t(1) << 39), kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.level == 1);
    CHECK(r.fault_desc_pa == kS2Root + 0x001 * 8);
    // A TTB that is not aligned to the 8 KiB concatenated table is aligned down.
    S2Config c2 = c;
    c2.ttb = kS2Root + 0x1000;
    m.log.clear();
    walk_stage2(c2, ipa, kRead, m);
    CHECK(m.log[0] == kS2Root + 0x1008);
}

TEST_CASE("stage2: IPA range from S2T0SZ and invalid S2SL0 are level-0 Translation faults", "[stage2]") {
    MapMemory m;
    S2Config c = s2_40bit();
    S2WalkResult r = walk_stage2(c, uint64_t(1) << 40, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.level == 0);
    CHECK(r.reads == 0);
    r = walk_stage2(c, (uint64_t(1) << 40) - 1, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);   // in range, unmapped: a walk happened
    CHECK(r.reads == 1);
    c.sl0 = 3;
    r = walk_stage2(c, 0x1000, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.reads == 0);
    c.sl0 = 0;                                  // level 2 for a 40-bit IPA: inconsistent
    r = walk_stage2(c, 0x1000, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.reads == 0);
}

TEST_CASE("stage2: S2PS output size gives Address size faults", "[stage2]") {
    MapMemory m;
    Builder b{m, 0x200000};
    S2Config c = s2_40bit();
    c.ps_bits = 40;
    const uint64_t ipa = 0x12345000;
    b.map(kS2Root, 1, 10, ipa, make_s2_page_desc(uint64_t(1) << 40, kRW), 3);
    S2WalkResult r = walk_stage2(c, ipa, kRead, m);
    CHECK(r.fault == EventId::F_ADDR_SIZE);
    CHECK(r.level == 3);
    // The same output is fine with a 48-bit PS.
    c.ps_bits = 48;
    CHECK(walk_stage2(c, ipa, kRead, m).ok());
    // A next-level table above PS: fault at the level of that table descriptor.
    c.ps_bits = 40;
    m.words[kS2Root + ((ipa >> 30) & 0x3ff) * 8] = make_table_desc(uint64_t(1) << 41);
    r = walk_stage2(c, ipa, kRead, m);
    CHECK(r.fault == EventId::F_ADDR_SIZE);
    CHECK(r.level == 1);
    // S2TTB above PS: level 0, no read.
    c.ttb = uint64_t(1) << 42;
    r = walk_stage2(c, ipa, kRead, m);
    CHECK(r.fault == EventId::F_ADDR_SIZE);
    CHECK(r.level == 0);
    CHECK(r.reads == 0);
}

TEST_CASE("stage2: access flag, S2AFFD, external abort, blocks and reserved encodings", "[stage2]") {
    MapMemory m;
    Builder b{m, 0x200000};
    S2Config c = s2_40bit();
    S2Attrs noaf = kRW;
    noaf.af = false;
    b.map(kS2Root, 1, 10, 0x1000, make_s2_page_desc(0x5000, noaf), 3);
    S2WalkResult r = walk_stage2(c, 0x1000, kRead, m);
    CHECK(r.fault == EventId::F_ACCESS);
    CHECK(r.level == 3);
    c.affd = true;
    CHECK(walk_stage2(c, 0x1000, kRead, m).ok());
    c.affd = false;

    // 2 MiB block at level 2, 1 GiB block at level 1.
    b.map(kS2Root, 1, 10, 0x40200000, make_s2_block_desc(0x80200000, kRW), 2);
    r = walk_stage2(c, 0x40234567, kRead, m);
    REQUIRE(r.ok());
    CHECK(r.pa == 0x80234567);
    CHECK(r.size_log2 == 21);
    CHECK(r.reads == 2);
    b.map(kS2Root, 1, 10, 0x80000000, make_s2_block_desc(0xc0000000, kRW), 1);
    r = walk_stage2(c, 0x81234567, kRead, m);
    REQUIRE(r.ok());
    CHECK(r.pa == 0xc1234567);
    CHECK(r.size_log2 == 30);
    CHECK(r.reads == 1);
    // Block encoding at level 3 is reserved: Translation fault.
    b.map(kS2Root, 1, 10, 0x2000, make_s2_block_desc(0x6000, kRW), 3);
    r = walk_stage2(c, 0x2000, kRead, m);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.level == 3);
    // External abort on a descriptor read.
    m.abort.insert(kS2Root + ((0x3000ull >> 30) & 0x3ff) * 8);
    r = walk_stage2(c, 0x3000, kRead, m);
    CHECK(r.fault == EventId::F_WALK_EABT);
    CHECK(r.level == 1);
}

TEST_CASE("stage2: S2AP and XN permissions, privilege ignored", "[stage2]") {
    MapMemory m;
    Builder b{m, 0x200000};
    const S2Config c = s2_40bit();
    const uint64_t none = 0x10000, ro = 0x11000, wo = 0x12000, rw = 0x13000, rx = 0x14000;
    b.map(kS2Root, 1, 10, none, make_s2_page_desc(0x1000000, s2_attrs_for(false, false, false)), 3);
    b.map(kS2Root, 1, 10, ro, make_s2_page_desc(0x1001000, s2_attrs_for(true, false, false)), 3);
    b.map(kS2Root, 1, 10, wo, make_s2_page_desc(0x1002000, s2_attrs_for(false, true, false)), 3);
    b.map(kS2Root, 1, 10, rw, make_s2_page_desc(0x1003000, s2_attrs_for(true, true, false)), 3);
    b.map(kS2Root, 1, 10, rx, make_s2_page_desc(0x1004000, s2_attrs_for(true, false, true)), 3);
    auto f = [&](uint64_t ipa, const Access& a) { return walk_stage2(c, ipa, a, m).fault; };
    CHECK(f(none, kRead) == EventId::F_PERMISSION);
    CHECK(f(none, kWrite) == EventId::F_PERMISSION);
    CHECK(f(ro, kRead) == EventId::None);
    CHECK(f(ro, kWrite) == EventId::F_PERMISSION);
    CHECK(f(wo, kRead) == EventId::F_PERMISSION);
    CHECK(f(wo, kWrite) == EventId::None);
    CHECK(f(rw, kRead) == EventId::None);
    CHECK(f(rw, kWrite) == EventId::None);
    CHECK(f(rw, kExec) == EventId::F_PERMISSION);   // XN
    CHECK(f(rx, kExec) == EventId::None);
    CHECK(f(ro, Access{true, false, true}) == EventId::F_PERMISSION);  // privileged write
    // Descriptor bits: S2AP at [7:6], XN at 54.
    CHECK(((make_s2_page_desc(0, s2_attrs_for(true, false, false)) >> 6) & 3) == 0b01);
    CHECK(((make_s2_page_desc(0, s2_attrs_for(false, true, false)) >> 6) & 3) == 0b10);
    CHECK((make_s2_page_desc(0, s2_attrs_for(true, true, false)) >> 54 & 1) == 1);
    CHECK((make_s2_page_desc(0, s2_attrs_for(true, true, true)) >> 54 & 1) == 0);
}

// ------------------------------------------------------------ nested walks

namespace {

// Guest: stage 1 with 4 levels (48-bit VA), its tables in guest memory (IPA); stage 2 with
// 4 levels (48-bit IPA, S2SL0 = 2), 4 KiB pages. Guest RAM IPA 0x80000000 + x is backed by
// PA 0x40000000 + x, page by page.
constexpr uint64_t kGuestIpa = 0x80000000, kGuestPa = 0x40000000;
constexpr uint64_t kVa = 0x0000123456789000ull;
constexpr uint64_t kDataIpa = 0x80100000;

struct Guest {
    MapMemory m;
    Builder s2{m, 0x200000};
    Builder s1{m, kGuestIpa, kGuestPa - kGuestIpa};
    S2Config s2cfg;
    S1Config s1cfg;
    uint64_t s2_root = 0x100000;
    uint64_t s1_root = 0;
    std::vector<uint64_t> s1_tables;   // IPAs of the 4 stage-1 tables, L0..L3

    Guest() {
        s2cfg.ttb = s2_root;
        s2cfg.t0sz = 16;
        s2cfg.sl0 = 2;
        s2cfg.ps_bits = 48;
        s1_root = s1.alloc();
        s1cfg.tt[0].ttb = s1_root;
        s1cfg.tt[0].tsz = 16;
        s1cfg.tt[1].epd = true;
        s1cfg.ips_bits = 48;
        const LeafAttrs urw = leaf_attrs_for(true, true, false);
        s1.map(s1_root, 0, 9, kVa, make_page_desc(kDataIpa, urw), 3);
        s1.map(s1_root, 0, 9, kVa + 0x1000, make_page_desc(kDataIpa + 0x1000, urw), 3);
        s1_tables = {s1_root, s1_root + 0x1000, s1_root + 0x2000, s1_root + 0x3000};
    }
    void back(uint64_t ipa, S2Attrs a = kRW) {
        s2.map(s2_root, 0, 9, ipa, make_s2_page_desc(ipa - kGuestIpa + kGuestPa, a), 3);
    }
    void back_all() {
        for (uint64_t t : s1_tables) back(t);
        back(kDataIpa);
        back(kDataIpa + 0x1000);
    }
};

}  // namespace

TEST_CASE("nested: a cold 4+4-level walk makes 24 reads", "[nested]") {
    Guest g;
    g.back_all();
    Stage2Memory s2(g.s2cfg, 5, g.m, nullptr);
    g.m.reads = 0;
    NestedResult r = walk_nested(g.s1cfg, kVa + 0x123, kRead, s2);
    REQUIRE(r.ok());
    CHECK(r.pa == kDataIpa - kGuestIpa + kGuestPa + 0x123);
    CHECK(r.ipa == kDataIpa + 0x123);
    CHECK(r.reads == 24);
    CHECK(g.m.reads == 24);
    CHECK(r.s1_reads == 4);
    CHECK(r.s2_reads == 20);
    CHECK(r.s2_walks == 5);
    CHECK(r.size_log2 == 12);
    // Without a stage-2 TLB the next walk is just as expensive.
    r = walk_nested(g.s1cfg, kVa + 0x1000, kRead, s2);
    CHECK(r.reads == 24);
}

TEST_CASE("nested: a warm stage-2 TLB cuts the walk to the stage-1 reads plus new IPAs", "[nested]") {
    Guest g;
    g.back_all();
    Tlb tlb(64, 4, Replacement::LRU);
    Stage2Memory s2(g.s2cfg, 5, g.m, &tlb);
    NestedResult r = walk_nested(g.s1cfg, kVa, kRead, s2);
    REQUIRE(r.ok());
    CHECK(r.reads == 24);
    CHECK(tlb.valid_count() == 5);   // 4 stage-1 table pages + the data page, at stage 2
    // Next page of the same stage-1 L3 table: the 4 table IPAs hit at stage 2, the new
    // output IPA needs one 4-read stage-2 walk: 4 + 4 = 8 reads.
    g.m.reads = 0;
    r = walk_nested(g.s1cfg, kVa + 0x1000, kRead, s2);
    REQUIRE(r.ok());
    CHECK(r.reads == 8);
    CHECK(g.m.reads == 8);
    CHECK(r.s2_tlb_hits == 4);
    CHECK(r.s2_walks == 1);
    // Everything warm: only the 4 stage-1 descriptor reads.
    r = walk_nested(g.s1cfg, kVa, kRead, s2);
    CHECK(r.reads == 4);
    CHECK(r.s2_tlb_hits == 5);
    // CMD_TLBI_S2_IPA of the L2 table's IPA: that one is walked again (4 more reads).
    tlb.invalidate_ipa(5, g.s1_tables[2]);
    r = walk_nested(g.s1cfg, kVa, kRead, s2);
    CHECK(r.reads == 8);
}

TEST_CASE("nested: stage-2 fault on a stage-1 descriptor fetch reports the IPA and CLASS TT", "[nested]") {
    Guest g;
    // Back everything but the stage-1 level-2 table page.
    g.back(g.s1_tables[0]);
    g.back(g.s1_tables[1]);
    g.back(g.s1_tables[3]);
    g.back(kDataIpa);
    Stage2Memory s2(g.s2cfg, 5, g.m, nullptr);
    NestedResult r = walk_nested(g.s1cfg, kVa, kRead, s2);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.stage == 2);
    CHECK(r.cls == FaultClass::TT);
    const uint64_t desc_ipa = g.s1_tables[2] + ((kVa >> 21) & 0x1ff) * 8;
    CHECK(r.ipa == desc_ipa);
    CHECK(r.level == 3);          // the stage-2 L3 table exists, its entry does not
    CHECK(r.reads == 14);         // (4 + 1) for L0, (4 + 1) for L1, 4 for the failing walk

    // The event record of this fault: S2 = 1, CLASS = TT, IPA[55:12] = the page.
    v3::EventRecord e;
    e.id = r.fault;
    e.s2 = r.stage == 2;
    e.event_class = static_cast<v3::EventClass>(r.cls);
    e.ipa = r.ipa;
    e.input_addr = kVa;
    uint64_t w[4];
    v3::encode_event(e, w);
    CHECK((w[1] >> 39 & 1) == 1);
    CHECK((w[1] >> 40 & 3) == 0b01);
    CHECK(w[3] == (desc_ipa & ~0xfffull));
}

TEST_CASE("nested: stage-2 faults on the output IPA are CLASS IN, stage-1 faults stay stage 1", "[nested]") {
    Guest g;
    for (uint64_t t : g.s1_tables) g.back(t);
    g.back(kDataIpa + 0x1000, s2_attrs_for(true, false, false));   // read-only at stage 2
    Stage2Memory s2(g.s2cfg, 5, g.m, nullptr);
    NestedResult r = walk_nested(g.s1cfg, kVa + 0x10, kRead, s2);   // data page not backed
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.stage == 2);
    CHECK(r.cls == FaultClass::IN);
    CHECK(r.ipa == kDataIpa + 0x10);
    CHECK(r.reads == 24);
    r = walk_nested(g.s1cfg, kVa + 0x1000, kWrite, s2);
    CHECK(r.fault == EventId::F_PERMISSION);
    CHECK(r.stage == 2);
    CHECK(r.cls == FaultClass::IN);
    CHECK(walk_nested(g.s1cfg, kVa + 0x1000, kRead, s2).ok());
    // Unmapped at stage 1: a stage-1 Translation fault at level 3 after 4 + 4x4 reads.
    r = walk_nested(g.s1cfg, kVa + 0x2000, kRead, s2);
    CHECK(r.fault == EventId::F_TRANSLATION);
    CHECK(r.stage == 1);
    CHECK(r.cls == FaultClass::IN);
    CHECK(r.level == 3);
    CHECK(r.reads == 20);
    // A PA abort on a stage-1 descriptor read is a stage-1 F_WALK_EABT, CLASS TT.
    g.m.abort.insert(g.s1_root - kGuestIpa + kGuestPa + ((kVa >> 39) & 0x1ff) * 8);
    r = walk_nested(g.s1cfg, kVa, kRead, s2);
    CHECK(r.fault == EventId::F_WALK_EABT);
    CHECK(r.stage == 1);
    CHECK(r.cls == FaultClass::TT);
}

// ------------------------------------------------------------ TLB

TEST_CASE("tlb: stage-2 and combined entries, TLBI by VMID and by IPA", "[tlb][stage2]") {
    Tlb tlb(64, 8, Replacement::LRU);   // 8 ways: the six entries of set 0 all fit
    const uint64_t A = 0x40000000, B = 0x40001000;
    auto s1 = [](uint16_t vmid, uint16_t asid, uint64_t va, uint64_t pa) {
        TlbEntry e;
        e.vmid = vmid;
        e.asid = asid;
        e.va_base = va;
        e.pa_base = pa;
        return e;
    };
    auto s2 = [](uint16_t vmid, uint64_t ipa, uint64_t pa) {
        TlbEntry e;
        e.vmid = vmid;
        e.s2 = true;
        e.va_base = ipa;
        e.pa_base = pa;
        return e;
    };
    tlb.insert(s1(1, 1, A, 0x1000));    // combined S1+S2, VMID 1 ASID 1
    tlb.insert(s1(1, 2, A, 0x2000));    // combined, VMID 1 ASID 2
    tlb.insert(s2(1, A, 0x3000));       // stage 2, VMID 1, IPA A (same number as the VA)
    tlb.insert(s2(1, B, 0x4000));       // stage 2, VMID 1, IPA B
    tlb.insert(s2(2, A, 0x5000));       // stage 2, VMID 2, IPA A
    tlb.insert(s1(2, 1, A, 0x6000));    // VMID 2 ASID 1
    REQUIRE(tlb.valid_count() == 6);
    // The kinds do not alias.
    CHECK(tlb.lookup(1, 1, A)->pa_base == 0x1000);
    CHECK(tlb.lookup_s2(1, A)->pa_base == 0x3000);
    CHECK(tlb.lookup(1, 3, B) == nullptr);
    CHECK(tlb.lookup_s2(3, A) == nullptr);

    // NH_ASID / NH_VA leave stage-2 entries alone.
    tlb.invalidate_asid(1, 2);
    CHECK(tlb.valid_count() == 5);
    tlb.invalidate_va_all_asids(2, A);
    CHECK(tlb.valid_count() == 4);
    CHECK(tlb.lookup_s2(2, A) != nullptr);
    tlb.insert(s1(1, 2, A, 0x2000));
    tlb.insert(s1(2, 1, A, 0x6000));

    // CMD_TLBI_S2_IPA (VMID 1, IPA A): exactly the stage-2 entry of VMID 1 covering A.
    tlb.invalidate_ipa(1, A + 0x123);
    CHECK(tlb.valid_count() == 5);
    CHECK(tlb.lookup_s2(1, A) == nullptr);
    CHECK(tlb.lookup_s2(1, B) != nullptr);
    CHECK(tlb.lookup_s2(2, A) != nullptr);
    CHECK(tlb.lookup(1, 1, A) != nullptr);   // combined entries are not IPA-tagged
    CHECK(tlb.lookup(1, 2, A) != nullptr);

    // CMD_TLBI_NH_ALL scoped to VMID 2: its stage-1 entry only.
    tlb.invalidate_s1_vmid(2);
    CHECK(tlb.valid_count() == 4);
    CHECK(tlb.lookup(2, 1, A) == nullptr);
    CHECK(tlb.lookup_s2(2, A) != nullptr);

    // CMD_TLBI_S12_VMALL (VMID 1): every entry of VMID 1, none of VMID 2.
    tlb.invalidate_vmid(1);
    CHECK(tlb.valid_count() == 1);
    CHECK(tlb.lookup_s2(2, A) != nullptr);
}

TEST_CASE("tlb: a 2 MiB stage-2 entry is removed by an IPA inside it", "[tlb][stage2]") {
    Tlb tlb(64, 4, Replacement::LRU);
    TlbEntry e;
    e.vmid = 3;
    e.s2 = true;
    e.va_base = 0x40200000;
    e.pa_base = 0x80200000;
    e.size_log2 = 21;
    tlb.insert(e);
    CHECK(tlb.lookup_s2(3, 0x403fffff) != nullptr);
    tlb.invalidate_ipa(3, 0x40400000);   // just outside
    CHECK(tlb.valid_count() == 1);
    tlb.invalidate_ipa(3, 0x40312000);
    CHECK(tlb.valid_count() == 0);
}

// ------------------------------------------------------------ SMMUv3 formats

TEST_CASE("v3 stage 2: STE S2 fields at the spec's bit positions and the walker config", "[stage2][v3]") {
    v3::Ste s;
    s.v = true;
    s.config = v3::ste_config::NESTED;
    s.s2vmid = 7;
    s.s2t0sz = 24;
    s.s2sl0 = 1;
    s.s2tg = 0;        // 4 KB
    s.s2ps = 2;        // 40 bits
    s.s2aa64 = true;
    s.s2affd = true;
    s.s2s = true;
    s.s2r = true;
    s.s2ttb = 0x12346000;
    uint64_t w[8];
    v3::encode_ste(s, w);
    CHECK((w[0] >> 1 & 7) == 0b111);
    CHECK((w[2] & 0xffff) == 7);
    CHECK((w[2] >> 32 & 0x3f) == 24);   // S2T0SZ [165:160]
    CHECK((w[2] >> 38 & 3) == 1);       // S2SL0 [167:166]
    CHECK((w[2] >> 48 & 7) == 2);       // S2PS [178:176]
    CHECK((w[2] >> 51 & 1) == 1);       // S2AA64 [179]
    CHECK((w[2] >> 53 & 1) == 1);       // S2AFFD [181]
    CHECK((w[2] >> 57 & 1) == 1);       // S2S [185]
    CHECK((w[2] >> 58 & 1) == 1);       // S2R [186]
    CHECK(w[3] == 0x12346000);          // S2TTB [247:196]
    v3::Features f;
    f.stage2 = true;
    f.oas_bits = 48;
    const S2Config c = v3::ste_s2_config(v3::decode_ste(w), f);
    CHECK(c.ttb == 0x12346000);
    CHECK(c.t0sz == 24);
    CHECK(c.sl0 == 1);
    CHECK(c.tg == Granule::K4);
    CHECK(c.ps_bits == 40);
    CHECK(c.affd);
    CHECK(s2_config_valid(c));
    f.oas_bits = 36;
    CHECK(v3::ste_s2_config(v3::decode_ste(w), f).ps_bits == 36);
    CHECK(v3::check_ste(v3::decode_ste(w), f) == EventId::None);
}

TEST_CASE("v3 stage 2: CMD_TLBI_S12_VMALL and CMD_TLBI_S2_IPA encodings", "[stage2][v3]") {
    uint64_t w[2];
    v3::encode_command(v3::cmd_tlbi_s12_vmall(0x1234), w);
    CHECK(w[0] == 0x0000123400000028ull);
    CHECK(w[1] == 0);
    v3::encode_command(v3::cmd_tlbi_s2_ipa(9, 0x80123456, true), w);
    CHECK(w[0] == 0x000000090000002aull);
    CHECK(w[1] == 0x80123001ull);
    v3::DecodeResult d = v3::decode_command(w);
    REQUIRE(d.ok);
    CHECK(d.cmd.opcode == v3::Opcode::TLBI_S2_IPA);
    CHECK(d.cmd.vmid == 9);
    CHECK(d.cmd.addr == 0x80123000);
    CHECK(v3::to_string(d.cmd) == "CMD_TLBI_S2_IPA vmid=9 addr=0x80123000 leaf=1");
    v3::encode_command(v3::cmd_tlbi_nh_asid(3, 9), w);
    CHECK(w[0] == 0x0003000900000011ull);
    v3::Features f;
    CHECK(v3::decode_command(w, f).ok);                  // NH_ASID legal with stage 1
    v3::encode_command(v3::cmd_tlbi_s12_vmall(1), w);
    CHECK_FALSE(v3::decode_command(w, f).ok);            // no stage 2: ILLEGAL
    f.stage2 = true;
    CHECK(v3::decode_command(w, f).ok);
}
