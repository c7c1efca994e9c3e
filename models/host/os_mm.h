// The OS memory manager: processes (mm_struct) with an ASID and a PASID, VMAs, and CPU page
// tables in simulated memory in the very format the SMMU walks (SVA: a device's CD points at
// the process's tables). Demand paging: a first touch faults; handle_mm_fault maps the
// shared zero page for a read of anonymous memory, or allocates a frame, zeroes it through
// timed memory writes and writes the PTE; a write to the zero page copies-on-write. munmap
// clears PTEs and calls the MMU notifiers (the SMMU driver's TLBI + CMD_SYNC).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"
#include "models/common/resource.h"
#include "models/host/cpu.h"
#include "models/host/host_bus.h"
#include "models/host/io_pgtable.h"
#include "models/host/phys_alloc.h"

namespace iopf {

struct Vma {
    std::string name;
    uint64_t start = 0, end = 0;   // [start, end)
    bool read = true, write = true, exec = false;
    bool file = false;             // file-backed: the first touch is a major fault
    uint64_t unmap_at_ps = 0;      // 0 = never
};

struct MmStruct {
    std::string name;
    uint32_t pasid = 0;
    uint16_t asid = 0;
    std::vector<Vma> vmas;
    std::unique_ptr<IoPgtable> pgd;
    FifoResource ptl{1};           // page-table lock (a per-mm lock: split PTLs not modelled)
    bool pasid_bound = true;       // false once the PASID is torn down (iommu_sva_find fails)
    uint64_t exit_at_ps = 0;       // 0 = never
    // MMU notifiers: invalidate_range(start, end) registered by SVA bindings.
    std::vector<std::function<void(uint64_t, uint64_t)>> notifiers;
    uint64_t faults = 0, spurious = 0, zero_maps = 0, cow = 0, allocs = 0, major = 0, errors = 0;

    const Vma* find_vma(uint64_t addr) const;
};

class OsMm : public sc_core::sc_module {
public:
    OsMm(sc_core::sc_module_name name, SimContext& ctx, ParamScope params, Cpu& cpu, HostBus& bus, PhysAlloc& tables);

    MmStruct* find_pasid(uint32_t pasid);       // iommu_sva_find(): nullptr when unbound
    MmStruct* find(const std::string& name);
    const std::vector<std::unique_ptr<MmStruct>>& processes() const { return mms_; }

    // handle_mm_fault() for an access the VMA permits. Call with a core held. Returns false
    // for VM_FAULT_ERROR (e.g. out of memory).
    bool handle_mm_fault(MmStruct& mm, const Vma& vma, uint64_t addr, bool write);
    // munmap(): removes the VMA, clears its PTEs, and runs the MMU notifiers.
    void munmap(MmStruct& mm, const std::string& vma_name);
    // Builds every process's (empty) top-level table. Call once, on a core, at boot.
    void init_tables();

    uint64_t frames_allocated() const { return frames_; }
    PhysAlloc& user_pool() { return *user_pool_; }
    // Format of the CPU page tables (host.mm.pgtable_format): what an SVA walk must read.
    PgtableFormat pgtable_format() const { return pgt_format_; }

private:
    void lifecycle();   // SC_THREAD: munmap_at / exit_at events
    bool populate(MmStruct& mm, uint64_t page, bool write, bool cow);

    SimContext& ctx_;
    Cpu& cpu_;
    HostBus& bus_;
    PhysAlloc& tables_;
    std::unique_ptr<PhysAlloc> user_pool_;
    std::vector<std::unique_ptr<MmStruct>> mms_;
    uint64_t zero_frame_ = 0;
    bool zero_page_;
    Cost fault_entry_ps_, alloc_ps_, major_ps_;
    PgtableCosts pgt_costs_;
    PgtableFormat pgt_format_ = PgtableFormat::vmsav8_64;
    uint64_t frames_ = 0;
    bool tables_ready_ = false;
    sc_core::sc_event tables_ready_ev_;
public:
    // Process teardown hook (SVA unbind of every device bound to the PASID), set by the host.
    std::function<void(MmStruct&)> on_exit;
    const sc_core::sc_event& tables_ready_event() const { return tables_ready_ev_; }
    bool tables_ready() const { return tables_ready_; }
};

}  // namespace iopf
