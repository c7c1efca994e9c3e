// --timeline (issue 16): Chrome Trace Event Format. Checks the format itself (required
// fields, timestamps non-decreasing, complete slices nest on their track, every B has its E),
// the tracks (per host core, per device, per fault with its stages), interrupts as instant
// events, counters, and that the file is deterministic.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/scenario/harness.h"

using namespace iopf::test;
using nlohmann::json;

namespace {

// Every rule of the format the viewers rely on; returns the first violation ("" = none).
std::string format_violation(const json& doc) {
    if (!doc.is_object() || !doc.contains("traceEvents") || !doc["traceEvents"].is_array()) return "no traceEvents array";
    struct Open { double end; bool is_b; std::string name; };
    std::map<std::pair<int, int>, std::vector<Open>> stacks;
    double last_ts = -1;
    size_t i = 0;
    for (const auto& e : doc["traceEvents"]) {
        const std::string at = "event " + std::to_string(i++) + " " + e.dump().substr(0, 160) + ": ";
        for (const char* k : {"name", "ph", "ts", "pid", "tid"})
            if (!e.contains(k)) return at + "missing " + k;
        if (!e["ts"].is_number() || !e["pid"].is_number_integer() || !e["tid"].is_number_integer() || !e["name"].is_string())
            return at + "wrong field type";
        const std::string ph = e["ph"];
        if (ph == "M") continue;
        const double ts = e["ts"].get<double>();
        if (ts < last_ts) return at + "timestamp goes back";
        last_ts = ts;
        auto& st = stacks[{e["pid"].get<int>(), e["tid"].get<int>()}];
        const double eps = 1e-7;
        // Complete slices that ended by now are closed.
        while (!st.empty() && !st.back().is_b && st.back().end <= ts + eps) st.pop_back();
        if (ph == "X") {
            if (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0) return at + "X without dur >= 0";
            const double end = ts + e["dur"].get<double>();
            if (!st.empty() && !st.back().is_b && end > st.back().end + eps) return at + "overlaps its enclosing slice";
            st.push_back({end, false, e["name"]});
        } else if (ph == "B") {
            st.push_back({0, true, e["name"]});
        } else if (ph == "E") {
            if (st.empty() || !st.back().is_b) return at + "E without a matching B (or a slice still open inside)";
            if (st.back().name != e["name"].get<std::string>()) return at + "E names a different slice than its B";
            st.pop_back();
        } else if (ph == "C") {
            if (!e.contains("args") || !e["args"].is_object() || e["args"].empty()) return at + "counter without args";
        } else if (ph == "i") {
            if (!e.contains("s")) return at + "instant without scope";
        } else {
            return at + "unexpected phase " + ph;
        }
    }
    for (const auto& [k, st] : stacks)
        for (const auto& o : st)
            if (o.is_b) return "B '" + o.name + "' never ended";
    return "";
}

std::map<std::pair<int, int>, std::string> thread_names(const json& doc) {
    std::map<std::pair<int, int>, std::string> m;
    for (const auto& e : doc["traceEvents"])
        if (e["ph"] == "M" && e["name"] == "thread_name") m[{e["pid"], e["tid"]}] = e["args"]["name"];
    return m;
}

}  // namespace

TEST_CASE("timeline: the showcase trace is valid Chrome Trace Event Format with every kind of track", "[scenario][cli][timeline]") {
    TempDir tmp;
    const std::string tl = tmp.file("t.json"), stats = tmp.file("s.json");
    const auto r = run_cli({"--platform", "showcase", "--quiet", "--timeline", tl, "--stats", stats});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json doc = json::parse(read_text(tl));
    const std::string bad = format_violation(doc);
    INFO(bad);
    CHECK(bad.empty());
    // The private VCD it used for counters and interrupt edges is gone.
    CHECK_FALSE(std::filesystem::exists(tl + ".tmp.vcd"));

    std::map<std::string, int> pid_of;
    for (const auto& e : doc["traceEvents"])
        if (e["ph"] == "M" && e["name"] == "process_name") pid_of[e["args"]["name"]] = e["pid"];
    REQUIRE(pid_of.count("host CPU (4 cores)"));
    REQUIRE(pid_of.count("devices"));
    REQUIRE(pid_of.count("faults"));
    const auto names = thread_names(doc);
    std::set<std::string> cpu_tracks, device_tracks;
    size_t fault_rows = 0;
    for (const auto& [k, n] : names) {
        if (k.first == pid_of["host CPU (4 cores)"]) cpu_tracks.insert(n);
        if (k.first == pid_of["devices"]) device_tracks.insert(n);
        if (k.first == pid_of["faults"]) ++fault_rows;
    }
    for (const char* c : {"core 0", "core 1", "core 2", "core 3"}) CHECK(cpu_tracks.count(c));
    for (const char* d : {"stall_dma", "accel", "gpu", "iova_dma"}) {
        INFO(d);
        CHECK(device_tracks.count(d));
    }
    const json s = json::parse(read_text(stats));
    CHECK(fault_rows == s["faults"]["count"].get<size_t>());

    std::map<std::string, size_t> cpu_slices, stage_slices, counters;
    size_t instants = 0, begins = 0;
    for (const auto& e : doc["traceEvents"]) {
        if (e["ph"] == "X" && e["pid"] == pid_of["host CPU (4 cores)"]) {
            ++cpu_slices[e["name"]];
            // Each step on a core names the thread that ran it (threaded handler, IOPF worker).
            if (e.contains("args") && e["args"].contains("thread")) ++cpu_slices[e["args"]["thread"].get<std::string>()];
        }
        if (e["ph"] == "X" && e["pid"] == pid_of["faults"]) ++stage_slices[e["name"]];
        if (e["ph"] == "C") ++counters[e["name"]];
        if (e["ph"] == "i") ++instants;
        if (e["ph"] == "B") ++begins;
    }
    for (const char* step : {"hard IRQ", "handle_mm_fault", "iopf_handle", "devcoredump"}) {
        INFO(step);
        CHECK(cpu_slices[step] > 0);
    }
    bool threaded = false, worker = false;
    for (const auto& [n, c] : cpu_slices) {
        threaded |= n.rfind("threaded IRQ handler", 0) == 0;
        worker |= n.rfind("IOPF worker", 0) == 0;
    }
    CHECK(threaded);
    CHECK(worker);
    for (const char* st : {"detect", "record", "irq", "mm_fault", "dump", "respond"}) {
        INFO(st);
        CHECK(stage_slices[st] > 0);
    }
    CHECK(begins == fault_rows);
    CHECK(counters["smmu.cmdq.occupancy"] > 0);
    CHECK(counters["smmu.evtq.occupancy"] > 0);
    CHECK(counters["host.cpu.cores_busy"] > 0);
    CHECK(instants > 0);
}

TEST_CASE("timeline: the same run gives the same bytes, with or without --vcd", "[scenario][cli][timeline][determinism]") {
    TempDir tmp;
    const std::string a = tmp.file("a.json"), b = tmp.file("b.json");
    REQUIRE(run_cli({"--platform", "sva_stall", "--quiet", "--timeline", a}).exit_code == 0);
    REQUIRE(run_cli({"--platform", "sva_stall", "--quiet", "--timeline", b, "--vcd", tmp.file("w.vcd")}).exit_code == 0);
    CHECK(read_text(a) == read_text(b));
    CHECK(format_violation(json::parse(read_text(a))).empty());
}

TEST_CASE("timeline: the stats do not change when a timeline is written", "[scenario][cli][timeline]") {
    TempDir tmp;
    const std::string a = tmp.file("a.json"), b = tmp.file("b.json");
    REQUIRE(run_cli({"--platform", "pcie_pri", "--quiet", "--stats", a}).exit_code == 0);
    REQUIRE(run_cli({"--platform", "pcie_pri", "--quiet", "--stats", b, "--timeline", tmp.file("t.json")}).exit_code == 0);
    CHECK(run_cli({"diff", a, b}).exit_code == 0);
}
