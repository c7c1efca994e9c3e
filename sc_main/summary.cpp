#include "sc_main/summary.h"

#include <cstdio>
#include <string>

#include "models/common/fault_tracker.h"

namespace iopf {
namespace {

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

uint64_t u(const nlohmann::json& j, const char* k) { return j.contains(k) ? j[k].get<uint64_t>() : 0; }

// The last lines: where the outputs went and what to open next.
void print_next_steps(const nlohmann::json& s, std::ostream& os, const SummaryOutputs& out) {
    const std::string p = out.platform_arg.empty() ? s["run"]["platform"].get<std::string>() : out.platform_arg;
    const uint64_t faults = s["faults"].value("count", uint64_t{0});
    os << "\nNext:\n";
    if (!out.stats.empty())
        os << "  stats          " << out.stats << "   (compare runs: iopf-sim diff BASE.json " << out.stats << ")\n";
    if (!out.fault_log.empty()) os << "  per-fault CSV  " << out.fault_log << "\n";
    if (!out.timeline.empty()) os << "  timeline       " << out.timeline << "   (open in ui.perfetto.dev or chrome://tracing)\n";
    if (!out.vcd.empty())
        os << "  waveform       gtkwave " << out.vcd << (out.gtkw.empty() ? "" : " " + out.gtkw) << "\n";
    if (!out.queue_log.empty()) os << "  queue log      " << out.queue_log << "\n";
    if (out.stats.empty()) os << "  --stats s.json --fault-log f.csv   keep the numbers (then: iopf-sim report DIR)\n";
    if (out.timeline.empty() && faults > 0)
        os << "  --timeline t.json                  see each fault's stages per host core and device\n";
    if (out.vcd.empty()) os << "  --vcd w.vcd                        waveforms of queues, interrupts and stalls\n";
    os << "  iopf-sim --describe " << p << "   every parameter you can --set\n";
}

}  // namespace

void print_summary(const nlohmann::json& s, std::ostream& os, const SummaryOutputs& out) {
    const auto& run = s["run"];
    os << "\n== iopf-sim: " << run["platform"].get<std::string>() << "  (seed " << run["seed"] << ", "
       << run["mode"].get<std::string>() << ", " << fmt("%.3f", run["simulated_ns"].get<double>() / 1000.0)
       << " us simulated, " << fmt("%.2f", run["wall_s"].get<double>()) << " s wall)\n";
    if (run.value("cut_short", false))
        os << "   cut short at " << fmt("%g", run["simulated_ns"].get<double>() / 1000.0) << " us by the duration limit, "
           << run.value("in_flight_at_end", uint64_t{0}) << " in flight (run.cut_short; raise --duration to finish)\n";
    if (run.contains("error")) os << "   stopped by an error: " << run["error"].get<std::string>() << "\n";

    os << "\nDevices                 issued         ok      error        bytes\n";
    for (auto it = s["devices"].begin(); it != s["devices"].end(); ++it) {
        char line[160];
        std::snprintf(line, sizeof line, "  %-18s %10llu %10llu %10llu %12llu\n", it.key().c_str(),
                      (unsigned long long)u(*it, "issued"), (unsigned long long)u(*it, "completed_ok"),
                      (unsigned long long)u(*it, "completed_error"), (unsigned long long)u(*it, "bytes"));
        os << line;
    }
    os << "\nSMMUs              translations   TLB hit    walks   events   stalls  PRI reqs\n";
    for (auto it = s["smmus"].begin(); it != s["smmus"].end(); ++it) {
        uint64_t t = u(*it, "translations"), h = u(*it, "tlb_hits"), m = u(*it, "tlb_misses");
        char line[200];
        std::snprintf(line, sizeof line, "  %-18s %10llu   %6.1f%% %8llu %8llu %8llu %9llu\n", it.key().c_str(),
                      (unsigned long long)t, (h + m) ? 100.0 * h / (h + m) : 0.0, (unsigned long long)u(*it, "walks"),
                      (unsigned long long)u(*it, "events"), (unsigned long long)u(*it, "stalls"),
                      (unsigned long long)u(*it, "pri_requests"));
        os << line;
    }
    const auto& f = s["faults"];
    os << "\nFaults: " << f["count"].get<uint64_t>();
    for (auto it = f["by_resolution"].begin(); it != f["by_resolution"].end(); ++it)
        os << "  " << it.key() << "=" << it->get<uint64_t>();
    os << "\n";
    if (f.contains("by_stage_of_fault") && f["by_stage_of_fault"].value("stage2", 0) > 0) {
        const auto& bs = f["by_stage_of_fault"];
        os << "  stage 1 faults: " << bs.value("stage1", 0) << "   stage 2 faults: " << bs.value("stage2", 0);
        const auto& lb = f["latency_ns_by_stage_of_fault"];
        for (const char* k : {"stage1", "stage2"})
            if (lb[k].value("count", 0) > 0)
                os << "   " << k << " p50 " << fmt("%.1f", lb[k]["p50"].get<double>()) << " ns";
        os << "\n";
    }
    if (f["count"].get<uint64_t>() > 0) {
        const auto& l = f["latency_ns"];
        os << "Fault latency (ns):  p50 " << fmt("%.1f", l["p50"].get<double>()) << "  p90 "
           << fmt("%.1f", l["p90"].get<double>()) << "  p99 " << fmt("%.1f", l["p99"].get<double>()) << "  max "
           << fmt("%.1f", l["max"].get<double>()) << "  mean " << fmt("%.1f", l["mean"].get<double>()) << "\n";
        double mean = l["mean"].get<double>();
        os << "\n  stage          mean ns    share      p50 ns      p99 ns\n";
        for (size_t i = 0; i < kStageCount; ++i) {
            const char* name = stage_name(static_cast<Stage>(i));
            if (!f["stages"].contains(name)) continue;
            const auto& st = f["stages"][name];
            // A stage no fault spent time in is one this platform's paths do not have (dump
            // without a GPU, irq/queue on the terminate path): leave it out of the table.
            if (st.value("max", 0.0) <= 0.0) continue;
            double m = st["mean"].get<double>();
            char line[160];
            std::snprintf(line, sizeof line, "  %-12s %10.1f   %5.1f%% %11.1f %11.1f\n", name, m,
                          mean > 0 ? 100.0 * m / mean : 0.0, st["p50"].get<double>(), st["p99"].get<double>());
            os << line;
        }
    }
    const auto& inv = s["invariants"];
    os << "\nInvariants:";
    for (auto it = inv.begin(); it != inv.end(); ++it) os << "  " << it.key() << "=" << it->dump();
    os << "\n";
    print_next_steps(s, os, out);
}

}  // namespace iopf
