// Latency distributions in bounded memory (models/common/stats.h, docs/outputs.md): exact
// up to Distribution::kExactSamples, then a log-bucketed histogram whose percentiles are
// within Distribution::kRelativeError of the exact nearest-rank values.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "models/common/stats.h"

using iopf::Distribution;

namespace {

// Deterministic, long-tailed samples (ns): a log-uniform body from 100 ns to 1 ms, some
// zeros (a stage a path does not have) and a few huge outliers.
std::vector<double> samples(size_t n) {
    std::vector<double> v;
    uint64_t x = 0x243f6a8885a308d3ull;
    for (size_t i = 0; i < n; ++i) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        const double u = (x >> 11) * (1.0 / 9007199254740992.0);
        if (i % 97 == 0) v.push_back(0.0);
        else if (i % 10007 == 0) v.push_back(5e9 + u);
        else v.push_back(std::round(100.0 * std::pow(10.0, 4.0 * u) * 1000.0) / 1000.0);   // ps resolution
    }
    return v;
}

}  // namespace

TEST_CASE("Distribution is exactly distribution() up to kExactSamples") {
    const auto v = samples(Distribution::kExactSamples);
    Distribution d;
    for (double x : v) d.add(x);
    REQUIRE(d.exact());
    CHECK(d.json() == iopf::distribution(v));
}

TEST_CASE("Distribution beyond kExactSamples: histogram percentiles within the stated error") {
    CHECK(Distribution::kRelativeError < 0.006);   // what docs/outputs.md states
    const size_t n = 3 * Distribution::kExactSamples + 12345;
    auto v = samples(n);
    Distribution d;
    for (double x : v) d.add(x);
    REQUIRE_FALSE(d.exact());
    const auto j = d.json();
    const auto exact = iopf::distribution(v);
    CHECK(j["count"] == n);
    CHECK(j["min"] == exact["min"]);
    CHECK(j["max"] == exact["max"]);
    CHECK(j["mean"].get<double>() == Approx(exact["mean"].get<double>()).epsilon(1e-9));
    for (const char* p : {"p50", "p90", "p99"}) {
        INFO(p << ": histogram " << j[p] << " exact " << exact[p]);
        const double e = exact[p].get<double>(), h = j[p].get<double>();
        CHECK(std::abs(h - e) <= Distribution::kRelativeError * e);
        CHECK(h != e);   // the histogram really is in use (a bucket middle, not a sample)
    }
}

TEST_CASE("Distribution histogram keeps zeros and the top of the range") {
    Distribution d;
    for (size_t i = 0; i <= Distribution::kExactSamples; ++i) d.add(i % 4 ? 0.0 : 2e12);   // 2e12 > kHighest
    REQUIRE_FALSE(d.exact());
    const auto j = d.json();
    CHECK(j["p50"] == 0.0);
    CHECK(j["p90"] == 2e12);   // overflow bucket: the exact max
    CHECK(j["min"] == 0.0);
}
