#include "models/common/build_info.h"
#include "sc_main/simulation.h"

#include <fnmatch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <systemc>

#include "models/common/context.h"
#include "models/common/payload.h"
#include "models/common/units.h"
#include "platforms/check_memory_map.h"
#include "platforms/platform.h"
#include "platforms/registry.h"
#include "sc_main/config.h"
#include "sc_main/calibration.h"
#include "sc_main/summary.h"
#include "sc_main/timeline.h"
#include "models/host/host.h"

namespace fs = std::filesystem;

namespace iopf {

std::vector<std::string> data_dirs(const std::string& sub) {
    std::vector<std::string> dirs;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path prefix = exe.parent_path().parent_path();
        dirs.push_back((prefix / "share" / "iopf-sim" / sub).string());   // cmake --install / .deb layout
        dirs.push_back((prefix / sub).string());                          // build/ inside the source tree
    }
    dirs.emplace_back(std::string(iopf::source_dir()) + "/" + sub);
    return dirs;
}

std::vector<std::string> platform_dirs() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("IOPF_PLATFORM_PATH")) dirs.emplace_back(env);
    for (auto& d : data_dirs("platforms")) dirs.push_back(std::move(d));
    return dirs;
}

std::string find_data_file(const std::string& sub, const std::string& file) {
    for (const auto& d : data_dirs(sub)) {
        fs::path p = fs::path(d) / file;
        if (fs::exists(p)) return p.string();
    }
    return "";
}

std::string find_platform(const std::string& name) {
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json") {
        if (fs::exists(name)) return name;
        throw ConfigError("--platform: cannot read '" + name + "': no such file");
    }
    for (const auto& d : platform_dirs()) {
        fs::path p = fs::path(d) / (name + ".json");
        if (fs::exists(p)) return p.string();
    }
    throw ConfigError("--platform: unknown platform '" + name + "' (see --list-platforms)");
}

nlohmann::json load_platform_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError("--platform: cannot read '" + path + "'");
    try {
        return nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
    } catch (const nlohmann::json::parse_error& e) {
        throw ConfigError("platform '" + path + "': invalid JSON: " + e.what());
    }
}

namespace {

int list_platforms() {
    std::map<std::string, std::string> found;
    for (const auto& d : platform_dirs()) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(d, ec)) {
            if (e.path().extension() != ".json") continue;
            std::string name = e.path().stem().string();
            if (found.count(name)) continue;
            std::string desc;
            try {
                auto j = load_platform_file(e.path().string());
                desc = j.value("platform", nlohmann::json::object()).value("description", "");
            } catch (const std::exception&) { desc = "(unreadable)"; }
            found[name] = desc;
        }
    }
    for (const auto& [n, d] : found) std::printf("%-22s %s\n", n.c_str(), d.c_str());
    return 0;
}

// Every registered component type with its one-line description.
int list_models() {
    for (const ModelInfo* m : ModelRegistry::all()) std::printf("%-16s %s\n", m->type.c_str(), m->description.c_str());
    return 0;
}

// The unit shown for a parameter: its declared one, else what its type implies (identifiers
// such as sid/asid/pasid are "id", other plain numbers "count").
std::string describe_unit(const ParamInfo& p) {
    if (!p.unit.empty()) return p.unit;
    if (p.type == "bool") return "true|false";
    if (p.type == "addr") return "address";
    if (p.type == "string") return "text";
    if (p.type == "object") return "entries";
    if (p.type == "size") return "bytes";
    if (p.type == "time") return "ns";
    const std::string leaf = p.path.substr(p.path.rfind('.') + 1);
    if (leaf.size() >= 2 && leaf.compare(leaf.size() - 2, 2, "id") == 0) return "id";
    return "count";
}

// Text form: one line per parameter ending with its [unit], then an indented line with the
// source of its default ("(none)" where the declaration gave none).
void describe(const Params& params, const std::string& name) {
    std::printf("Parameters of platform '%s' (set any with --set PATH=VALUE):\n\n", name.c_str());
    std::printf("%-46s %-8s %-22s %-14s %s\n", "PATH", "TYPE", "VALUE", "DEFAULT", "MEANING [unit]");
    for (const auto& p : params.declared()) {
        std::string meaning = p.doc + " [" + describe_unit(p) + "]";
        std::string value = p.value.size() > 22 ? p.value.substr(0, 19) + "..." : p.value;
        std::string def = p.def.size() > 14 ? p.def.substr(0, 11) + "..." : p.def;
        std::printf("%-46s %-8s %-22s %-14s %s\n", p.path.c_str(), p.type.c_str(), value.c_str(), def.c_str(),
                    meaning.c_str());
        std::printf("    source: %s\n", p.source.empty() ? "(none)" : p.source.c_str());
    }
}

// A SystemC report as one line: its message, the process and time it came from. An exception
// thrown inside a process arrives wrapped as E549 "uncaught exception"; show the inner text.
std::string one_line(const sc_core::sc_report& r) {
    std::string msg = r.get_msg();
    const std::string type = r.get_msg_type();
    if (msg.empty()) msg = type;
    else if (type.find("uncaught exception") == std::string::npos && type.rfind("/IEEE", 0) != 0) msg = type + ": " + msg;
    if (msg.rfind("uncaught exception: ", 0) == 0) msg = msg.substr(20);
    for (char& c : msg) if (c == '\n') c = ' ';
    const char* proc = r.get_process_name();
    if (proc && *proc) {
        char at[48];
        std::snprintf(at, sizeof at, "%.3f us", r.get_time().to_seconds() * 1e6);
        msg += std::string(" (in ") + proc + " at " + at + ")";
    }
    return msg;
}

}  // namespace

int run_simulation(const Options& opt) {
    if (opt.help) { std::cout << usage(); return 0; }
    if (opt.version) {
        std::printf("iopf-sim %s (SystemC %s)\n", iopf::sim_version(), sc_core::sc_release());
        return 0;
    }
    if (opt.list_platforms) return list_platforms();
    if (opt.list_models) return list_models();

    // The platform: a shipped name, a platform file, or a dumped configuration to replay
    // (--config FILE, or --platform FILE when FILE is a dump or a stats JSON).
    std::string name = opt.describe.empty() ? opt.platform : opt.describe;
    std::string platform_name;
    nlohmann::json platform_json;
    uint64_t seed = opt.seed;
    std::string base_dir;   // where relative histogram files are also looked up
    {
        const std::string path = opt.config.empty() ? find_platform(name) : opt.config;
        if (!opt.config.empty() && !fs::exists(path)) throw ConfigError("--config: cannot read '" + path + "': no such file");
        platform_json = load_platform_file(path);
        platform_name = fs::path(path).stem().string();
        base_dir = fs::path(path).parent_path().string();
        if (auto replay = as_replay_config(platform_json)) {
            platform_json = std::move(replay->platform);
            platform_name = replay->platform_name;
            if (!opt.seed_set) seed = replay->seed;
        } else if (!opt.config.empty()) {
            throw ConfigError("--config: '" + path + "' is neither a --dump-config file nor a stats JSON with a \"config\"");
        }
        if (!opt.config.empty()) name = platform_name;
    }
    // --inject: into the platform's own schedule (so a dumped config repeats it).
    for (const auto& i : opt.injects) {
        nlohmann::json e = {{"target", i.target}, {"point", i.point}, {"at", std::to_string(i.at_ps) + "ps"}, {"count", i.count}};
        if (i.duration_ps) e["duration"] = std::to_string(i.duration_ps) + "ps";
        if (i.core >= 0) e["core"] = i.core;
        platform_json["platform"]["inject"][i.name] = e;
    }
    Params params(std::move(platform_json));
    params.set_seed(seed);
    params.set_base_dir(base_dir);
    for (const auto& f : opt.set_files) params.set_overrides_from_file(f);
    for (const auto& [k, v] : opt.sets) params.set_override(k, v);
    if (!opt.duration.empty()) params.set_override("platform.duration", opt.duration);
    if (!opt.mode.empty()) params.set_override("platform.mode", opt.mode);

    SimContext ctx(params);
    ctx.seed = seed;
    std::unique_ptr<IsolationMonitor> isolation;
    if (opt.check_isolation) {
        isolation = std::make_unique<IsolationMonitor>();
        ctx.isolation = isolation.get();
    }
    ctx.log.set_quiet(opt.quiet);
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);

    // Elaboration is driven by the platform and overrides alone: whatever it rejects (a TLB
    // geometry that does not divide, a port left unbound) is bad input, exit 2.
    std::unique_ptr<Platform> platform_ptr;
    try {
        platform_ptr = std::make_unique<Platform>(ctx, platform_name);
    } catch (const ConfigError&) {
        throw;
    } catch (const sc_core::sc_report& r) {
        throw ConfigError("platform '" + name + "': " + one_line(r));
    } catch (const std::exception& e) {
        throw ConfigError("platform '" + name + "': " + e.what());
    }
    Platform& platform = *platform_ptr;
    const std::vector<CalibrationAnchor> calibration = read_calibration(params);
    params.check_unknown();
    const nlohmann::json config = effective_config(params, platform_name, ctx.seed);
    if (!opt.describe.empty()) {
        if (opt.describe_json) std::cout << config.dump(2) << '\n';
        else describe(params, name);
        return 0;
    }
    check_memory_map(params);
    if (!opt.dump_config.empty()) {
        std::ofstream out(opt.dump_config);
        if (!out) throw ConfigError("--dump-config: cannot write '" + opt.dump_config + "'");
        out << config.dump(2) << '\n';
    }

    if (!opt.queue_log.empty() && !ctx.queue_log.open(opt.queue_log))
        throw ConfigError("--queue-log: cannot write '" + opt.queue_log + "'");
    if (!opt.vcd.empty()) {
        std::ofstream probe(opt.vcd);
        if (!probe) throw ConfigError("--vcd: cannot write '" + opt.vcd + "'");
        probe.close();
        if (!opt.trace_filter.empty()) {
            const auto names = ctx.traces.names();
            bool any = false;
            for (const auto& n : names) any |= fnmatch(opt.trace_filter.c_str(), n.c_str(), 0) == 0;
            if (!any)
                throw ConfigError("--trace-filter: '" + opt.trace_filter + "' matches none of the " +
                                  std::to_string(names.size()) + " signals (names look like " +
                                  (names.empty() ? std::string("none") : names.front()) + ")");
        }
        ctx.traces.open_vcd(opt.vcd, opt.trace_filter);
    }
    // --timeline: observe the host CPU; take counters and IRQ edges from a VCD (the user's,
    // or a private one removed afterwards).
    std::vector<CpuActivity> cpu_activity;
    std::string timeline_vcd = opt.vcd;
    if (!opt.timeline.empty()) {
        platform.host().cpu.add_observer([&cpu_activity](const Cpu::Slice& s) {
            cpu_activity.push_back({s.kind == Cpu::Kind::hardirq ? CpuActivity::hardirq : CpuActivity::run, s.what,
                                    sc_core::sc_get_current_process_handle().valid()
                                        ? sc_core::sc_get_current_process_handle().name() : "",
                                    s.start_ps, s.end_ps, int(s.core)});
        });
        if (timeline_vcd.empty()) {
            timeline_vcd = opt.timeline + ".tmp.vcd";
            std::ofstream probe(timeline_vcd);
            if (!probe) throw ConfigError("--timeline: cannot write '" + timeline_vcd + "'");
            probe.close();
            ctx.traces.open_vcd(timeline_vcd);
        }
    }
    // Check output files are writable before spending time simulating.
    for (const auto& out : {opt.stats, opt.fault_log, opt.timeline}) {
        if (out.empty()) continue;
        std::ofstream probe(out, std::ios::app);
        if (!probe) throw ConfigError("cannot write output file '" + out + "'");
    }

    // The fault log streams as faults close (bounded memory in a fault storm).
    std::ofstream fault_log;
    if (!opt.fault_log.empty()) {
        fault_log.open(opt.fault_log);
        if (!fault_log) throw ConfigError("cannot write output file '" + opt.fault_log + "'");
        ctx.faults.stream_csv(&fault_log);
    }

    auto wall0 = std::chrono::steady_clock::now();
    // A SystemC error during the run (an exception in a process, a report of severity error)
    // ends the run: one line on stderr, the stats still written with the failure recorded.
    std::string run_error;
    try {
        sc_core::sc_start(ps(platform.duration_ps()), sc_core::SC_EXIT_ON_STARVATION);
    } catch (const sc_core::sc_report& r) {
        run_error = one_line(r);
    } catch (const std::exception& e) {
        run_error = e.what();
    }
    double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    // A configuration error a driver found while setting up (run_guard.h): recorded like a
    // run-time error in the stats, but the exit status says bad input.
    const bool config_failed = !ctx.config_error.empty();
    if (config_failed && run_error.empty()) run_error = ctx.config_error;
    std::string vcd_error;
    if (!ctx.traces.close(&vcd_error)) throw ConfigError(vcd_error);
    if (!opt.timeline.empty()) {
        TimelineInput tl;
        tl.platform = platform.platform_name();
        tl.cores = platform.host().cpu.cores();
        tl.cpu = std::move(cpu_activity);
        tl.faults = &ctx.faults.records();
        tl.vcd = timeline_vcd;
        tl.end_ps = now_ps();
        const bool written = write_timeline(opt.timeline, tl);
        if (opt.vcd.empty()) fs::remove(timeline_vcd);
        if (!written) throw ConfigError("--timeline: cannot write '" + opt.timeline + "'");
    }

    nlohmann::json stats;
    stats["run"] = {{"platform", platform.platform_name()}, {"seed", ctx.seed},
                    {"mode", ctx.mode == TimingMode::fast ? "fast" : "accurate"},
                    {"simulated_ns", now_ps() / 1000.0}, {"wall_s", wall_s}, {"sim_version", iopf::sim_version()}};
    stats["devices"] = nlohmann::json::object();
    stats["smmus"] = nlohmann::json::object();
    ctx.stats.collect(stats);
    stats["faults"] = ctx.faults.stats();
    if (!calibration.empty()) stats["calibration"] = evaluate_calibration(calibration, stats);
    stats["config"] = config;
    EndState end = platform.end_state();
    stats["run"]["finished"] = end.all_finished;
    stats["run"]["cut_short"] = end.cut_short;
    stats["run"]["in_flight_at_end"] = end.in_flight;
    // Cut short: the run simulated up to the limit (nothing happened after the last event).
    if (end.cut_short && run_error.empty()) stats["run"]["simulated_ns"] = platform.duration_ps() / 1000.0;
    if (!run_error.empty()) {
        stats["run"]["finished"] = false;
        stats["run"]["cut_short"] = false;
        stats["run"]["error"] = run_error;
    }
    stats["invariants"] = {{"lost_transactions", end.lost_transactions},
                           {"stalled_at_end", end.stalled_at_end},
                           {"deadlock", end.deadlock ? 1 : 0},
                           {"open_faults", end.open_faults}};
    if (isolation) {
        stats["invariants"]["isolation_violations"] = isolation->violations();
        stats["isolation"] = isolation->stats();
    }

    // Output files: a failed write (a full disk, /dev/full) is an error, not a silent loss.
    if (!opt.stats.empty()) {
        std::ofstream out(opt.stats);
        out << stats.dump(2) << '\n';
        out.close();
        if (!out) throw ConfigError("--stats: cannot write '" + opt.stats + "'");
    }
    if (fault_log.is_open()) {
        ctx.faults.finish_csv();
        ctx.faults.stream_csv(nullptr);
        fault_log.close();
        if (!fault_log) throw ConfigError("--fault-log: cannot write '" + opt.fault_log + "'");
    }
    if (!ctx.queue_log.close()) throw ConfigError("--queue-log: cannot write '" + opt.queue_log + "'");
    if (!opt.quiet) {
        SummaryOutputs outs;
        outs.platform_arg = opt.platform;
        outs.stats = opt.stats;
        outs.fault_log = opt.fault_log;
        outs.vcd = opt.vcd;
        outs.queue_log = opt.queue_log;
        outs.timeline = opt.timeline;
        if (!opt.vcd.empty()) outs.gtkw = find_data_file("traces", platform.platform_name() + ".gtkw");
        print_summary(stats, std::cout, outs);
    }

    // SystemC never unwinds the stacks of threads a cut-short run leaves suspended, so what
    // they own (payloads, vectors) is unreachable at exit and LeakSanitizer reports it. The
    // outputs are complete by now, so in a sanitizer build such a run ends here without the
    // leak check (a finished run is checked in full). docs/reliability.md.
#if defined(__SANITIZE_ADDRESS__)
    const bool skip_leak_check = end.cut_short;
#else
    const bool skip_leak_check = false;
#endif
    auto done = [&](int code) {
        if (skip_leak_check) {
            std::fflush(nullptr);
            std::_Exit(code);
        }
        return code;
    };
    if (config_failed) {
        std::fprintf(stderr, "iopf-sim: %s\n", ctx.config_error.c_str());
        return done(2);
    }
    if (!run_error.empty()) {
        std::fprintf(stderr, "iopf-sim: error: %s\n", run_error.c_str());
        return done(1);
    }
    if (isolation && isolation->violations()) {
        const auto& first = stats["isolation"]["first_violations"][0];
        std::fprintf(stderr, "iopf-sim: isolation violated: %llu device accesses to pages their translations did not grant "
                             "(first: %s %s %s at %s ns: %s)\n",
                     (unsigned long long)isolation->violations(), first["device"].get<std::string>().c_str(),
                     first["access"].get<std::string>().c_str(), first["pa"].get<std::string>().c_str(),
                     first["t_ns"].dump().c_str(), first["why"].get<std::string>().c_str());
        return done(1);
    }
    bool ok = end.lost_transactions == 0 && end.stalled_at_end == 0 && !end.deadlock && end.open_faults == 0;
    if (!ok) {
        std::fprintf(stderr, "iopf-sim: invariant broken: lost=%llu stalled_at_end=%llu deadlock=%d open_faults=%llu\n",
                     (unsigned long long)end.lost_transactions, (unsigned long long)end.stalled_at_end,
                     end.deadlock ? 1 : 0, (unsigned long long)end.open_faults);
    }
    return done(ok ? 0 : 1);
}

}  // namespace iopf
