#include "models/common/build_info.h"
#include "sc_main/simulation.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <systemc>

#include "models/common/context.h"
#include "models/common/payload.h"
#include "models/common/units.h"
#include "platforms/platform.h"
#include "sc_main/summary.h"

namespace fs = std::filesystem;

namespace iopf {

std::vector<std::string> platform_dirs() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("IOPF_PLATFORM_PATH")) dirs.emplace_back(env);
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) dirs.push_back((exe.parent_path().parent_path() / "platforms").string());
    dirs.emplace_back(std::string(iopf::source_dir()) + "/platforms");
    return dirs;
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

void describe(const Params& params, const std::string& name) {
    std::printf("Parameters of platform '%s' (set any with --set PATH=VALUE):\n\n", name.c_str());
    std::printf("%-46s %-8s %-22s %-14s %s\n", "PATH", "TYPE", "VALUE", "DEFAULT", "MEANING [unit]");
    for (const auto& p : params.declared()) {
        std::string meaning = p.doc + " [" + describe_unit(p) + "]";
        std::string value = p.value.size() > 22 ? p.value.substr(0, 19) + "..." : p.value;
        std::string def = p.def.size() > 14 ? p.def.substr(0, 11) + "..." : p.def;
        std::printf("%-46s %-8s %-22s %-14s %s\n", p.path.c_str(), p.type.c_str(), value.c_str(), def.c_str(),
                    meaning.c_str());
    }
}

}  // namespace

int run_simulation(const Options& opt) {
    if (opt.help) { std::cout << usage(); return 0; }
    if (opt.version) {
        std::printf("iopf-sim %s (SystemC %s)\n", iopf::sim_version(), sc_core::sc_release());
        return 0;
    }
    if (opt.list_platforms) return list_platforms();

    const std::string name = opt.describe.empty() ? opt.platform : opt.describe;
    const std::string path = find_platform(name);
    Params params(load_platform_file(path));
    params.set_seed(opt.seed);
    params.set_base_dir(fs::path(path).parent_path().string());
    for (const auto& f : opt.set_files) params.set_overrides_from_file(f);
    for (const auto& [k, v] : opt.sets) params.set_override(k, v);
    if (!opt.duration.empty()) params.set_override("platform.duration", opt.duration);
    if (!opt.mode.empty()) params.set_override("platform.mode", opt.mode);

    SimContext ctx(params);
    ctx.seed = opt.seed;
    ctx.log.set_quiet(opt.quiet);
    sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);

    Platform platform(ctx, fs::path(path).stem().string());
    params.check_unknown();
    if (!opt.describe.empty()) { describe(params, name); return 0; }

    if (!opt.queue_log.empty() && !ctx.queue_log.open(opt.queue_log))
        throw ConfigError("--queue-log: cannot write '" + opt.queue_log + "'");
    if (!opt.vcd.empty()) {
        std::ofstream probe(opt.vcd);
        if (!probe) throw ConfigError("--vcd: cannot write '" + opt.vcd + "'");
        probe.close();
        ctx.traces.open_vcd(opt.vcd, opt.trace_filter);
    }
    // Check output files are writable before spending time simulating.
    for (const auto& out : {opt.stats, opt.fault_log}) {
        if (out.empty()) continue;
        std::ofstream probe(out, std::ios::app);
        if (!probe) throw ConfigError("cannot write output file '" + out + "'");
    }

    auto wall0 = std::chrono::steady_clock::now();
    sc_core::sc_start(ps(platform.duration_ps()), sc_core::SC_EXIT_ON_STARVATION);
    double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    ctx.traces.close();

    nlohmann::json stats;
    stats["run"] = {{"platform", platform.platform_name()}, {"seed", ctx.seed},
                    {"mode", ctx.mode == TimingMode::fast ? "fast" : "accurate"},
                    {"simulated_ns", now_ps() / 1000.0}, {"wall_s", wall_s}, {"sim_version", iopf::sim_version()}};
    stats["devices"] = nlohmann::json::object();
    stats["smmus"] = nlohmann::json::object();
    ctx.stats.collect(stats);
    stats["faults"] = ctx.faults.stats();
    EndState end = platform.end_state();
    stats["run"]["finished"] = end.all_finished;
    stats["run"]["cut_short"] = end.cut_short;
    stats["run"]["in_flight_at_end"] = end.in_flight;
    stats["invariants"] = {{"lost_transactions", end.lost_transactions},
                           {"stalled_at_end", end.stalled_at_end},
                           {"deadlock", end.deadlock ? 1 : 0},
                           {"open_faults", end.open_faults}};

    if (!opt.stats.empty()) {
        std::ofstream out(opt.stats);
        out << stats.dump(2) << '\n';
    }
    if (!opt.fault_log.empty()) {
        std::ofstream out(opt.fault_log);
        ctx.faults.write_csv(out);
    }
    if (!opt.quiet) print_summary(stats, std::cout);

    bool ok = end.lost_transactions == 0 && end.stalled_at_end == 0 && !end.deadlock && end.open_faults == 0;
    if (!ok) {
        std::fprintf(stderr, "iopf-sim: invariant broken: lost=%llu stalled_at_end=%llu deadlock=%d open_faults=%llu\n",
                     (unsigned long long)end.lost_transactions, (unsigned long long)end.stalled_at_end,
                     end.deadlock ? 1 : 0, (unsigned long long)end.open_faults);
    }
    return ok ? 0 : 1;
}

}  // namespace iopf
