// `iopf-sim sweep` (sc_main/sweep.{h,cpp}, docs/workflows.md): cross product, one child per
// point, results.csv, re-runs that reuse finished points, a failing point that does not stop
// the others, bad input rejected before anything runs, --emit-jobs + --merge. Every sweep
// writes into a private mkdtemp directory. No SystemC elaboration happens in this process.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sc_main/sweep.h"
#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string describe(const CliResult& r) {
    return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

size_t count_stats_files(const std::string& dir) {
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        n += e.path().filename() == "stats.json" && fs::file_size(e.path()) > 0;
    return n;
}

size_t count_lines(const std::string& s) {
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

}  // namespace

TEST_CASE("sweep: 2x3 points give 6 rows and 6 stats files, a re-run reuses them", "[scenario][sweep]") {
    TempDir tmp;
    const std::string out = tmp.file("sw");
    const std::vector<std::string> args = {"sweep", "--platform", "dma_translate", "--vary", "smmu.tlb.entries=16,64",
                                           "--vary", "host.cpu.cores=1,2,4", "-j", "3", "--out", out};
    auto r = run_cli(args);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    CHECK(count_stats_files(out + "/points") == 6);

    const Csv c = read_csv(out + "/results.csv");
    REQUIRE(c.rows.size() == 6);
    // Columns: id, the varied keys in --vary order, exit, status, then the metrics.
    REQUIRE(c.header.size() > 6);
    CHECK(c.header[0] == "id");
    CHECK(c.header[1] == "smmu.tlb.entries");
    CHECK(c.header[2] == "host.cpu.cores");
    CHECK(c.header[3] == "exit");
    CHECK(c.header[4] == "status");
    for (const char* col : {"simulated_ns", "transactions", "tlb_hit_rate", "faults.count", "faults.by_resolution.terminated",
                            "faults.latency_ns.p50", "faults.latency_ns.p90", "faults.latency_ns.p99", "faults.latency_ns.max",
                            "faults.stages.detect.mean", "faults.stages.retry.mean"}) {
        INFO(col);
        CHECK(std::find(c.header.begin(), c.header.end(), col) != c.header.end());
    }
    // The first --vary varies slowest.
    const char* entries[] = {"16", "16", "16", "64", "64", "64"};
    const char* cores[] = {"1", "2", "4", "1", "2", "4"};
    for (size_t i = 0; i < 6; ++i) {
        INFO("row " << i);
        const auto& row = c.rows[i];
        CHECK(row.at("#fields") == std::to_string(c.header.size()));
        CHECK(row.at("smmu.tlb.entries") == entries[i]);
        CHECK(row.at("host.cpu.cores") == cores[i]);
        CHECK(row.at("id") == std::string("smmu.tlb.entries=") + entries[i] + "+host.cpu.cores=" + cores[i]);
        CHECK(row.at("exit") == "0");
        CHECK(row.at("status") == "ok");
        // dma_translate: 512 + 273 transactions, 9 faults, all terminated (see test_cli).
        CHECK(row.at("transactions") == "785");
        CHECK(row.at("completed_error") == "9");
        CHECK(row.at("faults.count") == "9");
        CHECK(row.at("faults.by_resolution.terminated") == "9");
        CHECK(row.at("faults.by_resolution.success") == "0");

        // Every metric is the point's own stats file, with its overrides applied.
        const json s = json::parse(read_text(out + "/points/" + row.at("id") + "/stats.json"));
        const auto& m = s.at("smmus").at("smmu");
        const double hits = m.at("tlb_hits").get<double>(), misses = m.at("tlb_misses").get<double>();
        CHECK(std::stod(row.at("tlb_hit_rate")) == Approx(hits / (hits + misses)).margin(5e-7));
        CHECK(std::stod(row.at("simulated_ns")) == s.at("run").at("simulated_ns").get<double>());
        CHECK(std::stod(row.at("faults.latency_ns.p99")) == s.at("faults").at("latency_ns").at("p99").get<double>());
        CHECK(std::stod(row.at("faults.stages.detect.mean")) ==
              s.at("faults").at("stages").at("detect").at("mean").get<double>());
        CHECK(s.at("host").at("cpu").at("cores") == std::stoi(cores[i]));
    }
    // A 16-entry TLB cannot hold dma0's 16 + dma1's 9 pages: fewer hits than with 64.
    CHECK(std::stod(c.rows[0].at("tlb_hit_rate")) < std::stod(c.rows[3].at("tlb_hit_rate")));

    // Re-running the same sweep reuses every point: no child runs, the stats files are untouched.
    const auto stamp = fs::last_write_time(out + "/points/" + c.rows[0].at("id") + "/stats.json");
    const std::string before = read_text(out + "/results.csv");
    r = run_cli(args);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("6 of 6 points already finished") != std::string::npos);
    CHECK(r.out.find("0 ran, 6 reused") != std::string::npos);
    CHECK(fs::last_write_time(out + "/points/" + c.rows[0].at("id") + "/stats.json") == stamp);
    CHECK(read_text(out + "/results.csv") == before);

    // --merge rebuilds results.csv byte for byte from the points.
    fs::remove(out + "/results.csv");
    r = run_cli({"sweep", "--merge", out});
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(read_text(out + "/results.csv") == before);
}

TEST_CASE("sweep: a failing point is reported, keeps its stderr, and the rest still run", "[scenario][sweep]") {
    // An 8 KiB kernel pool passes the dry run (it is a valid size) but the SMMU driver runs
    // out of memory allocating its queues at run time: that point exits 2 (bad input), the other runs.
    TempDir tmp;
    const std::string out = tmp.file("sw");
    auto r = run_cli({"sweep", "--platform", "dma_translate", "--vary", "host.kernel_pool.size=8KiB,64MiB", "-j", "1",
                      "--out", out});
    INFO(describe(r));
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("point host.kernel_pool.size=8KiB failed (exit 2)") != std::string::npos);
    CHECK(read_text(out + "/points/host.kernel_pool.size=8KiB/stderr.txt").find("out of memory") != std::string::npos);
    const Csv c = read_csv(out + "/results.csv");
    REQUIRE(c.rows.size() == 2);
    CHECK(c.rows[0].at("host.kernel_pool.size") == "8KiB");
    CHECK(c.rows[0].at("exit") == "2");
    CHECK(c.rows[0].at("status") == "bad_input");
    CHECK(c.rows[1].at("host.kernel_pool.size") == "64MiB");
    CHECK(c.rows[1].at("exit") == "0");
    CHECK(c.rows[1].at("status") == "ok");
    CHECK(c.rows[1].at("transactions") == "785");
    CHECK(r.out.find("1 ok, 1 failed") != std::string::npos);
}

TEST_CASE("sweep: bad --vary input exits 2 with one line before running anything", "[scenario][sweep]") {
    TempDir tmp;
    struct Case {
        std::vector<std::string> vary;
        std::string expect;
    };
    const std::vector<Case> cases = {
        {{"--vary", "smmu.tlb.entires=16,64"}, "unknown parameter 'smmu.tlb.entires' (did you mean 'smmu.tlb.entries'?)"},
        {{"--vary", "smmu.tlb.entries=64,abc"}, "point smmu.tlb.entries=abc: parameter 'smmu.tlb.entries'"},
        {{"--vary", "host.cpu.cores=1,2", "--vary", "smmu.tlb.entries=32,1x"}, "point host.cpu.cores=1,smmu.tlb.entries=1x"},
        {{"--vary", "smmu.tlb.entries"}, "--vary: expected key.path=v1,v2,..., got 'smmu.tlb.entries'"},
        {{"--vary", "smmu.tlb.entries=16,,64"}, "--vary smmu.tlb.entries: empty value"},
        {{"--vary", "smmu.tlb.entries=16", "--vary", "smmu.tlb.entries=64"}, "key 'smmu.tlb.entries' given twice"},
        {{"--vary", "seed=1,x"}, "--vary seed: expected unsigned integers, got 'x'"},
    };
    for (size_t i = 0; i < cases.size(); ++i) {
        const std::string out = tmp.file("sw" + std::to_string(i));
        std::vector<std::string> args = {"sweep", "--platform", "dma_translate", "--out", out};
        args.insert(args.end(), cases[i].vary.begin(), cases[i].vary.end());
        const auto r = run_cli(args);
        INFO("case " << i << ": " << describe(r));
        CHECK(r.exit_code == 2);
        CHECK(count_lines(r.err) == 1);
        CHECK(r.err.rfind("iopf-sim: sweep: ", 0) == 0);
        CHECK(r.err.find(cases[i].expect) != std::string::npos);
        CHECK_FALSE(fs::exists(out));   // nothing was created, nothing ran
    }
    const auto r = run_cli({"sweep", "--platform", "dma_translate", "--vary", "smmu.tlb.entries=16"});
    INFO(describe(r));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--out DIR is required") != std::string::npos);
}

TEST_CASE("sweep: --emit-jobs lines run anywhere, --merge gives the same results as a local sweep",
          "[scenario][sweep]") {
    // 2 x 2 points on trace_replay, once as a job list run by the shell, once locally; the
    // seed is varied too. Results agree in every column except wall_s.
    TempDir tmp;
    const std::string jobs_dir = tmp.file("jobs"), local_dir = tmp.file("local"), jobs = tmp.file("jobs.txt");
    const std::vector<std::string> vary = {"--vary", "tp.outstanding=1,4", "--vary", "seed=1,2", "--platform", "trace_replay"};
    std::vector<std::string> args = {"sweep", "--out", jobs_dir, "--emit-jobs", jobs};
    args.insert(args.end(), vary.begin(), vary.end());
    auto r = run_cli(args);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const auto lines = lines_of(read_text(jobs));
    REQUIRE(lines.size() == 4);
    CHECK(count_stats_files(jobs_dir) == 0);   // nothing ran yet
    for (const auto& l : lines) {
        INFO(l);
        CHECK(l.rfind(IOPF_SIM_BINARY, 0) == 0);
        CHECK(l.find(" --stats " + jobs_dir + "/points/") != std::string::npos);
        CHECK(l.find(" --quiet") != std::string::npos);
        CHECK(std::system(l.c_str()) == 0);
    }
    CHECK(lines[3].find("--set tp.outstanding=4 --seed 2 ") != std::string::npos);
    r = run_cli({"sweep", "--merge", jobs_dir});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("4 points: 4 ok, 0 failed, 0 not run") != std::string::npos);

    args = {"sweep", "--out", local_dir, "-j", "2"};
    args.insert(args.end(), vary.begin(), vary.end());
    r = run_cli(args);
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);

    const Csv a = read_csv(jobs_dir + "/results.csv"), b = read_csv(local_dir + "/results.csv");
    REQUIRE(a.rows.size() == 4);
    REQUIRE(b.rows.size() == 4);
    CHECK(a.header == b.header);
    for (size_t i = 0; i < 4; ++i) {
        INFO("row " << i);
        auto x = a.rows[i], y = b.rows[i];
        CHECK(x.at("status") == "ok");
        CHECK(x.at("transactions") == "29");   // traces/sample_dma.csv
        x.erase("wall_s");
        y.erase("wall_s");
        CHECK(x == y);
    }
    CHECK(a.rows[0].at("tp.outstanding") == "1");
    CHECK(a.rows[0].at("seed") == "1");
    CHECK(a.rows[1].at("seed") == "2");
    CHECK(a.rows[3].at("tp.outstanding") == "4");
}

TEST_CASE("sweep: metrics of a stats file", "[scenario][sweep]") {
    const json s = json::parse(R"({
      "run": {"simulated_ns": 1500.5, "wall_s": 0.25},
      "devices": {"a": {"issued": 10, "completed_error": 1}, "b": {"issued": 5, "completed_error": 0}},
      "smmus": {"s0": {"tlb_hits": 3, "tlb_misses": 1}, "s1": {"tlb_hits": 0, "tlb_misses": 4}},
      "faults": {"count": 2, "by_resolution": {"success": 1, "invalid": 0, "failure": 0, "terminated": 1},
                 "latency_ns": {"mean": 10.0, "p50": 8.0, "p90": 12.0, "p99": 12.0, "max": 12.0},
                 "stages": {"detect": {"mean": 4.0}, "retry": {"mean": 6.0}, "pri_wait": {"mean": 0.5}}}
    })");
    std::map<std::string, std::string> m;
    std::vector<std::string> order;
    for (const auto& [k, v] : iopf::sweep_metrics(s)) {
        m[k] = v;
        order.push_back(k);
    }
    CHECK(m.at("simulated_ns") == "1500.5");
    CHECK(m.at("transactions") == "15");
    CHECK(m.at("completed_error") == "1");
    CHECK(m.at("tlb_hit_rate") == "0.375000");   // 3 / (3 + 1 + 0 + 4)
    CHECK(m.at("faults.count") == "2");
    CHECK(m.at("faults.by_resolution.terminated") == "1");
    CHECK(m.at("faults.latency_ns.p50") == "8.0");
    CHECK(m.at("faults.stages.detect.mean") == "4.0");
    CHECK(m.at("faults.stages.queue.mean").empty());           // absent in the stats
    CHECK(m.at("faults.stages.pri_wait.mean") == "0.5");        // a stage the list does not know
    CHECK(order.back() == "faults.stages.pri_wait.mean");
}
