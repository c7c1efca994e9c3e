// Host CPU cluster: N cores, each a contended resource with its own state. Software runs in
// SystemC threads that take a core (`enter`/`OnCore`), spend time on it (`busy`), and give it
// back (`leave`). Scheduling follows Linux closely enough for fault-path latency:
//  - a thread has a kind (IRQ thread, kworker, background load, other task), a priority
//    (IRQ threads, SCHED_FIFO, before normal threads) and an affinity: a preferred core, and
//    whether it may only run there (bound) or migrate to any free core;
//  - a waiting thread gets a core in priority order, FIFO within a priority, the first core
//    that its affinity admits; a running thread is never descheduled by another thread;
//  - a hard IRQ (`hardirq`) runs on its target core at once, whatever runs there: the thread
//    it lands on is delayed by exactly the IRQ's time (charged at its next `busy` or at
//    `leave`); hard IRQs on one core serialize.
// Every core's time is accounted by kind (hard IRQ, IRQ thread, kworker, load, other task,
// idle) so the per-core figures always sum to the simulated time; observers receive one slice
// per software step for timelines.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"

namespace iopf {

class BackgroundLoad;

class Cpu : public sc_core::sc_module {
public:
    Cpu(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);
    ~Cpu() override;

    // Scheduling priorities for a free core: IRQ threads (SCHED_FIFO in Linux) go before
    // kworkers and other normal threads; real-time background load before both.
    static constexpr int kPrioNormal = 0, kPrioIrqThread = 50, kPrioRt = 90;
    static constexpr int kAnyCore = -1;

    enum class Kind : uint8_t { hardirq, irq_thread, kworker, load, task, idle };
    static constexpr size_t kKinds = 6;
    static const char* kind_name(Kind k);

    // One software step on one core, for timelines (start/end in ps).
    struct Slice {
        unsigned core;
        uint64_t start_ps, end_ps;
        Kind kind;
        const char* what;   // the activity ("hardirq", "iopf_handle", ...): a string literal
    };
    using Observer = std::function<void(const Slice&)>;
    void add_observer(Observer o) { observers_.push_back(std::move(o)); }

    // Declares the calling SystemC thread's kind, priority and affinity (used by its next
    // `enter`). Threads that never call it are normal-priority "task"s on any core.
    void set_thread(Kind kind, int priority, int core = kAnyCore, bool bound = false);

    // Takes a core (per the thread's affinity; waits when none it may use is free) and keeps
    // it until `leave`. Nested enter/leave in one thread keep the same core. Returns the core.
    unsigned enter();
    unsigned enter(int priority);   // same, with this priority
    void leave();
    // For a thread that holds a core: spend `ps` of it on `what` (plus any hard-IRQ time that
    // preempted the thread meanwhile). Without a core it just waits (accounted, no core).
    void busy(uint64_t ps, const char* what);
    // enter + busy + leave.
    void run(uint64_t cost_ps, const char* what, int priority = kPrioNormal);
    // A hard interrupt (or preempting load) on `core`: returns when it has run; queued behind
    // the hard IRQs already running on the core; the thread on the core is charged its time.
    void hardirq(unsigned core, uint64_t cost_ps, const char* what = "hardirq", Kind kind = Kind::hardirq);
    void account(const char* what, uint64_t ps) { busy_ps_[what] += ps; }

    // The core the calling thread holds, or kAnyCore.
    int current_core() const;
    unsigned cores() const { return static_cast<unsigned>(cores_.size()); }
    // Time core `c` spent in each Kind from 0 to now, in ps (sums to now).
    std::array<uint64_t, kKinds> core_time(unsigned c);
    // How many enters had to wait for a core.
    uint64_t waits() const { return waits_; }

private:
    struct Block { uint64_t start, end; Kind kind; };
    struct Core {
        const void* holder = nullptr;
        Kind holder_kind = Kind::idle;
        uint64_t last_ps = 0;
        std::array<uint64_t, kKinds> t{};
        std::deque<Block> blocks;   // hard IRQ / preempting load, in time order, not overlapping
        uint64_t irq_until = 0;
        uint64_t stolen = 0;        // preemption time not yet charged to the holder
    };
    struct Thread {
        Kind kind = Kind::task;
        int priority = kPrioNormal;
        int core = kAnyCore;
        bool bound = false;
        int held = kAnyCore;
        unsigned depth = 0;
    };
    struct Waiter {
        int priority;
        int core;
        bool bound;
        const void* proc;
        Kind kind;
        sc_core::sc_event* granted;
        int* got;
    };
    Thread& me();
    const void* proc() const;
    bool admits(const Waiter& w, unsigned c) const { return !w.bound || w.core == static_cast<int>(c); }
    void take(unsigned c, const void* proc, Kind kind);
    void advance(Core& k, uint64_t t);
    void charge_stolen(unsigned c);
    void emit(unsigned c, uint64_t start, Kind kind, const char* what);

    SimContext& ctx_;
    std::vector<Core> cores_;
    std::map<const void*, Thread> threads_;
    std::deque<Waiter> waiters_;
    uint64_t busy_now_ = 0;                      // traced
    uint64_t waits_ = 0;
    std::map<std::string, uint64_t> busy_ps_;    // per activity
    std::vector<Observer> observers_;
    std::vector<std::unique_ptr<BackgroundLoad>> loads_;
};

// Holds a core for a scope (a software context that runs several timed steps in a row).
class OnCore {
public:
    explicit OnCore(Cpu& cpu) : cpu_(cpu) { cpu_.enter(); }
    OnCore(Cpu& cpu, int priority) : cpu_(cpu) { cpu_.enter(priority); }
    ~OnCore() { cpu_.leave(); }

private:
    Cpu& cpu_;
};

}  // namespace iopf
