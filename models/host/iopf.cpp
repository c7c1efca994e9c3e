#include "models/host/iopf.h"

#include "models/common/payload.h"

namespace iopf {

const char* page_response_name(PageResponse r) {
    switch (r) {
    case PageResponse::success: return "success";
    case PageResponse::invalid: return "invalid";
    case PageResponse::failure: return "failure";
    }
    return "?";
}

IopfQueue::IopfQueue(sc_core::sc_module_name name, SimContext& ctx, ParamScope p, Cpu& cpu, OsMm& mm)
    : sc_module(name), wq("wq", ctx, p.sub("workqueue"), cpu), ctx_(ctx), cpu_(cpu), mm_(mm) {
    ParamScope c = p.sub("cost");
    report_ps_ = c.get_cost("report", 150000, {"iommu_report_device_fault: allocate the fault, queue it or its group", "assumed: iommu_report_device_fault() kzalloc of a fault and a list insert, ~150 ns"});
    handle_ps_ = c.get_cost("handle_single", 300000,
                               {"iopf_handle_single before handle_mm_fault: PASID lookup, mmap lock, find_vma, access check", "assumed: iopf handler before handle_mm_fault (iommu_sva_handle_iopf: mmget_not_zero, mmap_read_lock, vma_lookup, access check), ~300 ns"});
    max_partial_ = p.get_uint("max_partial", 1024, "faults", {"partial-group faults held per device before reports are refused", "assumed: a bound on partial (Last=0) faults kept per device; Linux io-pgfault.c keeps an unbounded list"});
    const std::string me = this->name();
    ctx.traces.add(me + ".groups_in_flight", in_flight_);
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json r = nlohmann::json::object();
        for (const auto& [k, v] : by_response_) r[k] = v;
        root["host"]["iopf"] = {{"reported", reported_}, {"groups", groups_}, {"rejected", rejected_},
                                {"partial_discarded", partial_discarded_}, {"responses", r}};
    });
}

IopfDevice* IopfQueue::add_device(const std::string& name, std::function<void(const IopfGroup&, PageResponse)> respond) {
    devices_.push_back(std::make_unique<IopfDevice>());
    devices_.back()->name = name;
    devices_.back()->page_response = std::move(respond);
    return devices_.back().get();
}

int IopfQueue::report_fault(IopfDevice* dev, const IopfFault& f) {
    cpu_.busy(report_ps_.sample(), "iopf_report");
    if (!dev) { ++rejected_; return -1; }
    ++reported_;
    if (!f.last) {
        if (dev->partial.size() >= max_partial_) { ++rejected_; return -1; }
        dev->partial.push_back(f);
        return 0;
    }
    // Last: the group is every partial fault with the same group id, then this one.
    IopfGroup group;
    std::vector<IopfFault> rest;
    for (auto& p : dev->partial)
        (p.grpid == f.grpid && p.pasid == f.pasid && p.pasid_valid == f.pasid_valid ? group.faults : rest).push_back(p);
    dev->partial.swap(rest);
    group.faults.push_back(f);
    ++groups_;
    ++dev->in_flight;
    ++in_flight_;
    for (const auto& x : group.faults) ctx_.faults.mark(x.fault_id, Stage::dispatch, now_ps());
    wq.queue_work([this, dev, g = std::move(group)]() mutable { handle_group(dev, std::move(g)); });
    return 0;
}

size_t IopfQueue::discard_partial(IopfDevice* dev) {
    size_t n = dev->partial.size();
    partial_discarded_ += n;
    dev->partial.clear();
    return n;
}

void IopfQueue::flush_dev(IopfDevice* dev) {
    while (dev->in_flight) wait(dev->idle);
}

PageResponse IopfQueue::handle_single(const IopfFault& f) {
    cpu_.busy(handle_ps_.sample(), "iopf_handle");
    if (f.s2) return stage2_handler ? stage2_handler(f) : PageResponse::invalid;   // guest memory
    if (!f.pasid_valid) return PageResponse::invalid;
    MmStruct* mm = mm_.find_pasid(f.pasid);
    if (!mm) return PageResponse::invalid;            // no address space bound to the PASID
    const Vma* vma = mm->find_vma(f.addr);
    if (!vma) return PageResponse::invalid;           // unmapped area
    if ((f.read && !vma->read) || (f.write && !vma->write) || (f.exec && !vma->exec))
        return PageResponse::invalid;                 // access the VMA forbids
    const Vma copy = *vma;                            // the VMA may go away while we sleep
    return mm_.handle_mm_fault(*mm, copy, f.addr, f.write) ? PageResponse::success : PageResponse::invalid;
}

void IopfQueue::handle_group(IopfDevice* dev, IopfGroup group) {
    OnCore core(cpu_);
    for (const auto& f : group.faults) ctx_.faults.mark(f.fault_id, Stage::queue, now_ps());
    PageResponse status = PageResponse::success;
    for (const auto& f : group.faults)
        if (status == PageResponse::success) status = handle_single(f);   // errors are sticky
    for (const auto& f : group.faults) {
        ctx_.faults.mark(f.fault_id, Stage::mm_fault, now_ps());
        ctx_.faults.resolve(f.fault_id, status == PageResponse::success ? Resolution::success
                                        : status == PageResponse::invalid ? Resolution::invalid
                                                                          : Resolution::failure);
    }
    ++by_response_[page_response_name(status)];
    dev->page_response(group, status);
    --dev->in_flight;
    --in_flight_;
    dev->idle.notify(sc_core::SC_ZERO_TIME);
}

}  // namespace iopf
