#include "models/host/cpu.h"

#include "models/common/payload.h"

namespace iopf {

Cpu::Cpu(sc_core::sc_module_name name, SimContext& ctx, ParamScope p) : sc_module(name) {
    cores_.set_capacity(p.get_uint("cores", 4, "cores", "CPU cores available to the fault-handling software", 1, 1024));
    std::string me = this->name();
    ctx.traces.add(me + ".cores_busy", busy_now_);
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json busy = nlohmann::json::object();
        for (const auto& [k, v] : busy_ps_) busy[k] = v / 1000.0;
        root["host"]["cpu"] = {{"cores", cores_.capacity()}, {"busy_ns", busy}, {"core_waits", cores_.waits()}};
    });
}

void Cpu::hardirq(uint64_t cost_ps) {
    const uint64_t t0 = now();
    if (cost_ps) sc_core::wait(ps(cost_ps));
    busy_ps_["hardirq"] += cost_ps;
    if (observer_) observer_({CpuActivity::hardirq, "hardirq", thread_name(), t0, now()});
}

void Cpu::run(uint64_t cost_ps, const char* what, int priority) {
    cores_.acquire(priority);
    ++busy_now_;
    const uint64_t t0 = now();
    if (cost_ps) sc_core::wait(ps(cost_ps));
    busy_ps_[what] += cost_ps;
    --busy_now_;
    cores_.release();
    if (observer_) observer_({CpuActivity::run, what, thread_name(), t0, now()});
}

}  // namespace iopf
