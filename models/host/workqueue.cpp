#include "models/host/workqueue.h"

#include <algorithm>

#include "models/common/payload.h"

namespace iopf {

Workqueue::Workqueue(sc_core::sc_module_name name, SimContext& ctx, ParamScope p, Cpu& cpu)
    : sc_module(name), ctx_(ctx), cpu_(cpu) {
    workers_ = p.get_uint("workers", 4, "threads", {"worker threads (max_active of the unbound workqueue)", "assumed: max_active of the unbound IOPF workqueue is larger than this in Linux (io-pgfault.c alloc_workqueue WQ_UNBOUND); 4 busy workers bound the concurrency of a small host"}, 1, 4096);
    wakeup_ps_ = p.get_cost("wakeup_cost", 2'500'000, {"waking an idle worker and scheduling it onto a core", "assumed: waking an idle kworker (queue_work on an unbound pool) is a few us, a little more than a direct thread wake-up; measure yours with tools/calibrate-host"});
    bound_ = p.get_bool("bound", false, {"per-CPU workqueue: items run on the core that queued them (default unbound)", "Linux io-pgfault.c allocates the IOPF workqueue WQ_UNBOUND (iopf_queue_alloc)"});
    idle_ = workers_;
    for (unsigned i = 0; i < workers_; ++i)
        sc_core::sc_spawn([this, i] { worker(i); }, sc_core::sc_gen_unique_name("worker"));
    const std::string me = this->name();
    ctx.traces.add(me + ".busy", busy_);
    ctx.traces.add(me + ".depth", depth_);
    ctx.stats.add([this, me](nlohmann::json& root) {
        root["host"]["workqueues"][me] = {{"workers", workers_}, {"queued", queued_}, {"max_depth", max_depth_}};
    });
}

void Workqueue::queue_work(Work w) {
    items_.push_back(Item{next_seq_++, bound_ ? cpu_.current_core() : Cpu::kAnyCore, std::move(w)});
    ++queued_;
    depth_ = items_.size();
    max_depth_ = std::max(max_depth_, depth_);
    work_ev_.notify(sc_core::SC_ZERO_TIME);
}

void Workqueue::flush() {
    const uint64_t target = next_seq_;
    auto done = [&] {
        for (const auto& it : items_) if (it.seq < target) return false;
        for (uint64_t s : running_) if (s < target) return false;
        return true;
    };
    while (!done()) sc_core::wait(done_ev_);
}

void Workqueue::worker(unsigned) {
    for (;;) {
        bool slept = false;
        while (items_.empty()) { sc_core::wait(work_ev_); slept = true; }
        auto item = std::move(items_.front());
        items_.pop_front();
        depth_ = items_.size();
        running_.push_back(item.seq);
        cpu_.set_thread(Cpu::Kind::kworker, Cpu::kPrioNormal, item.core, item.core != Cpu::kAnyCore);
        --idle_;
        ++busy_;
        if (slept) cpu_.run(wakeup_ps_.sample(), "worker_wakeup");   // a running worker takes the next item at once
        item.work();
        running_.erase(std::find(running_.begin(), running_.end(), item.seq));
        --busy_;
        ++idle_;
        done_ev_.notify(sc_core::SC_ZERO_TIME);
    }
}

}  // namespace iopf
