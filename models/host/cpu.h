// Host CPU cluster: N cores as a contended resource. Every software step runs on a core for
// a parameterised time (`run`); when all cores are busy the step queues (FIFO), so a fault
// storm queues on CPUs as it would on a real system.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include <systemc>

#include "models/common/context.h"
#include "models/common/resource.h"

namespace iopf {

class Cpu : public sc_core::sc_module {
public:
    Cpu(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    // Scheduling priorities for a free core: IRQ threads (SCHED_FIFO in Linux) go before
    // kworkers and other normal threads. A running thread is never preempted.
    static constexpr int kPrioNormal = 0, kPrioIrqThread = 50;

    // Occupies one core for `cost_ps` of simulated time, accounted under `what`.
    void run(uint64_t cost_ps, const char* what, int priority = kPrioNormal);
    // A hard interrupt: preempts whatever runs, so it needs no free core; its time is
    // accounted but not charged to the preempted thread (a simplification).
    void hardirq(uint64_t cost_ps);
    // Takes a core and keeps it (for a sequence of steps, e.g. a handler that also does
    // MMIO): pair with `leave`. `run` must not be called while holding.
    void enter(int priority = kPrioNormal) { cores_.acquire(priority); ++busy_now_; }
    void leave() { --busy_now_; cores_.release(); }
    // `what` must be a string literal (or otherwise live as long as the model): the busy
    // time is kept per pointer on the fault path and merged by name for the stats.
    void account(const char* what, uint64_t ps) { busy_ps_[what] += ps; }
    // For a thread that already holds a core (OnCore): spend `ps` of it on `what`.
    void busy(uint64_t ps, const char* what) {
        if (!ps) return;
        sc_core::wait(sc_core::sc_time::from_value(ps));
        busy_ps_[what] += ps;
    }

    unsigned cores() const { return cores_.capacity(); }

private:
    FifoResource cores_;
    uint64_t busy_now_ = 0;                      // traced
    std::unordered_map<const char*, uint64_t> busy_ps_;    // per activity (literal), merged by name in the stats
};

// Holds a core for a scope (a software context that runs several timed steps in a row).
class OnCore {
public:
    explicit OnCore(Cpu& cpu, int priority = Cpu::kPrioNormal) : cpu_(cpu) { cpu_.enter(priority); }
    ~OnCore() { cpu_.leave(); }

private:
    Cpu& cpu_;
};

}  // namespace iopf
