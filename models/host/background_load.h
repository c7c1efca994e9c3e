// Background load on host cores (`host.cpu.load.<name>`): other work sharing the cores with
// the fault path, so its queueing shows in the `irq` and `queue` stages. On each listed core
// a generator issues tasks whose busy time is `utilization` of the core on average:
//  - pattern periodic: one task of utilization x period every period (first at `phase`);
//  - pattern random:   Poisson arrivals (mean gap `period`), exponential run times (mean
//                      utilization x period), i.e. an M/M/1 load of that utilization;
// at a priority: normal (competes with kworkers and other threads for the core, FIFO), rt (a
// SCHED_FIFO task: goes before IRQ threads when a core frees, never preempts), or irq
// (preempts whatever runs, like a hard IRQ or softirq burst: the preempted thread is charged).
// A task that cannot start on time delays the next ones (the generator is one thread).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/common/context.h"
#include "models/common/dist.h"

namespace iopf {

class Cpu;

class BackgroundLoad {
public:
    BackgroundLoad(Cpu& cpu, SimContext& ctx, ParamScope params, const std::string& name);
    void stats(nlohmann::json& out) const;

private:
    void generator(unsigned core);

    Cpu& cpu_;
    std::string name_;
    std::vector<unsigned> cores_;
    double utilization_;
    bool random_;
    std::string priority_;
    uint64_t period_ps_, phase_ps_;
    uint64_t seed_;
    uint64_t tasks_ = 0, busy_ps_ = 0, late_ps_ = 0;
};

}  // namespace iopf
