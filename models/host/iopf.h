// I/O page-fault queue after Linux's io-pgfault.c: an IOMMU driver reports each recoverable
// fault (iommu_report_device_fault); faults without Last wait as a partial group keyed by
// group id until the Last of the same group arrives; the whole group then goes to the IOPF
// workqueue, where each fault is handled in order (no PASID / no mm / no VMA / access the
// VMA forbids / handle_mm_fault error -> INVALID, else SUCCESS; an error is sticky for the
// rest of the group), and the device's driver gets one page response per group.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"
#include "models/host/cpu.h"
#include "models/host/os_mm.h"
#include "models/host/workqueue.h"

namespace iopf {

enum class PageResponse { success, invalid, failure };
const char* page_response_name(PageResponse r);

struct IopfFault {
    uint32_t sid = 0;
    uint32_t pasid = 0;
    bool pasid_valid = false;
    uint64_t addr = 0;
    bool read = false, write = false, exec = false, priv = false;
    uint32_t grpid = 0;        // STAG for a stall, PRG index for PRI
    bool last = true;
    bool pri = false;          // came from the PRI queue (else a stall record)
    uint64_t fault_id = 0;     // FaultTracker id (instrumentation)
    bool s2 = false;           // a stage-2 fault: addr is the IPA, vmid the stream's VMID
    uint16_t vmid = 0;
};

struct IopfGroup {
    std::vector<IopfFault> faults;   // in arrival order; the last one has `last`
};

// iommu_fault_param of one device: where page responses go.
struct IopfDevice {
    std::string name;
    std::function<void(const IopfGroup&, PageResponse)> page_response;
    std::vector<IopfFault> partial;   // faults waiting for their group's Last (by PASID, group)
    uint64_t in_flight = 0;           // groups queued or being handled
    sc_core::sc_event idle;
};

class IopfQueue : public sc_core::sc_module {
public:
    IopfQueue(sc_core::sc_module_name name, SimContext& ctx, ParamScope params, Cpu& cpu, OsMm& mm);

    Workqueue wq;
    // The hypervisor's stage-2 fault handler (models/host/hypervisor.h); stage-2 faults are
    // INVALID without one.
    std::function<PageResponse(const IopfFault&)> stage2_handler;

    // iopf_queue_add_device(): returns the device's fault parameter.
    IopfDevice* add_device(const std::string& name, std::function<void(const IopfGroup&, PageResponse)> respond);
    // iommu_report_device_fault(): 0, or -1 when the fault cannot be queued (the caller then
    // answers FAILURE: "nobody cared"). Runs in the caller's thread, which holds a core.
    int report_fault(IopfDevice* dev, const IopfFault& f);
    // Discards partial groups (PRI queue overflow recovery); returns how many faults.
    size_t discard_partial(IopfDevice* dev);
    // iopf_queue_flush_dev(): waits until every group of the device has been answered. Call
    // without holding a core (it sleeps).
    void flush_dev(IopfDevice* dev);

private:
    void handle_group(IopfDevice* dev, IopfGroup group);
    PageResponse handle_single(const IopfFault& f);

    SimContext& ctx_;
    Cpu& cpu_;
    OsMm& mm_;
    Cost report_ps_, handle_ps_;
    uint64_t max_partial_;
    std::vector<std::unique_ptr<IopfDevice>> devices_;
    uint64_t reported_ = 0, groups_ = 0, rejected_ = 0, partial_discarded_ = 0;
    std::map<std::string, uint64_t> by_response_;
    uint64_t in_flight_ = 0;   // traced
};

}  // namespace iopf
