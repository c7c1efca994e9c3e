// Linux-style unbound workqueue: work items queue FIFO and run on up to `workers` kernel
// worker threads. Waking an idle (sleeping) worker costs scheduling time; each item then runs on a core
// (the item itself accounts the core time of its steps). Unbound (the default, as Linux
// creates the IOPF queue with WQ_UNBOUND): a worker runs on any free core. Bound (`bound`,
// a per-CPU workqueue): an item runs on the core that queued it, waiting for that core.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <string>

#include <systemc>

#include "models/common/context.h"
#include "models/host/cpu.h"

namespace iopf {

class Workqueue : public sc_core::sc_module {
public:
    using Work = std::function<void()>;

    Workqueue(sc_core::sc_module_name name, SimContext& ctx, ParamScope params, Cpu& cpu);

    // queue_work(): never blocks; the item runs when a worker picks it up.
    void queue_work(Work w);
    bool bound() const { return bound_; }
    // Waits until every item queued so far has finished (flush_workqueue()).
    void flush();

    unsigned workers() const { return workers_; }
    uint64_t queued() const { return queued_; }
    uint64_t busy() const { return busy_; }

private:
    void worker(unsigned index);

    SimContext& ctx_;
    Cpu& cpu_;
    unsigned workers_;
    Cost wakeup_ps_;
    struct Item { uint64_t seq; int core; Work work; };
    std::deque<Item> items_;
    bool bound_ = false;
    sc_core::sc_event work_ev_, done_ev_;
    uint64_t next_seq_ = 0;
    std::deque<uint64_t> running_;                   // sequence numbers being run
    uint64_t queued_ = 0, busy_ = 0, idle_ = 0, max_depth_ = 0, depth_ = 0;
};

}  // namespace iopf
