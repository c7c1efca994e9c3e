// Effective configuration (issue 16): --dump-config / --describe --json write every
// parameter's value, default, unit and source; the stats embed it under "config" with the
// schema version, iopf-sim version and git commit; a run repeats from a dump to identical
// stats (run.wall_s aside); each sweep point keeps its own.
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

// The stats text without the run.wall_s line (the only thing allowed to differ).
std::string without_wall(const std::string& text) {
    return std::regex_replace(text, std::regex("\n *\"wall_s\": [^\n]*"), "");
}

}  // namespace

TEST_CASE("config: --dump-config lists every parameter with value, default, unit and source", "[scenario][cli][config]") {
    TempDir tmp;
    const std::string cfg = tmp.file("c.json");
    const auto r = run_cli({"--platform", "dma_translate", "--quiet", "--set", "smmu.tlb.entries=64", "--seed", "7",
                            "--dump-config", cfg});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json c = json::parse(read_text(cfg));
    CHECK(c.at("schema_version") == 1);
    CHECK(c.at("build").at("version") == iopf::sim_version());
    CHECK(std::regex_match(c.at("build").at("git_commit").get<std::string>(),
                           std::regex("unknown|[0-9a-f]{40}(\\+dirty)?")));
    CHECK(c.at("platform_name") == "dma_translate");
    CHECK(c.at("seed") == 7);
    const auto& p = c.at("parameters");
    REQUIRE(p.size() > 50);
    for (const auto& [path, info] : p.items()) {
        INFO(path);
        for (const char* k : {"type", "value", "default", "unit", "meaning", "source"}) CHECK(info.contains(k));
    }
    CHECK(p.at("smmu.tlb.entries").at("value") == "64");
    CHECK(p.at("smmu.tlb.entries").at("default") == "128");
    CHECK(p.at("dram.size").at("value") == "2GiB");
    CHECK(p.at("dram.size").at("unit") == "bytes");
    // The platform rebuilt from the effective values, typed as a platform file would be.
    CHECK(c.at("platform_json").at("smmu").at("tlb").at("entries") == 64);
    CHECK(c.at("platform_json").at("dram").at("type") == "memory");
}

TEST_CASE("config: --describe --json prints the same data --dump-config writes", "[scenario][cli][config]") {
    TempDir tmp;
    const std::string cfg = tmp.file("c.json");
    REQUIRE(run_cli({"--platform", "sva_stall", "--quiet", "--dump-config", cfg}).exit_code == 0);
    const auto d = run_cli({"--describe", "sva_stall", "--json"});
    REQUIRE(d.exit_code == 0);
    CHECK(json::parse(d.out) == json::parse(read_text(cfg)));
}

TEST_CASE("config: the stats embed the effective configuration", "[scenario][cli][config]") {
    TempDir tmp;
    const std::string stats = tmp.file("s.json"), cfg = tmp.file("c.json");
    REQUIRE(run_cli({"--platform", "pcie_pri", "--quiet", "--stats", stats, "--dump-config", cfg}).exit_code == 0);
    const json s = json::parse(read_text(stats));
    CHECK(s.at("config") == json::parse(read_text(cfg)));
    CHECK(s.at("config").at("build").at("version") == s.at("run").at("sim_version"));
}

TEST_CASE("config: every shipped platform repeats from its dump to identical stats", "[scenario][cli][config][determinism]") {
    TempDir tmp;
    for (const char* p : {"showcase", "dma_translate", "sva_stall", "pcie_pri", "gpu_deferred_resume", "trace_replay"}) {
        INFO("platform " << p);
        const std::string a = tmp.file(std::string(p) + "-a.json"), b = tmp.file(std::string(p) + "-b.json"),
                          c = tmp.file(std::string(p) + "-b2.json"), cfg = tmp.file(std::string(p) + "-cfg.json");
        // Overrides, a seed and a duration: all must be carried by the dump.
        REQUIRE(run_cli({"--platform", p, "--quiet", "--seed", "5", "--set", "host.cpu.cores=3", "--duration", "5ms",
                         "--stats", a, "--dump-config", cfg})
                    .exit_code == 0);
        REQUIRE(run_cli({"--config", cfg, "--quiet", "--stats", b}).exit_code == 0);
        CHECK(without_wall(read_text(a)) == without_wall(read_text(b)));
        // --platform FILE accepts a dump, or the stats JSON itself.
        REQUIRE(run_cli({"--platform", a, "--quiet", "--stats", c}).exit_code == 0);
        CHECK(without_wall(read_text(a)) == without_wall(read_text(c)));
    }
}

TEST_CASE("config: --config with a file that is no dump exits 2", "[scenario][cli][config]") {
    TempDir tmp;
    write_text(tmp.file("x.json"), "{\"a\": 1}\n");
    const auto r = run_cli({"--config", tmp.file("x.json"), "--quiet"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("neither a --dump-config file nor a stats JSON") != std::string::npos);
    const auto both = run_cli({"--config", tmp.file("x.json"), "--platform", "showcase", "--quiet"});
    CHECK(both.exit_code == 2);
}

TEST_CASE("config: each sweep point keeps its own configuration", "[scenario][sweep][config]") {
    TempDir tmp;
    const std::string out = tmp.file("sw");
    const auto r = run_cli({"sweep", "--platform", "dma_translate", "--vary", "smmu.tlb.entries=32,64", "-j", "1", "--out", out});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* v : {"32", "64"}) {
        const json s = json::parse(read_text(out + "/points/smmu.tlb.entries=" + v + "/stats.json"));
        CHECK(s.at("config").at("parameters").at("smmu.tlb.entries").at("value") == v);
    }
}
