#include "sc_main/timeline.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace iopf {
namespace {

using json = nlohmann::json;

enum Pid { kCpu = 1, kDevices = 2, kFaults = 3, kIrqs = 4, kQueues = 5 };

struct Event {
    uint64_t ts_ps = 0;
    int rank = 0;          // order at equal time: metadata, E, B, X (longer first), C, i
    uint64_t dur_ps = 0;
    json j;
};

double us(uint64_t ps) { return static_cast<double>(ps) / 1e6; }

// Lane allocator: intervals sorted by start get the lowest lane free at their start.
struct Lanes {
    std::vector<uint64_t> busy_until;
    size_t take(uint64_t start, uint64_t end) {
        for (size_t i = 0; i < busy_until.size(); ++i)
            if (busy_until[i] <= start) { busy_until[i] = end; return i; }
        busy_until.push_back(end);
        return busy_until.size() - 1;
    }
};

// Value changes of a VCD: every $var with its full dotted name, then (time, id, value).
struct Vcd {
    struct Var { std::string name; int width = 1; };
    std::map<std::string, Var> vars;   // by id code
    struct Change { uint64_t t; std::string id; uint64_t v; };
    std::vector<Change> changes;
};

Vcd read_vcd(const std::string& path) {
    Vcd v;
    std::ifstream in(path);
    std::string tok;
    std::vector<std::string> scope;
    uint64_t t = 0;
    bool body = false;
    while (in >> tok) {
        if (!body) {
            if (tok == "$scope") {
                std::string kind, name;
                in >> kind >> name;
                if (name != "SystemC") scope.push_back(name);
            } else if (tok == "$upscope") {
                if (!scope.empty()) scope.pop_back();
            } else if (tok == "$var") {
                std::string type, id, name;
                int width = 1;
                in >> type >> width >> id >> name;
                std::string full;
                for (const auto& s : scope) full += s + ".";
                v.vars[id] = {full + name, width};
            } else if (tok == "$enddefinitions") {
                body = true;
            }
            continue;
        }
        if (tok[0] == '#') {
            t = std::stoull(tok.substr(1));
        } else if (tok[0] == 'b' || tok[0] == 'B') {
            std::string id;
            in >> id;
            uint64_t val = 0;
            for (size_t i = 1; i < tok.size(); ++i) val = (val << 1) | (tok[i] == '1');
            v.changes.push_back({t, id, val});
        } else if (tok[0] == '0' || tok[0] == '1') {
            v.changes.push_back({t, tok.substr(1), uint64_t(tok[0] == '1')});
        } else if (tok[0] == '$') {
            continue;   // $dumpvars / $end around the initial values
        }
    }
    return v;
}

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

bool is_counter(const std::string& name) {
    for (const char* k : {"occupancy", ".depth", "cores_busy", "_busy", ".busy", "faults_in_flight", "irq_threads_running"})
        if (contains(name, k)) return true;
    return false;
}

bool is_irq_line(const Vcd::Var& v) { return v.width == 1 && contains(v.name, "irq"); }
// The interrupt controller's count of interrupts raised (wired and MSI): one instant each.
bool is_irq_count(const Vcd::Var& v) { return v.width > 1 && contains(v.name, "irqs_raised"); }

// A readable name for the thread holding a core; the full process name stays in args.
std::string thread_label(const std::string& t) {
    const std::string leaf = t.substr(t.rfind('.') + 1);
    if (contains(leaf, "irq_thread")) return "threaded IRQ handler (" + leaf + ")";
    if (contains(t, "iopf") && contains(leaf, "worker")) return "IOPF worker (" + leaf + ")";
    if (contains(t, "gpu_driver.wq")) return "devcoredump worker (" + leaf + ")";
    return t.find('.') == std::string::npos ? t : t.substr(t.find('.') + 1);
}

}  // namespace

bool write_timeline(const std::string& path, const TimelineInput& in) {
    std::vector<Event> ev;
    auto meta = [&](int pid, int tid, const char* what, const std::string& name, int sort) {
        ev.push_back({0, -2, 0, {{"ph", "M"}, {"pid", pid}, {"tid", tid}, {"ts", 0}, {"name", what}, {"args", {{"name", name}}}}});
        if (sort >= 0)
            ev.push_back({0, -1, 0, {{"ph", "M"}, {"pid", pid}, {"tid", tid}, {"ts", 0}, {"name", what == std::string("process_name") ? "process_sort_index" : "thread_sort_index"}, {"args", {{"sort_index", sort}}}}});
    };
    auto slice = [&](int pid, int tid, const std::string& name, const char* cat, uint64_t start, uint64_t end, json args) {
        ev.push_back({start, 3, end - start,
                      {{"ph", "X"}, {"pid", pid}, {"tid", tid}, {"name", name}, {"cat", cat}, {"ts", us(start)},
                       {"dur", us(end - start)}, {"args", std::move(args)}}});
    };
    meta(kCpu, 0, "process_name", "host CPU (" + std::to_string(in.cores) + " cores)", 1);
    meta(kDevices, 0, "process_name", "devices", 2);
    meta(kFaults, 0, "process_name", "faults", 3);
    meta(kIrqs, 0, "process_name", "interrupts", 4);
    meta(kQueues, 0, "process_name", "queues", 5);

    // --- Host CPU: holds and runs and hard IRQs are top-level on a core; steps nest in the
    // hold of their thread.
    std::vector<const CpuActivity*> top, steps;
    for (const auto& a : in.cpu) (a.kind == CpuActivity::step ? steps : top).push_back(&a);
    auto by_start = [](const CpuActivity* x, const CpuActivity* y) {
        if (x->start_ps != y->start_ps) return x->start_ps < y->start_ps;
        if (x->end_ps != y->end_ps) return x->end_ps > y->end_ps;
        if (x->thread != y->thread) return x->thread < y->thread;
        return std::string(x->what) < y->what;
    };
    std::sort(top.begin(), top.end(), by_start);
    std::sort(steps.begin(), steps.end(), by_start);
    Lanes cores;
    std::map<std::string, std::vector<std::pair<const CpuActivity*, size_t>>> holds_of;   // thread -> (hold, lane)
    size_t max_lane = 0;
    for (const auto* a : top) {
        // A known core is its own track; hard IRQs on it get a track of their own beside it.
        const size_t lane = a->core >= 0 ? size_t(a->core) + (a->kind == CpuActivity::hardirq ? in.cores : 0)
                                         : in.cores * 2 + cores.take(a->start_ps, std::max(a->end_ps, a->start_ps + 1));
        max_lane = std::max(max_lane, lane);
        if (a->kind == CpuActivity::hold) holds_of[a->thread].push_back({a, lane});
        if (a->end_ps == a->start_ps) continue;
        const std::string name = a->kind == CpuActivity::hold      ? thread_label(a->thread)
                                 : a->kind == CpuActivity::hardirq ? "hard IRQ"
                                                                   : std::string(a->what);
        slice(kCpu, int(lane) + 1, name, a->kind == CpuActivity::hold ? "thread" : a->kind == CpuActivity::hardirq ? "irq" : "step",
              a->start_ps, a->end_ps, {{"thread", thread_label(a->thread)}});
    }
    for (const auto* s : steps) {
        if (s->end_ps == s->start_ps) continue;
        size_t lane = SIZE_MAX;
        for (const auto& [h, l] : holds_of[s->thread])
            if (h->start_ps <= s->start_ps && s->end_ps <= h->end_ps) { lane = l; break; }
        if (lane == SIZE_MAX) continue;   // a step outside any hold: never happens in the model
        slice(kCpu, int(lane) + 1, s->what, "step", s->start_ps, s->end_ps, {{"thread", s->thread}});
    }
    for (size_t l = 0; l <= max_lane && !top.empty(); ++l)
        meta(kCpu, int(l) + 1, "thread_name",
             l < in.cores       ? "core " + std::to_string(l)
             : l < 2 * in.cores ? "core " + std::to_string(l - in.cores) + " hard IRQ"
                                : "unplaced " + std::to_string(l - 2 * in.cores), int(l));

    // --- Faults: one row each; devices: their waiting intervals, lanes per device.
    std::map<std::string, Lanes> dev_lanes;
    std::map<std::string, size_t> dev_lane_count;
    std::vector<const FaultRecord*> faults;
    if (in.faults)
        for (const auto& f : *in.faults) faults.push_back(&f);
    std::map<std::string, int> dev_index;
    for (const auto* f : faults) dev_index.emplace(f->device, 0);
    {
        int i = 0;
        for (auto& [d, idx] : dev_index) idx = i++;
    }
    for (const auto* f : faults) {
        const uint64_t end = f->closed ? f->t_done_ps : in.end_ps;
        const int tid = int(f->id);
        char addr[32];
        std::snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)f->address);
        const std::string label = "fault " + std::to_string(f->id) + " " + f->device + " " + f->event + " " + addr;
        meta(kFaults, tid, "thread_name", label, tid);
        json args = {{"device", f->device}, {"smmu", f->smmu}, {"sid", f->sid}, {"address", addr},
                     {"event", f->event}, {"resolution", resolution_name(f->resolution)}, {"write", f->write}};
        if (f->ssv) args["ssid"] = f->ssid;
        ev.push_back({f->t_issue_ps, 2, 0, {{"ph", "B"}, {"pid", kFaults}, {"tid", tid}, {"name", label}, {"cat", "fault"},
                                            {"ts", us(f->t_issue_ps)}, {"args", args}}});
        ev.push_back({end, 1, 0, {{"ph", "E"}, {"pid", kFaults}, {"tid", tid}, {"name", label}, {"cat", "fault"}, {"ts", us(end)}}});
        uint64_t t = f->t_issue_ps, detect_end = 0;
        for (size_t s = 0; s < kStageCount; ++s) {
            const uint64_t e = f->end_ps[s];
            if (!e || e <= t || e > end) continue;
            slice(kFaults, tid, stage_name(static_cast<Stage>(s)), "stage", t, e, json::object());
            if (static_cast<Stage>(s) == Stage::detect) detect_end = e;
            t = e;
        }
        // The device's transaction waits from detection to completion.
        const uint64_t w0 = detect_end ? detect_end : f->t_issue_ps;
        if (end > w0) {
            const size_t lane = dev_lanes[f->device].take(w0, end);
            dev_lane_count[f->device] = std::max(dev_lane_count[f->device], lane + 1);
            const int dtid = dev_index[f->device] * 64 + int(std::min<size_t>(lane, 63)) + 1;
            slice(kDevices, dtid, std::string(f->resolution == Resolution::terminated ? "waiting (terminate)" : "stalled") +
                                      " fault " + std::to_string(f->id),
                  "stall", w0, end, {{"address", addr}, {"event", f->event}, {"resolution", resolution_name(f->resolution)}});
        }
    }
    for (const auto& [d, n] : dev_lane_count)
        for (size_t l = 0; l < std::min<size_t>(n, 64); ++l)
            meta(kDevices, dev_index[d] * 64 + int(l) + 1, "thread_name", l ? d + " #" + std::to_string(l + 1) : d,
                 dev_index[d] * 64 + int(l));

    // --- Interrupt edges and counters from the VCD.
    if (!in.vcd.empty()) {
        const Vcd v = read_vcd(in.vcd);
        std::map<std::string, uint64_t> last;   // by id
        std::map<std::string, int> irq_tid;
        for (const auto& [id, var] : v.vars)
            if (is_irq_line(var) || is_irq_count(var)) irq_tid.emplace(var.name, 0);
        {
            int i = 1;
            for (auto& [n, t] : irq_tid) { t = i; meta(kIrqs, i, "thread_name", n, i); ++i; }
        }
        for (const auto& c : v.changes) {
            auto it = v.vars.find(c.id);
            if (it == v.vars.end()) continue;
            const auto& var = it->second;
            const bool first = !last.count(c.id);
            const uint64_t before = first ? 0 : last[c.id];
            last[c.id] = c.v;
            if (is_irq_line(var)) {
                if (c.v && !before && !first)
                    ev.push_back({c.t, 5, 0, {{"ph", "i"}, {"pid", kIrqs}, {"tid", irq_tid[var.name]}, {"name", var.name},
                                              {"cat", "irq"}, {"s", "t"}, {"ts", us(c.t)}}});
            } else if (is_irq_count(var)) {
                for (uint64_t k = before; !first && k < c.v; ++k)
                    ev.push_back({c.t, 5, 0, {{"ph", "i"}, {"pid", kIrqs}, {"tid", irq_tid[var.name]}, {"name", "interrupt raised"},
                                              {"cat", "irq"}, {"s", "t"}, {"ts", us(c.t)}}});
            } else if (is_counter(var.name) && (first || c.v != before)) {
                ev.push_back({c.t, 4, 0, {{"ph", "C"}, {"pid", kQueues}, {"tid", 0}, {"name", var.name}, {"cat", "queue"},
                                          {"ts", us(c.t)}, {"args", {{"value", c.v}}}}});
            }
        }
    }

    std::stable_sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) {
        if (a.ts_ps != b.ts_ps) return a.ts_ps < b.ts_ps;
        if (a.rank != b.rank) return a.rank < b.rank;
        return a.dur_ps > b.dur_ps;   // a parent before the slices it contains
    });
    std::ofstream out(path);
    if (!out) return false;
    out << "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"platform\": " << json(in.platform).dump()
        << ", \"generator\": \"iopf-sim --timeline\"},\n\"traceEvents\": [\n";
    for (size_t i = 0; i < ev.size(); ++i) out << ev[i].j.dump() << (i + 1 < ev.size() ? ",\n" : "\n");
    out << "]}\n";
    return bool(out);
}

}  // namespace iopf
