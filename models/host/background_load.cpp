#include "models/host/background_load.h"

#include <cmath>

#include "models/common/payload.h"
#include "models/common/units.h"
#include "models/host/cpu.h"

namespace iopf {

BackgroundLoad::BackgroundLoad(Cpu& cpu, SimContext& ctx, ParamScope p, const std::string& name)
    : cpu_(cpu), name_(name) {
    const std::string cores = p.get_string("cores", "all", {"cores the load runs on: all, or a comma-separated list such as 0,2", src::config});
    if (cores == "all") {
        for (unsigned c = 0; c < cpu.cores(); ++c) cores_.push_back(c);
    } else {
        size_t pos = 0;
        while (pos <= cores.size()) {
            const size_t comma = cores.find(',', pos);
            const std::string item = cores.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
            auto v = parse_uint(item);
            if (!v || *v >= cpu.cores())
                throw ConfigError("parameter '" + p.path("cores") + "': expected all or core numbers below " +
                                  std::to_string(cpu.cores()) + ", got '" + cores + "'");
            cores_.push_back(static_cast<unsigned>(*v));
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
    }
    utilization_ = p.get_double("utilization", 0.5, "fraction", {"average share of each listed core the load keeps busy", src::config}, 0.0, 0.99);
    random_ = p.get_enum("pattern", "periodic", {"periodic", "random"},
                         {"periodic: fixed tasks every period; random: Poisson arrivals, exponential run times", src::config}) == "random";
    period_ps_ = p.get_time_ps("period", 100'000'000, {"task period (periodic) or mean gap between arrivals (random)", "assumed: 100 us, a scheduler-tick-scale period of a busy background task; a workload choice"});
    if (!period_ps_) throw ConfigError("parameter '" + p.path("period") + "': must be above 0");
    phase_ps_ = p.get_time_ps("phase", 0, {"arrival time of the first periodic task", src::config});
    priority_ = p.get_enum("priority", "normal", {"normal", "rt", "irq"},
                           {"normal: shares cores FIFO with kworkers; rt: before IRQ threads; irq: preempts what runs", "assumed: normal (SCHED_OTHER), the class of most background work on Linux"});
    seed_ = ctx.seed ^ stable_hash(p.prefix());
    for (unsigned c : cores_)
        sc_core::sc_spawn([this, c] { generator(c); }, sc_core::sc_gen_unique_name(("load_" + name_).c_str()));
}

void BackgroundLoad::generator(unsigned core) {
    RngStream rng(seed_, std::to_string(core));
    const double mean_run = utilization_ * static_cast<double>(period_ps_);
    if (mean_run <= 0) return;
    const int prio = priority_ == "rt" ? Cpu::kPrioRt : Cpu::kPrioNormal;
    cpu_.set_thread(Cpu::Kind::load, prio, static_cast<int>(core), /*bound=*/true);
    uint64_t next = random_ ? static_cast<uint64_t>(-std::log(rng.uniform01()) * period_ps_) : phase_ps_;
    for (;;) {
        if (now_ps() < next) sc_core::wait(sc_core::sc_time::from_value(next - now_ps()));
        else late_ps_ += now_ps() - next;
        const uint64_t run = random_ ? static_cast<uint64_t>(-std::log(rng.uniform01()) * mean_run + 0.5)
                                     : static_cast<uint64_t>(mean_run + 0.5);
        ++tasks_;
        busy_ps_ += run;
        if (priority_ == "irq") {
            cpu_.hardirq(core, run, "load", Cpu::Kind::load);
        } else {
            cpu_.enter();
            cpu_.busy(run, "load");
            cpu_.leave();
        }
        next += random_ ? static_cast<uint64_t>(-std::log(rng.uniform01()) * period_ps_ + 0.5) : period_ps_;
    }
}

void BackgroundLoad::stats(nlohmann::json& out) const {
    out[name_] = {{"cores", cores_}, {"tasks", tasks_}, {"busy_ns", busy_ps_ / 1000.0}, {"late_ns", late_ps_ / 1000.0}};
}

}  // namespace iopf
