// Host CPU cluster: N cores as a contended resource. Every software step runs on a core for
// a parameterised time (`run`); when all cores are busy the step queues (FIFO), so a fault
// storm queues on CPUs as it would on a real system.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <systemc>

#include "models/common/context.h"
#include "models/common/resource.h"

namespace iopf {

// One interval of host software activity, for observers such as the --timeline writer
// (instrumentation only: nothing feeds back into the model). `thread` is the SystemC process
// that ran it (e.g. "host.irqc.irq_thread_2").
struct CpuActivity {
    enum Kind { run, step, hold, hardirq } kind;
    const char* what;             // accounting name ("handle_mm_fault"); "" for a hold
    std::string thread;
    uint64_t start_ps, end_ps;
};

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
    void enter(int priority = kPrioNormal) {
        cores_.acquire(priority);
        ++busy_now_;
        if (observer_) hold_start_[thread_name()] = now();
    }
    void leave() {
        --busy_now_;
        cores_.release();
        if (observer_) {
            const std::string t = thread_name();
            observer_({CpuActivity::hold, "", t, hold_start_[t], now()});
        }
    }
    void account(const char* what, uint64_t ps) { busy_ps_[what] += ps; }
    // For a thread that already holds a core (OnCore): spend `ps` of it on `what`.
    void busy(uint64_t ps, const char* what) {
        if (!ps) return;
        const uint64_t t0 = now();
        sc_core::wait(sc_core::sc_time::from_value(ps));
        busy_ps_[what] += ps;
        if (observer_) observer_({CpuActivity::step, what, thread_name(), t0, now()});
    }
    // Receives every run, step, hold and hard IRQ as it ends (one observer; null = none).
    void set_observer(std::function<void(const CpuActivity&)> f) { observer_ = std::move(f); }

    unsigned cores() const { return cores_.capacity(); }

private:
    FifoResource cores_;
    uint64_t busy_now_ = 0;                      // traced
    std::map<std::string, uint64_t> busy_ps_;    // per activity
    std::function<void(const CpuActivity&)> observer_;
    std::map<std::string, uint64_t> hold_start_;  // by thread, while observed
    static uint64_t now() { return sc_core::sc_time_stamp().value(); }
    static std::string thread_name() {
        auto h = sc_core::sc_get_current_process_handle();
        return h.valid() ? h.name() : "";
    }
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
