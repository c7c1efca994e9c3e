// Distribution-valued time parameters (models/common/dist.h): the forms parse, sample with
// the statistics they promise, reject bad input with one line, and stay deterministic.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "models/common/dist.h"
#include "models/common/params.h"

using namespace iopf;
using nlohmann::json;

namespace {

std::vector<uint64_t> draw(const TimeDist& d, uint64_t seed, size_t n) {
    RngStream rng(seed, "test");
    std::vector<uint64_t> v(n);
    for (auto& x : v) x = d.sample(rng);
    return v;
}

// Nearest-rank quantile.
uint64_t quantile(std::vector<uint64_t> v, double q) {
    std::sort(v.begin(), v.end());
    size_t k = static_cast<size_t>(q * v.size() + 0.5);
    return v[std::min(k ? k - 1 : 0, v.size() - 1)];
}

std::string parse_error(const json& j) {
    try {
        TimeDist::parse(j, "host.irq.hardirq_cost");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("dist: lognormal median and p99 over 10k samples are within 3% of the parameters", "[unit][dist]") {
    const TimeDist d = TimeDist::parse(json::parse(R"({"dist":"lognormal","median":"2us","p99":"8us"})"), "k");
    const auto v = draw(d, 1, 10000);
    const double med = static_cast<double>(quantile(v, 0.5)), p99 = static_cast<double>(quantile(v, 0.99));
    CHECK(med == Approx(2'000'000.0).epsilon(0.03));
    CHECK(p99 == Approx(8'000'000.0).epsilon(0.03));
    CHECK(d.describe() == "lognormal 2us/p99 8us");
    CHECK(d.nominal_ps() == 2'000'000);
}

TEST_CASE("dist: uniform stays in [min, max] with the midpoint as its mean", "[unit][dist]") {
    const TimeDist d = TimeDist::parse(json::parse(R"({"dist":"uniform","min":"1us","max":3000})"), "k");
    const auto v = draw(d, 7, 10000);
    double sum = 0;
    for (auto x : v) { REQUIRE(x >= 1'000'000); REQUIRE(x <= 3'000'000); sum += x; }
    CHECK(sum / v.size() == Approx(2'000'000.0).epsilon(0.01));
    CHECK(d.describe() == "uniform 1us..3us");
}

TEST_CASE("dist: an empirical histogram is sampled in proportion to its weights", "[unit][dist]") {
    const std::string file = "test_dist_hist.csv";
    {
        std::ofstream out(file);
        out << "# wake-up latency\nvalue,weight\n1us,1\n2000,3\n5us,0\n";
    }
    const TimeDist d = TimeDist::parse(json{{"dist", "empirical"}, {"file", file}}, "k");
    const auto v = draw(d, 3, 20000);
    const auto ones = std::count(v.begin(), v.end(), 1'000'000ull);
    const auto twos = std::count(v.begin(), v.end(), 2'000'000ull);
    CHECK(ones + twos == 20000);   // a zero weight is never drawn
    CHECK(static_cast<double>(ones) / 20000 == Approx(0.25).epsilon(0.05));
    CHECK(d.nominal_ps() == 2'000'000);
    std::remove(file.c_str());
}

TEST_CASE("dist: bad distributions are one-line ConfigErrors naming the parameter", "[unit][dist]") {
    CHECK(parse_error(json::parse(R"({"dist":"lognormal","median":"2us","p99":"1us"})")) ==
          "parameter 'host.irq.hardirq_cost': lognormal p99 (1us) is below its median (2us)");
    CHECK(parse_error(json::parse(R"({"dist":"uniform","min":"-1us","max":"1us"})")).find("negative") != std::string::npos);
    CHECK(parse_error(json::parse(R"({"dist":"uniform","min":-5,"max":"1us"})")).find("negative") != std::string::npos);
    CHECK(parse_error(json::parse(R"({"dist":"gauss","mean":"1us"})")) ==
          "parameter 'host.irq.hardirq_cost': unknown distribution 'gauss' (expected constant|uniform|lognormal|empirical)");
    CHECK(parse_error(json::parse(R"({"dist":"lognormal","median":"2us"})")).find("needs \"p99\"") != std::string::npos);
    CHECK(parse_error(json::parse(R"({"dist":"lognormal","median":"2us","p99":"3us","mean":1})")).find("no field \"mean\"") != std::string::npos);
    CHECK(parse_error(json::parse(R"({"dist":"empirical","file":"/nonexistent/h.csv"})")).find("cannot read") != std::string::npos);
    {
        std::ofstream out("test_dist_empty.csv");
        out << "value,weight\n";
    }
    CHECK(parse_error(json{{"dist", "empirical"}, {"file", "test_dist_empty.csv"}}).find("is empty") != std::string::npos);
    std::remove("test_dist_empty.csv");
    for (const auto& e : {parse_error(json::parse(R"({"dist":"gauss"})")),
                          parse_error(json::parse(R"({"dist":"uniform","min":"3us","max":"1us"})"))})
        CHECK(e.find('\n') == std::string::npos);
}

TEST_CASE("dist: a Cost's stream depends on seed and path, not on other parameters", "[unit][dist]") {
    auto sample_with = [](uint64_t seed, bool extra) {
        Params p(json::parse(R"({"a":{"x":{"dist":"uniform","min":"0ns","max":"1ms"},
                                        "y":{"dist":"uniform","min":"0ns","max":"1ms"}}})"));
        p.set_seed(seed);
        ParamScope s = p.scope("a");
        if (extra) { Cost y = s.get_cost("y", 0, {"another component", "test"}); y.sample(); y.sample(); }
        Cost x = s.get_cost("x", 0, {"a cost", "test"});
        std::vector<uint64_t> v;
        for (int i = 0; i < 8; ++i) v.push_back(x.sample());
        return v;
    };
    CHECK(sample_with(1, false) == sample_with(1, false));
    CHECK(sample_with(1, false) == sample_with(1, true));   // another component's draws do not perturb x
    CHECK(sample_with(1, false) != sample_with(2, false));
}

TEST_CASE("dist: get_cost accepts a constant, a JSON object and --set text, and describes the form", "[unit][dist]") {
    Params p(json::parse(R"({"h":{"c":"2us","d":{"dist":"lognormal","median":"1us","p99":"4us"}}})"));
    p.set_override("h.e", R"({"dist":"uniform","min":"1us","max":"2us"})");
    ParamScope s = p.scope("h");
    Cost c = s.get_cost("c", 5, {"constant", "test"});
    Cost d = s.get_cost("d", 5, {"platform distribution", "test"});
    Cost e = s.get_cost("e", 5, {"override distribution", "test"});
    Cost f = s.get_cost("f", 3'000'000, {"default", "test"});
    CHECK(c.is_constant());
    CHECK(c.sample() == 2'000'000);
    CHECK(!d.is_constant());
    CHECK(f.sample() == 3'000'000);
    const auto& decl = p.declared();
    REQUIRE(decl.size() == 4);
    CHECK(decl[0].type == "cost");
    CHECK(decl[0].value == "2us");
    CHECK(decl[1].value == "lognormal 1us/p99 4us");
    CHECK(decl[2].value == "uniform 1us..2us");
    CHECK(decl[3].def == "3us");
    CHECK_NOTHROW(p.check_unknown());   // the members of a distribution object are not unknown keys
}

TEST_CASE("dist: --set-file takes dotted keys and nested objects, distribution objects stay values", "[unit][dist]") {
    Params p(json::object());
    p.set_overrides_from_json(json::parse(R"({"host.irq.hardirq_cost":{"dist":"uniform","min":"1us","max":"2us"},
                                              "host":{"cpu":{"cores":2}}})"), "test");
    ParamScope h = p.scope("host");
    CHECK(h.sub("cpu").get_uint("cores", 4, "cores", {"", ""}) == 2);
    CHECK(h.sub("irq").get_cost("hardirq_cost", 0, {"", ""}).dist().describe() == "uniform 1us..2us");
    CHECK_THROWS_AS(p.set_overrides_from_json(json::parse("[1]"), "test"), ConfigError);
    CHECK_THROWS_AS(p.set_overrides_from_json(json::parse(R"({"a":null})"), "test"), ConfigError);
}

// fuzz/regressions/params: found by the params fuzz target (docs/reliability.md).
TEST_CASE("dist: times of 2^63 ps or more are ConfigErrors and a lognormal tail is clamped below 2^63 ps", "[unit][dist]") {
    auto cost_error = [](const json& platform, const std::string& override_text) {
        try {
            Params p(platform);
            if (!override_text.empty()) p.set_override("h.c", override_text);
            p.scope("h").get_cost("c", 0, {"a cost", "test"});
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    // A bare JSON number is ns: 1e16 ns = 1e19 ps is beyond 2^63 ps.
    CHECK(cost_error(json{{"h", {{"c", 1e16}}}}, "").find("parameter 'h.c'") != std::string::npos);
    CHECK(cost_error(json{{"h", {{"c", 9e15}}}}, "") == "");   // 9e18 ps still fits
    CHECK(parse_error(json{{"dist", "uniform"}, {"min", 0}, {"max", 1e30}}).find("host.irq.hardirq_cost") != std::string::npos);
    // --set text with a number nlohmann cannot hold as a double (out_of_range, not parse_error).
    const std::string e = cost_error(json::object(), "{\"dist\":\"uniform\",\"min\":0,\"max\":1e400}");
    CHECK(e.find("parameter 'h.c'") != std::string::npos);
    CHECK(e.find('\n') == std::string::npos);
    // A lognormal whose p99 is near the limit: its far tail would exceed 2^63 ps (or reach inf).
    const TimeDist wide = TimeDist::parse(json{{"dist", "lognormal"}, {"median", "1ns"}, {"p99", "1000000s"}}, "x");
    for (uint64_t v : draw(wide, 7, 20000)) CHECK(v < (uint64_t{1} << 63));
}
