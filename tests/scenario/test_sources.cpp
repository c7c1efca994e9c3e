// Every parameter of every shipped platform declares where its default comes from: a
// citation or "assumed: why" (issue 14). `--describe X --json` carries the source and the
// text form prints it under each parameter.
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> platforms() {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(std::string(iopf::source_dir()) + "/platforms"))
        if (e.path().extension() == ".json") v.push_back(e.path().stem().string());
    std::sort(v.begin(), v.end());
    return v;
}

// A source is a citation or starts "assumed:"/"calibrated:"; an "assumed:" must give a reason.
bool well_formed(const std::string& s) {
    if (s.size() < 12) return false;
    if (s.rfind("assumed:", 0) == 0) return s.size() > std::string("assumed: ").size() + 5;
    return true;
}

}  // namespace

TEST_CASE("sources: every parameter of every shipped platform has a source", "[scenario][cli][sources]") {
    const auto ps = platforms();
    REQUIRE(ps.size() >= 6);
    for (const auto& p : ps) {
        INFO("platform " << p);
        const auto r = run_cli({"--describe", p, "--json"});
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto j = nlohmann::json::parse(r.out);
        CHECK(j.at("platform_name") == p);
        const auto& params = j.at("parameters");
        REQUIRE(params.size() > 20);
        for (const auto& [path, q] : params.items()) {
            INFO(path);
            for (const char* k : {"type", "unit", "default", "value", "meaning", "source"}) CHECK(q.contains(k));
            REQUIRE(q.at("source").is_string());   // null = not declared
            CHECK(well_formed(q.at("source").get<std::string>()));
        }
    }
}

TEST_CASE("sources: the text --describe shows the source of a cited and of an assumed default", "[scenario][cli][sources]") {
    const auto r = run_cli({"--describe", "sva_stall"});
    REQUIRE(r.exit_code == 0);
    const auto lines = lines_of(r.out);
    std::string walker, hardirq;
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
        if (lines[i].rfind("smmu.timing.walker_slots ", 0) == 0) walker = lines[i + 1];
        if (lines[i].rfind("host.irq.hardirq_cost ", 0) == 0) hardirq = lines[i + 1];
    }
    CHECK(walker.find("source: gem5") != std::string::npos);
    CHECK(walker.find("not a measurement") != std::string::npos);
    CHECK(hardirq.find("source: assumed: ") != std::string::npos);
}

TEST_CASE("sources: --json without --describe is bad input", "[scenario][cli][sources]") {
    const auto r = run_cli({"--platform", "sva_stall", "--json"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--json") != std::string::npos);
}
