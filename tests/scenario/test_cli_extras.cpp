// CLI additions from the user-workflow work (docs/workflows.md): --version, a unit on every
// --describe line, --trace-filter selecting VCD signals, and `iopf-sim sweep --help`.
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <string>

#include "tests/scenario/harness.h"

using namespace iopf::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> shipped_platforms() {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(std::string(iopf::source_dir()) + "/platforms"))
        if (e.path().extension() == ".json") v.push_back(e.path().stem().string());
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace

TEST_CASE("cli: --version prints the project and SystemC versions", "[scenario][cli]") {
    const auto r = run_cli({"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.out == std::string("iopf-sim ") + iopf::sim_version() + " (SystemC 2.3.4-Accellera)\n");
    CHECK(r.err.empty());
}

TEST_CASE("cli: every --describe line of every shipped platform ends with a [unit]", "[scenario][cli]") {
    static const std::regex with_unit(R"(^\S+\s+\S+.*\[[^\]\s][^\]]*\]$)");
    for (const auto& p : shipped_platforms()) {
        INFO("platform " << p);
        const auto r = run_cli({"--describe", p});
        REQUIRE(r.exit_code == 0);
        const auto lines = lines_of(r.out);
        REQUIRE(lines.size() > 10);
        size_t params = 0;
        for (size_t i = 3; i < lines.size(); ++i) {   // title, blank, column header
            if (lines[i].empty()) continue;
            if (lines[i].rfind("    source: ", 0) == 0) continue;   // the source line under each parameter
            ++params;
            INFO(lines[i]);
            REQUIRE(i + 1 < lines.size());
            CHECK(lines[i + 1].rfind("    source: ", 0) == 0);
            INFO(lines[i]);
            CHECK(std::regex_match(lines[i], with_unit));
        }
        CHECK(params > 20);
    }
    // Units derived from the type where the model declared none.
    const auto r = run_cli({"--describe", "trace_replay"});
    bool sid = false, can_stall = false, smmu = false;
    for (const auto& l : lines_of(r.out)) {
        if (l.rfind("tp.sid ", 0) == 0) sid = l.size() > 4 && l.substr(l.size() - 4) == "[id]";
        if (l.rfind("tp.can_stall ", 0) == 0) can_stall = l.find("[true|false]") != std::string::npos;
        if (l.rfind("tp.smmu ", 0) == 0) smmu = l.find("[text]") != std::string::npos;
    }
    CHECK(sid);
    CHECK(can_stall);
    CHECK(smmu);
}

TEST_CASE("cli: --trace-filter keeps only the VCD signals whose names match the glob", "[scenario][cli][vcd]") {
    TempDir tmp;
    const std::string all = tmp.file("all.vcd"), some = tmp.file("some.vcd");
    REQUIRE(run_cli({"--platform", "sva_stall", "--quiet", "--vcd", all}).exit_code == 0);
    const auto r = run_cli({"--platform", "sva_stall", "--quiet", "--vcd", some, "--trace-filter", "smmu.*irq"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto vars = [](const std::string& text) {
        std::vector<std::string> v;
        for (const auto& l : lines_of(text))
            if (l.rfind("$var", 0) == 0) v.push_back(l);
        return v;
    };
    // sva_stall's SMMU has three wired lines: evtq_irq, gerror_irq, priq_irq.
    const auto f = vars(read_text(some));
    CHECK(f.size() == 3);
    for (const auto& l : f) CHECK(l.find("_irq") != std::string::npos);
    CHECK(vars(read_text(all)).size() > 10);
}

TEST_CASE("cli: iopf-sim sweep --help lists the sweep options", "[scenario][cli][sweep]") {
    const auto r = run_cli({"sweep", "--help"});
    CHECK(r.exit_code == 0);
    for (const char* opt : {"--vary", "--out", "--emit-jobs", "--merge", "--jobs", "--force"}) {
        INFO(opt);
        CHECK(r.out.find(opt) != std::string::npos);
    }
}
