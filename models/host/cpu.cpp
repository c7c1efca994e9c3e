#include "models/host/cpu.h"

#include <algorithm>

#include "models/common/payload.h"
#include "models/host/background_load.h"

namespace iopf {

const char* Cpu::kind_name(Kind k) {
    switch (k) {
    case Kind::hardirq: return "hardirq";
    case Kind::irq_thread: return "irq_thread";
    case Kind::kworker: return "kworker";
    case Kind::load: return "load";
    case Kind::task: return "task";
    case Kind::idle: return "idle";
    }
    return "?";
}

Cpu::Cpu(sc_core::sc_module_name name, SimContext& ctx, ParamScope p) : sc_module(name), ctx_(ctx) {
    cores_.resize(p.get_uint("cores", 4, "cores", {"CPU cores available to the fault-handling software", "assumed: four cores available to the fault path, a small SoC or a partitioned server"}, 1, 1024));
    std::string me = this->name();
    ctx.traces.add(me + ".cores_busy", busy_now_);
    for (const auto& n : p.children("load", {"background load: periodic or random tasks on host cores", src::config}))
        loads_.push_back(std::make_unique<BackgroundLoad>(*this, ctx, p.sub("load").sub(n), n));
    // Fault injection: a core stalled (firmware, an SMI, a hung hard-IRQ-off section) for
    // `duration` from `at`: it preempts whatever runs there, like a hard IRQ of that length.
    const std::string host = me.substr(0, me.find('.'));
    InjectPoint& stall = ctx.inject.declare(host, "cpu.stall", "a host core (core, default 0) is stalled for duration from at, preempting what runs on it");
    for (const InjectSpec* s : stall.specs()) {
        const std::string where = "parameter 'platform.inject." + s->name;
        if (s->duration_ps == 0) throw ConfigError(where + ".duration': cpu.stall needs a positive duration");
        if (s->count != 1) throw ConfigError(where + ".count': cpu.stall happens once (schedule another injection for a second)");
        if (s->core >= int64_t(cores()))
            throw ConfigError(where + ".core': core " + std::to_string(s->core) + " but the host has " + std::to_string(cores()) + " cores");
        const unsigned core = s->core < 0 ? 0u : unsigned(s->core);
        sc_core::sc_spawn([this, s, core, &stall] {
            sc_core::wait(sc_core::sc_time(double(s->at_ps), sc_core::SC_PS));
            stall.took_effect();
            hardirq(core, s->duration_ps, "injected_stall");
        }, sc_core::sc_gen_unique_name("inject_stall"));
    }
    ctx.stats.add([this](nlohmann::json& root) {
        nlohmann::json busy = nlohmann::json::object();
        for (const auto& [k, v] : busy_ps_) busy[k] = v / 1000.0;
        nlohmann::json per_core = nlohmann::json::array();
        for (unsigned c = 0; c < cores(); ++c) {
            const auto t = core_time(c);
            nlohmann::json e = {{"core", c}};
            for (size_t k = 0; k < kKinds; ++k) e[std::string(kind_name(static_cast<Kind>(k))) + "_ns"] = t[k] / 1000.0;
            per_core.push_back(e);
        }
        root["host"]["cpu"] = {{"cores", cores()}, {"busy_ns", busy}, {"core_waits", waits_}, {"per_core", per_core}};
        for (const auto& l : loads_) l->stats(root["host"]["cpu"]["load"]);
    });
}

Cpu::~Cpu() = default;

const void* Cpu::proc() const {
    return sc_core::sc_get_current_process_handle().get_process_object();
}

Cpu::Thread& Cpu::me() { return threads_[proc()]; }

int Cpu::current_core() const {
    auto it = threads_.find(proc());
    return it == threads_.end() ? kAnyCore : it->second.held;
}

void Cpu::set_thread(Kind kind, int priority, int core, bool bound) {
    Thread& t = me();
    t.kind = kind;
    t.priority = priority;
    t.core = core >= 0 && static_cast<unsigned>(core) < cores() ? core : kAnyCore;
    t.bound = bound && t.core != kAnyCore;
}

void Cpu::advance(Core& k, uint64_t t) {
    uint64_t cur = k.last_ps;
    while (cur < t) {
        if (!k.blocks.empty() && k.blocks.front().end <= cur) { k.blocks.pop_front(); continue; }
        if (!k.blocks.empty() && k.blocks.front().start <= cur) {
            const uint64_t e = std::min(t, k.blocks.front().end);
            k.t[static_cast<size_t>(k.blocks.front().kind)] += e - cur;
            cur = e;
            continue;
        }
        const uint64_t e = k.blocks.empty() ? t : std::min(t, k.blocks.front().start);
        k.t[static_cast<size_t>(k.holder_kind)] += e - cur;
        cur = e;
    }
    k.last_ps = std::max(k.last_ps, t);
}

std::array<uint64_t, Cpu::kKinds> Cpu::core_time(unsigned c) {
    advance(cores_.at(c), now_ps());
    return cores_[c].t;
}

void Cpu::take(unsigned c, const void* p, Kind kind) {
    Core& k = cores_[c];
    const uint64_t now = now_ps();
    advance(k, now);
    k.holder = p;
    k.holder_kind = kind;
    k.stolen = k.irq_until > now ? k.irq_until - now : 0;   // a hard IRQ still running there
    ++busy_now_;
}

unsigned Cpu::enter() { return enter(me().priority); }

unsigned Cpu::enter(int priority) {
    const void* p = proc();
    Thread& t = threads_[p];
    if (t.held != kAnyCore) { ++t.depth; return static_cast<unsigned>(t.held); }
    int c = kAnyCore;
    if (t.core != kAnyCore && !cores_[t.core].holder) c = t.core;
    else if (!t.bound)
        for (unsigned i = 0; i < cores(); ++i)
            if (!cores_[i].holder) { c = static_cast<int>(i); break; }
    if (c != kAnyCore) {
        take(static_cast<unsigned>(c), p, t.kind);
    } else {
        ++waits_;
        sc_core::sc_event granted;
        auto pos = waiters_.begin();
        while (pos != waiters_.end() && pos->priority >= priority) ++pos;   // FIFO within a priority
        waiters_.insert(pos, Waiter{priority, t.core, t.bound, p, t.kind, &granted, &c});
        sc_core::wait(granted);   // the core was handed over by leave()
    }
    Thread& t2 = threads_[p];   // (the map may have grown meanwhile; references stay valid, but be plain)
    t2.held = c;
    t2.depth = 1;
    return static_cast<unsigned>(c);
}

void Cpu::charge_stolen(unsigned c) {
    Core& k = cores_[c];
    while (k.stolen) {
        const uint64_t s = k.stolen;
        k.stolen = 0;
        sc_core::wait(sc_core::sc_time::from_value(s));
    }
}

void Cpu::leave() {
    Thread& t = me();
    if (t.held == kAnyCore) return;
    if (--t.depth) return;
    const unsigned c = static_cast<unsigned>(t.held);
    charge_stolen(c);
    Core& k = cores_[c];
    advance(k, now_ps());
    k.holder = nullptr;
    k.holder_kind = Kind::idle;
    k.stolen = 0;
    t.held = kAnyCore;
    --busy_now_;
    for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
        if (!admits(*it, c)) continue;
        Waiter w = *it;
        waiters_.erase(it);
        take(c, w.proc, w.kind);
        *w.got = static_cast<int>(c);
        w.granted->notify(sc_core::SC_ZERO_TIME);
        break;
    }
}

void Cpu::emit(unsigned c, uint64_t start, Kind kind, const char* what) {
    if (observers_.empty()) return;
    const Slice s{c, start, now_ps(), kind, what};
    for (const auto& o : observers_) o(s);
}

void Cpu::busy(uint64_t ps, const char* what) {
    const uint64_t start = now_ps();
    auto it = threads_.find(proc());
    if (it == threads_.end() || it->second.held == kAnyCore) {
        if (ps) sc_core::wait(sc_core::sc_time::from_value(ps));
        busy_ps_[what] += ps;
        return;
    }
    const unsigned c = static_cast<unsigned>(it->second.held);
    const Kind kind = it->second.kind;
    if (ps) sc_core::wait(sc_core::sc_time::from_value(ps));
    charge_stolen(c);
    busy_ps_[what] += ps;
    if (ps) emit(c, start, kind, what);
}

void Cpu::run(uint64_t cost_ps, const char* what, int priority) {
    enter(priority);
    busy(cost_ps, what);
    leave();
}

void Cpu::hardirq(unsigned core, uint64_t cost_ps, const char* what, Kind kind) {
    Core& k = cores_.at(core);
    const uint64_t now = now_ps();
    advance(k, now);
    const uint64_t start = std::max(now, k.irq_until);
    const uint64_t end = start + cost_ps;
    busy_ps_[what] += cost_ps;
    if (!cost_ps) return;
    k.irq_until = end;
    k.blocks.push_back({start, end, kind});
    if (k.holder) k.stolen += cost_ps;
    sc_core::wait(sc_core::sc_time::from_value(end - now));
    if (!observers_.empty()) {
        const Slice s{core, start, end, kind, what};
        for (const auto& o : observers_) o(s);
    }
}

}  // namespace iopf
