#include "sc_main/diff.h"

#include <fnmatch.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "models/common/params.h"

namespace iopf {
namespace {

using json = nlohmann::json;

// Every leaf as "dotted.path" -> value; arrays index as path.N.
void flatten(const json& j, const std::string& prefix, std::map<std::string, json>& out) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) flatten(*it, prefix.empty() ? it.key() : prefix + "." + it.key(), out);
    } else if (j.is_array()) {
        for (size_t i = 0; i < j.size(); ++i) flatten(j[i], prefix + "." + std::to_string(i), out);
    } else {
        out[prefix] = j;
    }
}

bool matches(const std::string& glob, const std::string& path) { return fnmatch(glob.c_str(), path.c_str(), 0) == 0; }

// What a user looks at first.
const char* const kHeadline[] = {"run.simulated_ns",      "faults.count",          "faults.by_resolution.*",
                                 "faults.latency_ns.*",   "faults.stages.*.mean",  "devices.*.issued",
                                 "devices.*.completed_ok", "devices.*.completed_error", "smmus.*.translations",
                                 "smmus.*.tlb_misses",    "smmus.*.walks",         "smmus.*.events",
                                 "smmus.*.stalls",        "smmus.*.pri_requests",  "invariants.*",
                                 "run.finished",          "run.cut_short",         "run.error"};

bool headline(const std::string& path) {
    for (const char* g : kHeadline)
        if (matches(g, path)) return true;
    return false;
}

std::string text(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_float()) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.10g", v.get<double>());
        return buf;
    }
    return v.dump();
}

struct Move {
    std::string path, a, b, change;
    bool beyond = true;
};

}  // namespace

DiffResult diff_stats(const json& a, const json& b, const std::vector<std::pair<std::string, double>>& tolerances,
                      const std::string& name_a, const std::string& name_b) {
    std::map<std::string, json> fa, fb;
    flatten(a, "", fa);
    flatten(b, "", fb);
    auto ignored = [](const std::string& p) { return p == "run.wall_s" || p.rfind("config.", 0) == 0; };
    auto tolerance = [&](const std::string& p) {
        double t = 0;
        for (const auto& [g, pct] : tolerances)
            if (matches(g, p)) t = pct;
        return t;
    };

    std::vector<Move> head, other;
    std::vector<std::string> only_a, only_b;
    size_t compared = 0;
    for (const auto& [p, va] : fa) {
        if (ignored(p)) continue;
        auto it = fb.find(p);
        if (it == fb.end()) { only_a.push_back(p + " = " + text(va)); continue; }
        ++compared;
        const json& vb = it->second;
        if (va == vb) continue;
        Move m{p, text(va), text(vb), "", true};
        if (va.is_number() && vb.is_number()) {
            const double x = va.get<double>(), y = vb.get<double>();
            if (x == y) continue;   // 3 vs 3.0
            const double pct = x != 0 ? 100.0 * (y - x) / std::fabs(x) : INFINITY;
            char buf[48];
            if (std::isinf(pct)) std::snprintf(buf, sizeof buf, "(was 0)");
            else std::snprintf(buf, sizeof buf, "%+.2f%%", pct);
            m.change = buf;
            m.beyond = !(std::fabs(pct) <= tolerance(p));
        } else {
            m.change = "changed";
        }
        (headline(p) ? head : other).push_back(std::move(m));
    }
    for (const auto& [p, vb] : fb)
        if (!ignored(p) && !fa.count(p)) only_b.push_back(p + " = " + text(vb));

    // Configuration parameters whose effective value differs: listed, not judged.
    std::vector<std::string> config_moves;
    const json* pa = a.contains("config") ? &a["config"] : nullptr;
    const json* pb = b.contains("config") ? &b["config"] : nullptr;
    if (pa && pb && pa->contains("parameters") && pb->contains("parameters")) {
        const json &xa = (*pa)["parameters"], &xb = (*pb)["parameters"];
        for (auto it = xa.begin(); it != xa.end(); ++it) {
            const std::string va = it->value("value", std::string()), vb = xb.contains(it.key()) ? xb[it.key()].value("value", std::string()) : "(absent)";
            if (va != vb) config_moves.push_back(it.key() + ": " + va + " -> " + vb);
        }
        for (auto it = xb.begin(); it != xb.end(); ++it)
            if (!xa.contains(it.key())) config_moves.push_back(it.key() + ": (absent) -> " + it->value("value", std::string()));
    }

    size_t beyond = only_a.size() + only_b.size();
    for (const auto* v : {&head, &other})
        for (const auto& m : *v) beyond += m.beyond;

    std::ostringstream os;
    auto table = [&](const char* title, const std::vector<Move>& rows) {
        if (rows.empty()) return;
        size_t w = 6;
        for (const auto& m : rows) w = std::max(w, m.path.size());
        char line[512];
        std::snprintf(line, sizeof line, "%s\n  %-*s %16s %16s %10s\n", title, int(w), "metric", name_a.substr(0, 16).c_str(),
                      name_b.substr(0, 16).c_str(), "change");
        os << line;
        for (const auto& m : rows) {
            std::snprintf(line, sizeof line, "  %-*s %16s %16s %10s%s\n", int(w), m.path.c_str(), m.a.c_str(), m.b.c_str(),
                          m.change.c_str(), m.beyond ? "" : "  (within tolerance)");
            os << line;
        }
        os << '\n';
    };
    table("Headline metrics that moved:", head);
    table("Other metrics that moved:", other);
    if (!only_a.empty()) {
        os << "Only in " << name_a << ":\n";
        for (const auto& s : only_a) os << "  " << s << '\n';
        os << '\n';
    }
    if (!only_b.empty()) {
        os << "Only in " << name_b << ":\n";
        for (const auto& s : only_b) os << "  " << s << '\n';
        os << '\n';
    }
    if (!config_moves.empty()) {
        os << "Configuration differs (" << config_moves.size() << " parameters):\n";
        size_t n = 0;
        for (const auto& s : config_moves) {
            if (n++ == 20) { os << "  ... " << config_moves.size() - 20 << " more\n"; break; }
            os << "  " << s << '\n';
        }
        os << '\n';
    }
    if (beyond == 0)
        os << "iopf-sim diff: no metric moved beyond tolerance (" << compared << " values compared"
           << (head.size() + other.size() ? ", " + std::to_string(head.size() + other.size()) + " within tolerance" : "")
           << ")\n";
    else
        os << "iopf-sim diff: " << beyond << " value(s) moved beyond tolerance (" << compared << " compared)\n";
    return {beyond ? 1 : 0, os.str()};
}

std::string diff_usage() {
    return "usage: iopf-sim diff A.json B.json [--tolerance GLOB=PCT]...\n\n"
           "Compares two stats files (run.wall_s and config aside): prints the metrics that moved,\n"
           "headline ones (fault latency, stages, counts, invariants) first. Exit 0 when nothing moved\n"
           "beyond tolerance, 1 when something did, 2 on bad input.\n\n"
           "  --tolerance GLOB=PCT   allow metrics whose dotted path matches GLOB to move by up to PCT\n"
           "                         percent (e.g. 'faults.latency_ns.*=5', '*=1'); the last match wins\n";
}

int run_diff(int argc, char** argv) {
    std::vector<std::string> files;
    std::vector<std::pair<std::string, double>> tol;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") { std::cout << diff_usage(); return 0; }
        if (a == "--tolerance" || a.rfind("--tolerance=", 0) == 0) {
            std::string v;
            if (a == "--tolerance") {
                if (i + 1 >= argc) throw ConfigError("diff: --tolerance needs GLOB=PCT");
                v = argv[++i];
            } else {
                v = a.substr(12);
            }
            const auto eq = v.rfind('=');
            char* end = nullptr;
            const double pct = eq == std::string::npos ? -1 : std::strtod(v.c_str() + eq + 1, &end);
            if (eq == std::string::npos || eq == 0 || end == v.c_str() + eq + 1 || *end || !(pct >= 0))
                throw ConfigError("diff: --tolerance: expected GLOB=PCT (e.g. faults.latency_ns.p99=5), got '" + v + "'");
            tol.emplace_back(v.substr(0, eq), pct);
        } else if (!a.empty() && a[0] == '-') {
            throw ConfigError("diff: unknown option '" + a + "' (see iopf-sim diff --help)");
        } else {
            files.push_back(a);
        }
    }
    if (files.size() != 2) throw ConfigError("diff: expected two stats files A.json B.json, got " + std::to_string(files.size()));
    json j[2];
    for (int k = 0; k < 2; ++k) {
        std::ifstream in(files[k]);
        if (!in) throw ConfigError("diff: cannot read '" + files[k] + "'");
        try {
            j[k] = json::parse(in);
        } catch (const json::parse_error& e) {
            throw ConfigError("diff: '" + files[k] + "' is not JSON: " + e.what());
        }
    }
    const auto r = diff_stats(j[0], j[1], tol, "A", "B");
    std::cout << "A = " << files[0] << "\nB = " << files[1] << "\n\n" << r.report;
    return r.exit_code;
}

}  // namespace iopf
