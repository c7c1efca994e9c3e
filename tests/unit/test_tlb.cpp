// Unit tests for the set-associative TLB (models/smmu/tlb.h).
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "models/smmu/tlb.h"

using namespace iopf::smmu;

namespace {

TlbEntry entry(uint16_t vmid, uint16_t asid, uint64_t va, uint64_t pa, uint8_t size_log2 = 12,
               bool global = false) {
    TlbEntry e;
    e.vmid = vmid;
    e.asid = asid;
    e.va_base = va;
    e.pa_base = pa;
    e.size_log2 = size_log2;
    e.attrs.ng = !global;
    return e;
}

bool hit(Tlb& t, uint16_t vmid, uint16_t asid, uint64_t va) {
    return t.lookup(vmid, asid, va) != nullptr;
}

}  // namespace

TEST_CASE("Tlb: constructor validation and geometry", "[tlb]") {
    CHECK_THROWS_AS(Tlb(0, 1, Replacement::LRU), std::invalid_argument);
    CHECK_THROWS_AS(Tlb(4, 0, Replacement::LRU), std::invalid_argument);
    CHECK_THROWS_AS(Tlb(6, 4, Replacement::FIFO), std::invalid_argument);
    CHECK_THROWS_WITH(Tlb(6, 4, Replacement::FIFO), Catch::Contains("multiple of ways"));

    Tlb t(12, 4, Replacement::LRU);  // 3 sets: not a power of two
    CHECK(t.entries() == 12);
    CHECK(t.ways() == 4);
    CHECK(t.sets() == 3);
    CHECK(t.valid_count() == 0);
    CHECK(t.evictions() == 0);

    Tlb fa(8, 8, Replacement::FIFO);  // fully associative
    CHECK(fa.sets() == 1);

    // Inserting a size below 4 KiB is rejected.
    CHECK_THROWS_AS(t.insert(entry(0, 0, 0, 0, 11)), std::invalid_argument);
}

TEST_CASE("Tlb: parse_replacement", "[tlb]") {
    CHECK(parse_replacement("lru") == Replacement::LRU);
    CHECK(parse_replacement("fifo") == Replacement::FIFO);
    CHECK(parse_replacement("random") == Replacement::Random);
    CHECK_THROWS_AS(parse_replacement("LRU-ish"), std::invalid_argument);
    CHECK_THROWS_WITH(parse_replacement("plru"), Catch::Contains("plru") &&
                                                     Catch::Contains("lru, fifo or random"));
    CHECK(std::string(replacement_name(Replacement::FIFO)) == "fifo");
}

TEST_CASE("Tlb: exact hit/miss sequence with ASID and VMID tagging", "[tlb]") {
    Tlb t(4, 2, Replacement::LRU);  // 2 sets
    t.insert(entry(1, 7, 0x1000, 0x80001000));
    CHECK(t.valid_count() == 1);

    const TlbEntry* e = t.lookup(1, 7, 0x1abc);
    REQUIRE(e != nullptr);
    CHECK(e->pa_base == 0x80001000);
    CHECK(e->va_base == 0x1000);
    CHECK(e->size_log2 == 12);

    CHECK(hit(t, 1, 7, 0x1000));
    CHECK(hit(t, 1, 7, 0x1fff));
    CHECK_FALSE(hit(t, 1, 7, 0x2000));   // next page
    CHECK_FALSE(hit(t, 1, 7, 0x0fff));   // previous page
    CHECK_FALSE(hit(t, 1, 8, 0x1000));   // other ASID
    CHECK_FALSE(hit(t, 2, 7, 0x1000));   // other VMID

    // Unaligned va_base is aligned down on insert.
    t.insert(entry(1, 7, 0x5123, 0x90005000));
    e = t.lookup(1, 7, 0x5ff0);
    REQUIRE(e != nullptr);
    CHECK(e->va_base == 0x5000);
    CHECK(t.valid_count() == 2);

    // Re-inserting an identical tag replaces in place: no eviction, no new entry.
    t.insert(entry(1, 7, 0x1000, 0xa0001000));
    CHECK(t.valid_count() == 2);
    CHECK(t.evictions() == 0);
    REQUIRE(t.lookup(1, 7, 0x1000) != nullptr);
    CHECK(t.lookup(1, 7, 0x1000)->pa_base == 0xa0001000);
}

TEST_CASE("Tlb: LRU eviction order in a 2-way set", "[tlb]") {
    Tlb t(4, 2, Replacement::LRU);  // 2 sets: 0x0000, 0x2000, 0x4000, 0x6000 share set 0
    t.insert(entry(0, 1, 0x0000, 0x10000));  // A
    t.insert(entry(0, 1, 0x2000, 0x12000));  // B
    t.insert(entry(0, 1, 0x1000, 0x11000));  // other set, must not interfere
    CHECK(hit(t, 0, 1, 0x0000));             // A most recently used
    t.insert(entry(0, 1, 0x4000, 0x14000));  // C evicts B (LRU)
    CHECK(t.evictions() == 1);
    CHECK(hit(t, 0, 1, 0x0000));
    CHECK_FALSE(hit(t, 0, 1, 0x2000));
    CHECK(hit(t, 0, 1, 0x4000));             // C now MRU, A LRU
    t.insert(entry(0, 1, 0x6000, 0x16000));  // D evicts A
    CHECK(t.evictions() == 2);
    CHECK_FALSE(hit(t, 0, 1, 0x0000));
    CHECK(hit(t, 0, 1, 0x4000));
    CHECK(hit(t, 0, 1, 0x6000));
    CHECK(hit(t, 0, 1, 0x1000));
    CHECK(t.valid_count() == 3);
}

TEST_CASE("Tlb: FIFO eviction order in a 2-way set ignores hits", "[tlb]") {
    Tlb t(4, 2, Replacement::FIFO);
    t.insert(entry(0, 1, 0x0000, 0x10000));  // A
    t.insert(entry(0, 1, 0x2000, 0x12000));  // B
    CHECK(hit(t, 0, 1, 0x0000));             // hit on A does not save it
    t.insert(entry(0, 1, 0x4000, 0x14000));  // C evicts A (first in)
    CHECK(t.evictions() == 1);
    CHECK_FALSE(hit(t, 0, 1, 0x0000));
    CHECK(hit(t, 0, 1, 0x2000));
    CHECK(hit(t, 0, 1, 0x4000));
    t.insert(entry(0, 1, 0x6000, 0x16000));  // D evicts B
    CHECK_FALSE(hit(t, 0, 1, 0x2000));
    CHECK(hit(t, 0, 1, 0x4000));
    CHECK(hit(t, 0, 1, 0x6000));
    CHECK(t.evictions() == 2);
}

TEST_CASE("Tlb: random replacement is deterministic for a seed", "[tlb]") {
    // One set of 4 ways; 64 distinct pages; record which pages survive.
    auto survivors = [](uint64_t seed) {
        Tlb t(4, 4, Replacement::Random, seed);
        for (uint64_t i = 0; i < 64; ++i) t.insert(entry(0, 1, i << 12, i << 12));
        std::vector<uint64_t> alive;
        for (uint64_t i = 0; i < 64; ++i)
            if (hit(t, 0, 1, i << 12)) alive.push_back(i);
        CHECK(t.evictions() == 60);
        CHECK(t.valid_count() == 4);
        return alive;
    };
    const auto a1 = survivors(1);
    const auto a2 = survivors(1);
    const auto b = survivors(12345);
    CHECK(a1.size() == 4);
    CHECK(a1 == a2);
    CHECK(a1 != b);
    // The last page inserted always survives (it was just written).
    CHECK(a1.back() == 63);
    // Random does not degenerate into "always way 0": older pages survive too.
    CHECK(a1.front() < 60);
}

TEST_CASE("Tlb: global entries match every ASID of their VMID", "[tlb]") {
    Tlb t(8, 2, Replacement::LRU);
    t.insert(entry(3, 5, 0x7000, 0x77000, 12, /*global=*/true));
    CHECK(hit(t, 3, 5, 0x7000));
    CHECK(hit(t, 3, 999, 0x7004));
    CHECK_FALSE(hit(t, 4, 5, 0x7000));  // other VMID

    // TLBI_NH_ASID leaves global entries alone.
    t.invalidate_asid(3, 5);
    CHECK(hit(t, 3, 1, 0x7000));
    // TLBI_NH_VA with any ASID removes the global entry covering va.
    t.invalidate_va(3, 42, 0x7800);
    CHECK_FALSE(hit(t, 3, 5, 0x7000));
    CHECK(t.valid_count() == 0);
}

TEST_CASE("Tlb: invalidate_all / vmid / asid / va", "[tlb]") {
    Tlb t(16, 4, Replacement::LRU);
    t.insert(entry(0, 1, 0x1000, 0xa000));
    t.insert(entry(0, 1, 0x2000, 0xb000));
    t.insert(entry(0, 2, 0x1000, 0xc000));
    t.insert(entry(1, 1, 0x1000, 0xd000));
    t.insert(entry(0, 9, 0x3000, 0xe000, 12, true));  // global, vmid 0
    REQUIRE(t.valid_count() == 5);

    SECTION("asid") {
        t.invalidate_asid(0, 1);
        CHECK_FALSE(hit(t, 0, 1, 0x1000));
        CHECK_FALSE(hit(t, 0, 1, 0x2000));
        CHECK(hit(t, 0, 2, 0x1000));
        CHECK(hit(t, 1, 1, 0x1000));  // same ASID, other VMID
        CHECK(hit(t, 0, 1, 0x3000));  // global
        CHECK(t.valid_count() == 3);
    }
    SECTION("va") {
        t.invalidate_va(0, 1, 0x1234);
        CHECK_FALSE(hit(t, 0, 1, 0x1000));
        CHECK(hit(t, 0, 1, 0x2000));   // other page
        CHECK(hit(t, 0, 2, 0x1000));   // other ASID
        CHECK(hit(t, 1, 1, 0x1000));   // other VMID
        CHECK(t.valid_count() == 4);
        t.invalidate_va(0, 1, 0x5000);  // nothing there
        CHECK(t.valid_count() == 4);
    }
    SECTION("vmid") {
        t.invalidate_vmid(0);
        CHECK(t.valid_count() == 1);
        CHECK(hit(t, 1, 1, 0x1000));
        CHECK_FALSE(hit(t, 0, 2, 0x1000));
        CHECK_FALSE(hit(t, 0, 7, 0x3000));
    }
    SECTION("all") {
        t.invalidate_all();
        CHECK(t.valid_count() == 0);
        CHECK_FALSE(hit(t, 0, 1, 0x1000));
        CHECK_FALSE(hit(t, 1, 1, 0x1000));
        CHECK_FALSE(hit(t, 0, 9, 0x3000));
        // Usable again; invalidation is not counted as eviction.
        t.insert(entry(0, 1, 0x1000, 0xa000));
        CHECK(hit(t, 0, 1, 0x1000));
        CHECK(t.evictions() == 0);
    }
}

TEST_CASE("Tlb: mixed page sizes", "[tlb]") {
    Tlb t(8, 2, Replacement::LRU);  // 4 sets
    const uint64_t blk2m = 0x40000000;   // 2 MiB block
    const uint64_t blk1g = 0x80000000;   // 1 GiB block
    t.insert(entry(0, 1, blk2m, 0x200000000, 21));
    t.insert(entry(0, 1, blk1g, 0x300000000, 30));
    t.insert(entry(0, 1, 0x10000, 0x5000, 12));
    // TTB1-half VA, 4 KiB page.
    t.insert(entry(0, 1, 0xffff800000123000, 0x6000, 12));

    const TlbEntry* e = t.lookup(0, 1, blk2m + 0x1fffff);
    REQUIRE(e != nullptr);
    CHECK(e->size_log2 == 21);
    CHECK(e->pa_base == 0x200000000);
    CHECK(hit(t, 0, 1, blk2m));
    CHECK(hit(t, 0, 1, blk2m + 0x12345));
    CHECK_FALSE(hit(t, 0, 1, blk2m + 0x200000));
    CHECK_FALSE(hit(t, 0, 1, blk2m - 1));

    e = t.lookup(0, 1, blk1g + 0x3fffffff);
    REQUIRE(e != nullptr);
    CHECK(e->size_log2 == 30);
    CHECK_FALSE(hit(t, 0, 1, blk1g + 0x40000000));

    e = t.lookup(0, 1, 0x10abc);
    REQUIRE(e != nullptr);
    CHECK(e->size_log2 == 12);
    CHECK(hit(t, 0, 1, 0xffff800000123fff));
    CHECK_FALSE(hit(t, 0, 1, 0x0000800000123000));

    // A VA invalidation inside the 2 MiB block removes the whole block only.
    t.invalidate_va(0, 1, blk2m + 0x155000);
    CHECK_FALSE(hit(t, 0, 1, blk2m));
    CHECK(hit(t, 0, 1, blk1g));
    CHECK(hit(t, 0, 1, 0x10000));
    CHECK(t.valid_count() == 3);

    // Removing the last 1 GiB entry: lookups still correct for the remaining sizes.
    t.invalidate_va(0, 1, blk1g + 5);
    CHECK_FALSE(hit(t, 0, 1, blk1g));
    CHECK(hit(t, 0, 1, 0x10000));
    CHECK(t.valid_count() == 2);
}

TEST_CASE("TLB: invalidate_va_all_asids drops every ASID's entry covering the VA only", "[tlb]") {
    using namespace iopf::smmu;
    Tlb tlb(16, 4, Replacement::LRU);
    auto entry = [](uint16_t asid, uint64_t va) {
        TlbEntry e;
        e.asid = asid;
        e.va_base = va;
        e.pa_base = 0x80000000 + va;
        e.size_log2 = 12;
        return e;
    };
    tlb.insert(entry(1, 0x1000));
    tlb.insert(entry(2, 0x1000));
    tlb.insert(entry(1, 0x2000));
    tlb.invalidate_va_all_asids(0, 0x1abc);
    CHECK(tlb.lookup(0, 1, 0x1000) == nullptr);
    CHECK(tlb.lookup(0, 2, 0x1000) == nullptr);
    REQUIRE(tlb.lookup(0, 1, 0x2000) != nullptr);
    CHECK(tlb.valid_count() == 1);
}
