// Host Intel VT-d driver (after Linux drivers/iommu/intel/: iommu.c, dmar.c, pasid.c,
// prq.c): probes the remapping unit through VER/CAP/ECAP, enables queued invalidation
// (256-bit descriptors), installs a scalable-mode root table (RTADDR_REG.TTM = 01b, SRTP),
// builds each attached device's scalable-mode context entry, PASID directory and PASID
// table entries in simulated memory (first-stage translation over the process's x86-64
// page tables for SVA, or over an IOVA table for explicit contexts), enables the fault
// event and page request event MSIs, the page request queue, PASID/ATS/PRI in the
// function's config space, and translation (TE). Page requests are handled in a threaded
// IRQ like prq_event_thread(): clear PRS_REG.PPR, read PQT, report each request to the
// shared IOPF queue (iommu_report_device_fault), advance PQH, handle PRO; the IOPF
// queue's decision (SUCCESS / INVALID / FAILURE, unchanged from Linux) goes back as a
// page group response descriptor on the invalidation queue. Non-recoverable faults are
// read from the fault recording registers (dmar_fault()). MMU notifiers flush the IOTLB
// (PASID-based) and the device-TLB (PASID-based), then wait (inv_wait_dsc with status
// write). Everything crosses the hardware boundary as MMIO, memory or interrupts.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/host/driver_registry.h"

#include "models/common/context.h"
#include "models/common/resource.h"
#include "models/host/cpu.h"
#include "models/host/host_bus.h"
#include "models/host/io_pgtable.h"
#include "models/host/iopf.h"
#include "models/host/irq_controller.h"
#include "models/host/os_mm.h"
#include "models/host/phys_alloc.h"
#include "models/host/smmu_v3_driver.h"   // StreamAttach, StreamContext
#include "models/vtd/format/descriptors.h"

namespace iopf {

// What firmware (the ACPI DMAR table's DRHD) tells the OS about one remapping unit.
struct VtdFirmware {
    std::string name;
    uint64_t mmio_base = 0;
    unsigned fault_irq = 48;   // interrupt numbers of the fault event and the page request event MSIs
    unsigned prq_irq = 49;
};

class IntelIommuDriver : public sc_core::sc_module, public IommuDriver {
public:
    IntelIommuDriver(sc_core::sc_module_name name, SimContext& ctx, ParamScope params, Cpu& cpu, HostBus& bus,
                     IrqController& irqc, PhysAlloc& pool, VtdFirmware fw, std::vector<StreamAttach> streams,
                     OsMm* mm = nullptr, IopfQueue* iopf = nullptr);

    // Submits descriptors (each 256-bit: qw0, qw1; qw2/qw3 zero) and an inv_wait_dsc with
    // a status write, then polls the status word (qi_submit_sync()). Call holding a core.
    void submit(const std::vector<vtd::InvDesc>& descs);

    bool ready() const { return ready_; }
    const sc_core::sc_event& ready_event() const { return ready_ev_; }
    uint64_t page_requests_handled() const { return prq_handled_; }
    uint64_t faults_handled() const { return faults_handled_; }
    // Process exit: intel_pasid_tear_down_entry() for every function bound to `mm`.
    void sva_unbind(MmStruct& mm) override;

private:
    void probe();
    void attach(const StreamAttach& s);
    void enable_pcie(const StreamAttach& s);
    void set_gcmd(uint32_t bit, bool on, uint32_t status_bit, const char* what);
    void poll_until(uint32_t off, uint32_t mask, uint32_t value, const char* what);
    void fault_handler(uint64_t raised_ps);
    void prq_handler(uint64_t raised_ps);
    void report(const IopfFault& f, uint16_t rid);
    void page_response(uint16_t rid, const IopfGroup& g, PageResponse r);
    void invalidate_range(uint16_t did, uint32_t pasid, uint64_t start, uint64_t end);
    // PASID-based device-TLB invalidation of [base, base + 4 KiB << order) for function rid.
    static vtd::InvDesc dev_tlb_inv(uint16_t rid, uint32_t pasid, uint64_t base, unsigned order);
    uint32_t rd(uint32_t off) { return bus_.read32(fw_.mmio_base + off); }
    uint64_t rd64(uint32_t off) { return bus_.read64(fw_.mmio_base + off); }
    void wr(uint32_t off, uint32_t v) { bus_.write32(fw_.mmio_base + off, v); }
    void wr64(uint32_t off, uint64_t v) { bus_.write64(fw_.mmio_base + off, v); }
    void cost(uint64_t ps, const char* what) { cpu_.busy(ps, what); }
    uint64_t context_table(uint8_t bus, bool upper);

    struct Bound {
        const StreamAttach* attach = nullptr;
        uint64_t pasid_dir = 0;
        std::map<uint32_t, uint64_t> pasid_tables;   // directory index -> PASID table
        IopfDevice* iopf_dev = nullptr;
        bool pri = false;
        std::map<uint32_t, uint16_t> sva_dids;       // SVA PASID -> its domain id
    };
    std::map<uint16_t, Bound> bound_;   // by requester id (bus << 8 | devfn)
    bool unbind_dev_tlb_inv_ = true;

    SimContext& ctx_;
    Cpu& cpu_;
    HostBus& bus_;
    IrqController& irqc_;
    PhysAlloc& pool_;
    VtdFirmware fw_;
    std::vector<StreamAttach> streams_;
    OsMm* mm_;
    IopfQueue* iopf_;

    // Parameters.
    unsigned prq_order_, iq_order_;
    uint64_t cost_mmio_setup_ps_, cost_desc_ps_, cost_prq_ps_, cost_poll_ps_, cost_attach_ps_, cost_fault_ps_;
    uint64_t poll_limit_;
    PgtableCosts pgt_costs_;

    // Discovered.
    uint64_t cap_ = 0, ecap_ = 0;
    uint32_t frcd_offset_ = 0;
    unsigned nfr_ = 1;

    // Software state.
    uint32_t gcmd_ = 0;                         // iommu->gcmd shadow
    uint64_t root_ = 0, iq_ = 0, prq_ = 0, status_ = 0;
    uint64_t iq_size_ = 0, prq_size_ = 0;
    uint64_t iq_tail_ = 0;                      // free_head, byte offset
    uint32_t wait_seq_ = 0;
    std::map<uint32_t, uint64_t> context_tables_;   // bus << 1 | upper -> table
    std::vector<std::unique_ptr<IoPgtable>> pgtables_;
    FifoResource qi_lock_{1};
    uint16_t next_did_ = 1;

    bool ready_ = false;
    sc_core::sc_event ready_ev_;
    uint64_t descs_submitted_ = 0, waits_ = 0, prq_handled_ = 0, stop_markers_ = 0, prq_overflows_ = 0,
             bad_requests_ = 0, page_responses_ = 0, failure_responses_ = 0, faults_handled_ = 0,
             fault_irqs_ = 0, prq_irqs_ = 0, dev_tlb_invs_ = 0;
};

}  // namespace iopf
