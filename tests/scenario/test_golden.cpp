// Golden regression (docs/workflows.md "Golden regression"): every shipped platform, run
// with --seed 1, must reproduce traces/golden/<platform>/stats.json exactly (run.wall_s
// and the embedded "config" aside) and the sha256 of its VCD body (from "$enddefinitions" to the end) in
// traces/golden/<platform>/vcd.sha256. A change in behaviour fails here until someone
// re-runs tools/refresh-golden and commits the reviewed diff.
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sc_main/diff.h"
#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kSource = iopf::source_dir();

std::vector<std::string> shipped_platforms() {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(kSource + "/platforms"))
        if (e.path().extension() == ".json") v.push_back(e.path().stem().string());
    std::sort(v.begin(), v.end());
    return v;
}

std::string sha256_of_file(const std::string& path) {
    FILE* p = popen(("sha256sum '" + path + "'").c_str(), "r");
    if (!p) return "(sha256sum failed)";
    char buf[128] = {};
    const size_t n = fread(buf, 1, 64, p);
    pclose(p);
    return std::string(buf, n);
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

TEST_CASE("golden: every shipped platform has a golden, every golden a platform", "[scenario][golden]") {
    const auto platforms = shipped_platforms();
    REQUIRE(platforms.size() >= 3);
    std::set<std::string> goldens;
    for (const auto& e : fs::directory_iterator(kSource + "/traces/golden"))
        if (e.is_directory()) goldens.insert(e.path().filename().string());
    for (const auto& p : platforms) {
        INFO("platform " << p << " has no traces/golden/" << p << "/ (run tools/refresh-golden)");
        CHECK(goldens.count(p) == 1);
        CHECK(fs::exists(kSource + "/traces/golden/" + p + "/stats.json"));
        CHECK(fs::exists(kSource + "/traces/golden/" + p + "/vcd.sha256"));
    }
    for (const auto& g : goldens) {
        INFO("traces/golden/" << g << "/ has no platforms/" << g << ".json (run tools/refresh-golden)");
        CHECK(std::find(platforms.begin(), platforms.end(), g) != platforms.end());
    }
}

TEST_CASE("golden: every shipped platform reproduces its golden stats and VCD body", "[scenario][golden]") {
    TempDir tmp;
    for (const auto& p : shipped_platforms()) {
        const std::string gdir = kSource + "/traces/golden/" + p;
        if (!fs::exists(gdir + "/stats.json")) continue;   // reported by the test above
        INFO("platform " << p << " (if the change is intended: tools/refresh-golden " << p << ", review git diff traces/golden)");
        const std::string stats = tmp.file(p + ".json"), vcd = tmp.file(p + ".vcd");
        const auto r = run_cli({"--platform", p, "--seed", "1", "--quiet", "--stats", stats, "--vcd", vcd});
        INFO("exit " << r.exit_code << ", stderr: " << r.err);
        REQUIRE(r.exit_code == 0);

        json actual = json::parse(read_text(stats));
        REQUIRE(actual.at("run").contains("wall_s"));
        actual["run"].erase("wall_s");
        actual.erase("config");   // the input record (parameters, build commit), not behaviour
        const json golden = json::parse(read_text(gdir + "/stats.json"));
        // iopf-sim diff names each metric that moved with both values (headline ones first).
        const auto d = iopf::diff_stats(golden, actual, {}, "golden", "now");
        INFO("iopf-sim diff golden now:\n" << d.report);
        CHECK(d.exit_code == 0);
        CHECK(actual == golden);

        const std::string text = read_text(vcd);
        const auto at = text.find("$enddefinitions");
        REQUIRE(at != std::string::npos);
        write_text(tmp.file(p + ".body"), text.substr(at));
        const std::string want = trim(read_text(gdir + "/vcd.sha256"));
        REQUIRE(want.size() == 64);
        INFO("VCD body (from $enddefinitions) hash differs");
        CHECK(sha256_of_file(tmp.file(p + ".body")) == want);
    }
}
