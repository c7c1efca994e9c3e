// Host hypervisor (KVM-like): owns VMIDs and each VM's stage-2 tables in simulated memory.
// A VM's guest-physical memory (IPA range) is a VMA of a VMM process on the host (QEMU's
// guest RAM mapping), populated on demand: nothing is pinned. A device assigned to the VM
// translates at stage 2 (STE.Config S2-only) or nested under the guest's own stage 1
// (STE.Config nested); with STE.S2S a stage-2 fault stalls, reaches the host SMMU driver's
// event handler and the host IOPF queue, whose worker calls handle_s2_fault(): the backing
// page is faulted in on the VMM's VMA (handle_mm_fault), the stage-2 PTE is installed, and
// the driver resumes the transaction (CMD_RESUME RETRY). Unmapping guest memory clears the
// stage-2 PTEs and invalidates with CMD_TLBI_S2_IPA (+ CMD_TLBI_S12_VMALL for the combined
// entries of nested streams) and CMD_SYNC.
//
// The guest is static here: its stage-1 tables and CD are built in guest memory at attach
// time (the platform builds them, as firmware or a guest kernel would have).
// Stage-2 tables: 4 KiB granule, 48-bit IPA (S2T0SZ = 16), start level 0 (S2SL0 = 2).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"
#include "models/host/cpu.h"
#include "models/host/host_bus.h"
#include "models/host/io_pgtable.h"
#include "models/host/iopf.h"
#include "models/host/os_mm.h"
#include "models/host/phys_alloc.h"
#include "models/smmu/v3/format/ste.h"

namespace iopf {

class SmmuV3Driver;

// A guest stage-1 mapping: device VA -> IPA.
struct GuestMapping {
    std::string name;
    uint64_t va = 0, ipa = 0, size = 0;
    bool write = true, exec = false;
};

struct Vm {
    std::string name;
    uint16_t vmid = 1;
    std::string vmm;                 // VMM process whose VMA backs guest RAM
    std::string vma;                 // that VMA's name
    uint64_t ipa_base = 0, size = 0; // guest RAM in IPA space; IPA ipa_base + x = VMA start + x
    uint64_t prefault = 0;           // bytes from ipa_base backed at boot
    bool back_guest_tables = true;   // back the guest's CD and stage-1 table pages at attach
    uint16_t guest_asid = 1;
    std::vector<GuestMapping> guest_mappings;
    uint64_t unmap_at_ps = 0, unmap_ipa = 0, unmap_size = 0;

    // Built at first attach.
    std::unique_ptr<IoPgtable> s2;
    uint64_t guest_cd_ipa = 0;
    uint64_t guest_s1_root = 0;      // IPA
    uint64_t next_table_ipa = 0;     // guest table pages are taken top down
    bool built = false;
    bool nested_streams = false;
    SmmuV3Driver* driver = nullptr;
    uint64_t s2_faults = 0, s2_pages_installed = 0, backing_faults = 0, s2_unmapped = 0, invalid = 0;
};

class Hypervisor : public sc_core::sc_module {
public:
    Hypervisor(sc_core::sc_module_name name, SimContext& ctx, ParamScope host_params, Cpu& cpu, HostBus& bus,
               PhysAlloc& pool, OsMm& mm);

    bool has_vm(const std::string& name) const { return find(name) != nullptr; }
    // Fills the STE's stage-2 fields (S2VMID, S2T0SZ, S2SL0, S2TG, S2PS, S2AA64, S2R, S2TTB)
    // and, for a nested stream, S1ContextPtr (the guest's CD, an IPA). Builds the VM's tables
    // on first use. Runs in the driver's thread, on a core.
    void prepare_stream(const std::string& vm, bool nested, smmu::v3::Ste& ste, SmmuV3Driver* driver,
                        unsigned oas_bits);
    uint16_t vmid_of(const std::string& vm) const;
    // The host IOPF path for a stage-2 fault (IOPF worker, on a core): fault in the VMM's
    // backing page, install the stage-2 PTE.
    PageResponse handle_s2_fault(const IopfFault& f);

private:
    Vm* find(const std::string& name) const;
    Vm* find_vmid(uint16_t vmid) const;
    void build(Vm& vm);
    // Backs one guest page (handle_mm_fault on the VMM's VMA) and maps it at stage 2.
    // Returns the PA, or 0 when the VMA cannot back it.
    uint64_t back_page(Vm& vm, uint64_t ipa_page, bool count_as_fault);
    uint64_t guest_table(Vm& vm);                 // a zeroed guest page for tables (IPA)
    void guest_write64(Vm& vm, uint64_t ipa, uint64_t v);
    uint64_t guest_read64(Vm& vm, uint64_t ipa);
    uint64_t ipa_to_pa(Vm& vm, uint64_t ipa);     // through the hypervisor's own tables
    void guest_map(Vm& vm, const GuestMapping& m);
    void lifecycle();                             // SC_THREAD: timed guest-memory unmaps

    SimContext& ctx_;
    Cpu& cpu_;
    HostBus& bus_;
    PhysAlloc& pool_;
    OsMm& mm_;
    PgtableCosts pgt_costs_;
    uint64_t s2_fault_ps_;
    std::vector<std::unique_ptr<Vm>> vms_;
};

}  // namespace iopf
