// Tests of the `iopf-sim` executable (DESIGN.md "Interfaces users and CI rely on"): exit
// codes, the stats JSON contract, --queue-log, --describe, --list-platforms, error messages
// on bad input, and determinism of stats and VCD. Every run writes into a private mkdtemp
// directory. No SystemC elaboration happens in this process.
#include "models/common/build_info.h"
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kPlatformDir = std::string(iopf::source_dir()) + "/platforms";

size_t count_lines(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

std::string describe(const CliResult& r) {
    return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

// Every key DESIGN.md's stats contract requires, with the right JSON types.
void check_stats_contract(const json& s) {
    REQUIRE(s.is_object());
    const auto& run = s.at("run");
    CHECK(run.at("platform").is_string());
    CHECK(run.at("seed").is_number_unsigned());
    CHECK(run.at("mode").is_string());
    CHECK(run.at("simulated_ns").is_number());
    CHECK(run.at("wall_s").is_number());
    CHECK(run.at("sim_version").is_string());

    REQUIRE(s.at("devices").is_object());
    CHECK_FALSE(s.at("devices").empty());
    for (const auto& [name, d] : s.at("devices").items()) {
        INFO("device " << name);
        for (const char* k : {"issued", "completed_ok", "completed_error", "bytes"}) {
            INFO(k);
            CHECK(d.at(k).is_number_unsigned());
        }
        CHECK(d.at("issued").get<uint64_t>() ==
              d.at("completed_ok").get<uint64_t>() + d.at("completed_error").get<uint64_t>());
    }

    REQUIRE(s.at("smmus").is_object());
    CHECK_FALSE(s.at("smmus").empty());
    for (const auto& [name, m] : s.at("smmus").items()) {
        INFO("smmu " << name);
        for (const char* k : {"translations", "tlb_hits", "tlb_misses", "walks", "walk_reads", "events", "stalls",
                              "pri_requests"}) {
            INFO(k);
            CHECK(m.at(k).is_number_unsigned());
        }
        CHECK(m.at("commands").is_object());
        for (const auto& [op, n] : m.at("commands").items()) {
            INFO(op);
            CHECK(op.rfind("CMD_", 0) == 0);
            CHECK(n.is_number_unsigned());
        }
    }

    const auto& f = s.at("faults");
    CHECK(f.at("count").is_number_unsigned());
    CHECK(f.at("by_resolution").is_object());
    uint64_t by_res = 0;
    for (const char* k : {"success", "invalid", "failure", "terminated"}) {
        INFO(k);
        by_res += f.at("by_resolution").at(k).get<uint64_t>();
    }
    CHECK(by_res == f.at("count").get<uint64_t>());
    for (const char* k : {"min", "mean", "p50", "p90", "p99", "max"}) {
        INFO("latency_ns." << k);
        CHECK(f.at("latency_ns").at(k).is_number());
    }
    const auto& stages = f.at("stages");
    for (const char* st : {"detect", "record", "irq", "dispatch", "queue", "mm_fault", "respond", "retry"}) {
        INFO("stage " << st);
        for (const char* k : {"count", "min", "mean", "p50", "p90", "p99", "max"}) {
            INFO(k);
            CHECK(stages.at(st).at(k).is_number());
        }
        CHECK(stages.at(st).at("count") == f.at("count"));
    }
    // The stages partition each fault's latency, so their means add up to the mean latency.
    double sum = 0;
    for (const auto& [n, d] : stages.items()) sum += d.at("mean").get<double>();
    CHECK(sum == Approx(f.at("latency_ns").at("mean").get<double>()).epsilon(1e-9).margin(1e-6));

    const auto& inv = s.at("invariants");
    CHECK(inv.at("lost_transactions").is_number_unsigned());
    CHECK(inv.at("stalled_at_end").is_number_unsigned());
}

std::string without_wall_s(const std::string& text) {
    std::string out;
    for (const auto& l : lines_of(text))
        if (l.find("\"wall_s\"") == std::string::npos) out += l + "\n";
    return out;
}

std::string vcd_body(const std::string& text) {
    const auto p = text.find("$enddefinitions");
    return p == std::string::npos ? std::string() : text.substr(p);
}

}  // namespace

TEST_CASE("cli: dma_translate run exits 0 and its stats meet the contract", "[scenario][cli]") {
    TempDir tmp;
    const auto r = run_cli({"--platform", "dma_translate", "--stats", tmp.file("s.json"), "--queue-log", tmp.file("q.txt")});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const json s = json::parse(read_text(tmp.file("s.json")));
    check_stats_contract(s);

    CHECK(s.at("run").at("platform") == "dma_translate");
    CHECK(s.at("run").at("seed") == 1);
    CHECK(s.at("run").at("mode") == "accurate");
    CHECK(s.at("run").at("sim_version") == std::string(iopf::sim_version()));
    CHECK(s.at("run").at("simulated_ns").get<double>() > 0);

    // platforms/dma_translate.json:
    //  dma0: 64 KiB / 256 B written then read back = 512 transactions, all mapped.
    //  dma1: a_mapped 32 KiB / 128 B = 256 OK; b_probe 64 KiB / 4 KiB stride = 16 reads of
    //        64 B over 16 pages of which the first 8 (32 KiB) are mapped => 8 OK, 8
    //        F_TRANSLATION; c_ro_write: 1 write of 4 KiB to the "r" page => F_PERMISSION.
    const auto& d0 = s.at("devices").at("dma0");
    CHECK(d0.at("issued") == 512);
    CHECK(d0.at("completed_ok") == 512);
    CHECK(d0.at("bytes") == 512 * 256);
    const auto& d1 = s.at("devices").at("dma1");
    CHECK(d1.at("issued") == 256 + 16 + 1);
    CHECK(d1.at("completed_ok") == 256 + 8);
    CHECK(d1.at("completed_error") == 8 + 1);
    CHECK(d1.at("bytes") == 256 * 128 + 8 * 64);

    const auto& m = s.at("smmus").at("smmu");
    CHECK(m.at("tlb_hits").get<uint64_t>() > 0);
    CHECK(m.at("walks").get<uint64_t>() > 0);
    CHECK(m.at("translations") == 512 + 256 + 16 + 1);
    CHECK(m.at("tlb_hits").get<uint64_t>() + m.at("tlb_misses").get<uint64_t>() == m.at("translations").get<uint64_t>());
    CHECK(m.at("events_by_type").at("F_TRANSLATION") == 8);
    CHECK(m.at("events_by_type").at("F_PERMISSION") == 1);
    CHECK(m.at("events") == 9);
    CHECK(m.at("commands").at("CMD_SYNC").get<uint64_t>() > 0);

    // The platform description says terminate model: every fault terminated.
    CHECK(s.at("faults").at("count") == 9);
    CHECK(s.at("faults").at("by_resolution").at("terminated") == 9);

    for (const auto& [k, v] : s.at("invariants").items()) {
        INFO(k);
        CHECK(v == 0);
    }
    CHECK(r.out.find("dma_translate") != std::string::npos);   // the summary was printed
}

TEST_CASE("cli: --queue-log records raw words and decoded commands and events", "[scenario][cli]") {
    TempDir tmp;
    const auto r = run_cli({"--platform", "dma_translate", "--quiet", "--stats", tmp.file("s.json"),
                            "--queue-log", tmp.file("q.txt")});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const json s = json::parse(read_text(tmp.file("s.json")));
    const std::string q = read_text(tmp.file("q.txt"));
    // "<time_ns> <smmu> <queue> [<hex64> ...] <decoded>"
    static const std::regex line(R"(^\s*([0-9]+\.[0-9]+) (\S+) (\S+) \[((?:[0-9a-f]{16} ?)+)\] (\S+).*$)");
    uint64_t syncs = 0, ftrans = 0, fperm = 0, bad_words = 0;
    double last_t = -1;
    bool monotonic = true;
    for (const auto& l : lines_of(q)) {
        std::smatch m;
        if (!std::regex_match(l, m, line)) continue;
        const double t = std::stod(m[1]);
        monotonic &= t >= last_t;
        last_t = t;
        std::vector<uint64_t> w;
        std::istringstream ws(m[4].str());
        std::string h;
        while (ws >> h) w.push_back(std::stoull(h, nullptr, 16));
        const std::string queue = m[3], name = m[5];
        CHECK(m[2] == "smmu");
        if (queue == "cmdq" && name == "CMD_SYNC") {
            ++syncs;
            // As Linux builds it: CS = SIG_IRQ, MSH = ISH, MSIATTR = OIWB, MSIData 0.
            bad_words += w.size() != 2 || w[0] != 0x0fc01046ull;
            bad_words += l.find("cs=SIG_IRQ") == std::string::npos || l.find("msh=ISH msiattr=OIWB") == std::string::npos;
        } else if (queue == "evtq" && name == "F_TRANSLATION") {
            ++ftrans;
            bad_words += w.size() != 4 || (w[0] & 0xff) != 0x10 || (w[0] >> 32) != 2;   // ID, SID of dma1
        } else if (queue == "evtq" && name == "F_PERMISSION") {
            ++fperm;
            bad_words += w.size() != 4 || (w[0] & 0xff) != 0x13 || w[2] != 0x20100000;  // InputAddr
        }
    }
    CHECK(syncs > 0);
    CHECK(syncs == s.at("smmus").at("smmu").at("commands").at("CMD_SYNC").get<uint64_t>());
    CHECK(ftrans == 8);
    CHECK(fperm == 1);
    CHECK(bad_words == 0);
    CHECK(monotonic);
}

TEST_CASE("cli: an unknown key exits 2 with one line naming it and the nearest key", "[scenario][cli]") {
    const auto r = run_cli({"--platform", "dma_translate", "--quiet", "--set", "smmu.tlb.entires=64"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find("smmu.tlb.entires") != std::string::npos);
    CHECK(r.err.find("smmu.tlb.entries") != std::string::npos);
}

TEST_CASE("cli: a value of the wrong type exits 2 naming the key", "[scenario][cli]") {
    const auto r = run_cli({"--platform", "dma_translate", "--quiet", "--set", "smmu.tlb.entries=abc"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find("smmu.tlb.entries") != std::string::npos);
    CHECK(r.err.find("abc") != std::string::npos);
}

TEST_CASE("cli: a missing platform exits 2", "[scenario][cli]") {
    TempDir tmp;
    const auto by_name = run_cli({"--platform", "no_such_platform_xyz", "--quiet"});
    INFO(describe(by_name));
    CHECK(by_name.exit_code == 2);
    CHECK(count_lines(by_name.err) == 1);
    CHECK(by_name.err.find("no_such_platform_xyz") != std::string::npos);

    const std::string missing = tmp.file("missing.json");
    const auto by_file = run_cli({"--platform", missing, "--quiet"});
    INFO(describe(by_file));
    CHECK(by_file.exit_code == 2);
    CHECK(count_lines(by_file.err) == 1);
    CHECK(by_file.err.find(missing) != std::string::npos);
}

TEST_CASE("cli: a malformed platform JSON file exits 2 naming the file", "[scenario][cli]") {
    TempDir tmp;
    const std::string bad = tmp.file("broken.json");
    write_text(bad, "{ \"bus\": { \"type\": \"interconnect\", }\n");
    const auto r = run_cli({"--platform", bad, "--quiet"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(count_lines(r.err) == 1);
    CHECK(r.err.find(bad) != std::string::npos);
}

TEST_CASE("cli: an unwritable output file exits 2", "[scenario][cli]") {
    TempDir tmp;
    const std::string out = tmp.file("no/such/dir/s.json");
    const auto r = run_cli({"--platform", "dma_translate", "--quiet", "--stats", out});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(out) != std::string::npos);
}

TEST_CASE("cli: --describe lists every parameter with value and default", "[scenario][cli]") {
    // dma_translate sets smmu.tlb.entries = 128; the code default is 128. With --set 64 the
    // VALUE column must show 64 and the DEFAULT column still 128.
    const auto r = run_cli({"--describe", "dma_translate", "--set", "smmu.tlb.entries=64"});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    bool found = false;
    for (const auto& l : lines_of(r.out)) {
        std::istringstream ls(l);
        std::vector<std::string> tok;
        std::string t;
        while (ls >> t) tok.push_back(t);
        if (tok.empty() || tok[0] != "smmu.tlb.entries") continue;
        found = true;
        REQUIRE(tok.size() >= 4);
        CHECK(tok[1] == "uint");
        CHECK(tok[2] == "64");
        CHECK(tok[3] == "128");
    }
    CHECK(found);
    // Other parameters are there too, with units.
    CHECK(r.out.find("smmu.tlb.ways") != std::string::npos);
    CHECK(r.out.find("dma0.outstanding") != std::string::npos);
    CHECK(r.out.find("host.smmu_driver.evtq_log2size") != std::string::npos);
}

TEST_CASE("cli: --list-platforms lists dma_translate with its description", "[scenario][cli]") {
    const auto r = run_cli({"--list-platforms"});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const json p = json::parse(read_text(kPlatformDir + "/dma_translate.json"), nullptr, true, true);
    const std::string desc = p.at("platform").at("description");
    bool found = false;
    for (const auto& l : lines_of(r.out))
        if (l.rfind("dma_translate ", 0) == 0) found = l.find(desc) != std::string::npos;
    CHECK(found);
}

TEST_CASE("cli: the same seed gives byte-identical stats (except run.wall_s)", "[scenario][cli][determinism]") {
    // dma_translate plus a random-pattern job, so the seed matters: two runs with seed 5 must
    // be identical; a run with seed 6 must not (the random addresses differ).
    TempDir tmp;
    json p = json::parse(read_text(kPlatformDir + "/dma_translate.json"), nullptr, true, true);
    p["dma1"]["jobs"]["d_random"] = {{"op", "read"}, {"pattern", "random"}, {"base", "0x20000000"},
                                     {"length", "64KiB"}, {"burst", 64}, {"count", 64}};
    const std::string plat = tmp.file("rand_translate.json");
    write_text(plat, p.dump(2));
    std::vector<std::string> texts;
    for (const char* seed : {"5", "5", "6"}) {
        const std::string out = tmp.file(std::string("s") + std::to_string(texts.size()) + ".json");
        const auto r = run_cli({"--platform", plat, "--quiet", "--seed", seed, "--stats", out});
        INFO(describe(r));
        REQUIRE(r.exit_code == 0);
        texts.push_back(read_text(out));
    }
    CHECK(json::parse(texts[0]).at("run").at("seed") == 5);
    CHECK(json::parse(texts[2]).at("run").at("seed") == 6);
    CHECK(texts[0].size() > 1000);
    CHECK(without_wall_s(texts[0]) == without_wall_s(texts[1]));
    CHECK(without_wall_s(texts[0]) != without_wall_s(texts[2]));
}

TEST_CASE("cli: --vcd bodies are identical across two runs", "[scenario][cli][determinism]") {
    TempDir tmp;
    std::vector<std::string> bodies;
    for (int i = 0; i < 2; ++i) {
        const std::string vcd = tmp.file("w" + std::to_string(i) + ".vcd");
        const auto r = run_cli({"--platform", "dma_translate", "--quiet", "--vcd", vcd});
        INFO(describe(r));
        REQUIRE(r.exit_code == 0);
        const std::string text = read_text(vcd);
        CHECK(text.find("$var") != std::string::npos);
        CHECK(text.find("smmu") != std::string::npos);
        bodies.push_back(vcd_body(text));
    }
    CHECK_FALSE(bodies[0].empty());
    CHECK(bodies[0].find('#') != std::string::npos);   // time stamps: values changed
    CHECK(bodies[0] == bodies[1]);
}

TEST_CASE("cli: --inject lands in the stats and the dumped config, and --config repeats the run", "[scenario][cli][inject]") {
    TempDir tmp;
    const auto r = run_cli({"--platform", "sva_stall", "--quiet", "--inject", "smmu:evtq_write@0ns*2",
                            "--stats", tmp.file("a.json"), "--dump-config", tmp.file("c.json")});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const json a = json::parse(read_text(tmp.file("a.json")));
    const json& i = a.at("inject").at("cli1");
    CHECK(i.at("target") == "smmu");
    CHECK(i.at("point") == "evtq_write");
    CHECK(i.at("count") == 2);
    CHECK(i.at("point_fired") == 2);
    CHECK(a.at("smmus").at("smmu").at("evtq_aborts") == 2);
    CHECK(a.at("invariants").at("stalled_at_end") == 0);
    const auto again = run_cli({"--config", tmp.file("c.json"), "--quiet", "--stats", tmp.file("b.json")});
    INFO(describe(again));
    REQUIRE(again.exit_code == 0);
    const json b = json::parse(read_text(tmp.file("b.json")));
    CHECK(b.at("inject") == a.at("inject"));
    CHECK(b.at("faults").at("latency_ns") == a.at("faults").at("latency_ns"));
}
