// Units parser edge cases from the issue-10 audit: no undefined behaviour, no silent
// precision loss, no digitless numbers.
#include <catch2/catch.hpp>

#include "models/common/units.h"

using namespace iopf;

TEST_CASE("parse_uint: a separator alone is not a number", "[unit][units]") {
    CHECK_FALSE(parse_uint("_"));
    CHECK_FALSE(parse_uint("0x_"));
    CHECK_FALSE(parse_uint("__"));
    CHECK(parse_uint("0x8000_0000") == 0x80000000ull);
    CHECK(parse_uint("1_000") == 1000u);
    CHECK(parse_uint("18446744073709551615") == UINT64_MAX);
    CHECK_FALSE(parse_uint("18446744073709551616"));
}

TEST_CASE("parse_time_ps: times at or beyond 2^63 ps are rejected, not rounded into overflow", "[unit][units]") {
    CHECK_FALSE(parse_time_ps("1e7s"));        // 1e19 ps: llround would overflow
    CHECK_FALSE(parse_time_ps("1e30"));
    CHECK_FALSE(parse_time_ps("inf"));
    CHECK_FALSE(parse_time_ps("nan"));
    CHECK(parse_time_ps("1e6s") == 1000000000000000000ull);
    CHECK(parse_time_ps("2.5ns") == 2500u);
    CHECK_FALSE(ps_from_double(-1.0));
    CHECK_FALSE(ps_from_double(9.3e18));
    CHECK(ps_from_double(0.4) == 0u);
}

TEST_CASE("parse_size: integers are exact above 2^53, fractions must stay exact", "[unit][units]") {
    CHECK(parse_size("9007199254740993") == 9007199254740993ull);   // 2^53 + 1
    CHECK(parse_size("18446744073709551615") == UINT64_MAX);
    CHECK_FALSE(parse_size("18446744073709551616"));
    CHECK(parse_size("8388607TiB") == 8388607ull << 40);
    CHECK_FALSE(parse_size("16777216TiB"));                         // 2^64: overflow
    CHECK(parse_size("1.5KiB") == 1536u);
    CHECK_FALSE(parse_size("1.3B"));
    CHECK_FALSE(parse_size("_"));
    CHECK(parse_size("4 KiB") == 4096u);
}
