// Unit tests for the LRU configuration cache (models/smmu/config_cache.h).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "models/smmu/config_cache.h"

using iopf::smmu::LruCache;

TEST_CASE("LruCache: hits, misses and LRU eviction order", "[config_cache]") {
    LruCache<uint32_t, std::string> c(3);
    REQUIRE(c.capacity() == 3);
    CHECK(c.lookup(1) == nullptr);
    c.insert(1, "one");
    c.insert(2, "two");
    c.insert(3, "three");
    CHECK(c.size() == 3);

    // Touch 1: the LRU order becomes 2 (oldest), 3, 1.
    const std::string* v = c.lookup(1);
    REQUIRE(v != nullptr);
    CHECK(*v == "one");

    c.insert(4, "four");  // evicts 2
    CHECK(c.size() == 3);
    CHECK(c.evictions() == 1);
    CHECK(c.lookup(2) == nullptr);
    CHECK(c.contains(1));
    CHECK(c.contains(3));
    CHECK(c.contains(4));

    c.insert(5, "five");  // evicts 3 (order was 3, 1, 4)
    CHECK_FALSE(c.contains(3));
    CHECK(c.contains(1));

    // Re-insert of a present key replaces the value, refreshes it, no eviction.
    c.insert(1, "uno");  // order: 4, 5, 1
    CHECK(c.evictions() == 2);
    c.insert(6, "six");  // evicts 4
    CHECK_FALSE(c.contains(4));
    REQUIRE(c.lookup(1) != nullptr);
    CHECK(*c.lookup(1) == "uno");

    // lookups so far: miss(1), hit(1), miss(2), hit(1), hit(1)
    CHECK(c.hits() == 3);
    CHECK(c.misses() == 2);
}

TEST_CASE("LruCache: erase, erase_if and clear", "[config_cache]") {
    // CD-cache style key: (SID << 20) | SSID.
    auto key = [](uint64_t sid, uint64_t ssid) { return (sid << 20) | ssid; };
    LruCache<uint64_t, int> c(8);
    c.insert(key(1, 0), 10);
    c.insert(key(1, 5), 15);
    c.insert(key(2, 0), 20);
    c.insert(key(2, 7), 27);
    c.insert(key(3, 1), 31);

    c.erase(key(3, 1));
    c.erase(key(9, 9));  // absent: no-op
    CHECK(c.size() == 4);
    CHECK_FALSE(c.contains(key(3, 1)));

    // CFGI_CD_ALL-like: drop every CD of SID 1.
    std::size_t n = c.erase_if([&](const uint64_t& k, const int&) { return (k >> 20) == 1; });
    CHECK(n == 2);
    CHECK(c.size() == 2);
    CHECK_FALSE(c.contains(key(1, 0)));
    CHECK_FALSE(c.contains(key(1, 5)));
    CHECK(c.contains(key(2, 0)));
    CHECK(c.contains(key(2, 7)));

    // Predicate on the value.
    n = c.erase_if([](const uint64_t&, const int& v) { return v == 27; });
    CHECK(n == 1);
    CHECK(c.size() == 1);

    c.clear();
    CHECK(c.size() == 0);
    CHECK(c.lookup(key(2, 0)) == nullptr);

    // Still usable after clear, up to capacity.
    for (int i = 0; i < 8; ++i) c.insert(uint64_t(i), i);
    CHECK(c.size() == 8);
    CHECK(c.evictions() == 0);
    c.insert(100, 100);
    CHECK(c.evictions() == 1);
    CHECK_FALSE(c.contains(0));
}

TEST_CASE("LruCache: capacity 0 disables caching", "[config_cache]") {
    LruCache<uint32_t, int> c(0);
    c.insert(1, 1);
    c.insert(2, 2);
    CHECK(c.size() == 0);
    CHECK(c.lookup(1) == nullptr);
    CHECK(c.lookup(2) == nullptr);
    CHECK(c.hits() == 0);
    CHECK(c.misses() == 2);
    CHECK(c.evictions() == 0);
}

TEST_CASE("LruCache: capacity 1", "[config_cache]") {
    LruCache<uint32_t, int> c(1);
    c.insert(1, 11);
    c.insert(2, 22);
    CHECK(c.size() == 1);
    CHECK(c.lookup(1) == nullptr);
    REQUIRE(c.lookup(2) != nullptr);
    CHECK(*c.lookup(2) == 22);
    CHECK(c.evictions() == 1);
}
