// Host SMMUv2 / SMMU-500 driver (after Linux drivers/iommu/arm/arm-smmu/arm-smmu.c): probes
// the SMMU through ID0-2, resets it (FSRs cleared, SCTLRs off, SMRs invalid, S2CRs fault,
// TLBIALLNSNH + sTLBGSYNC), then gives every device firmware puts behind it one stage-1
// context bank: page tables built with IoPgtable in simulated memory, CBA2R/CBAR/TCR2/
// TTBRn/TCR/MAIRn, TLBIALL + TLBSYNC, SCTLR (CFIE, CFRE, AFE, TRE, M plus what the device's
// driver asks for: CFCFG, HUPCF), then S2CR and SMR. Context faults are taken in a threaded
// IRQ handler over MMIO exactly as arm_smmu_context_fault() does: read FSR (nothing: not
// ours), FAR, FSYNR0, GR1 CBFRSYNRA; report_iommu_fault() to the device driver's handler;
// write FSR back to clear it; then, if FSR.SS was set, CB_RESUME retry (-EAGAIN) or
// terminate, unless the handler says it will resume later itself (the msm deferred path).
// TLB maintenance goes through TLBIVA/TLBIASID/TLBIALL and TLBSYNC/TLBSTATUS polling.
// Every step costs core time on the Cpu.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"
#include "models/host/bus_master.h"
#include "models/host/cpu.h"
#include "models/host/host_bus.h"
#include "models/host/mapping.h"
#include "models/host/io_pgtable.h"
#include "models/host/driver_registry.h"
#include "models/host/irq_controller.h"
#include "models/host/phys_alloc.h"
#include "models/smmu/v2/format/regs.h"

namespace iopf {

// What firmware (device tree "arm,mmu-500") tells the OS about one SMMUv2 instance.
struct SmmuV2Firmware {
    std::string name;
    uint64_t mmio_base = 0;
    std::vector<const sc_core::sc_signal<bool>*> context_irqs;   // one per context interrupt
    const sc_core::sc_signal<bool>* global_irq = nullptr;
    // Interrupt numbers firmware gives (the platform: <smmu>.irq.global, .context<i>).
    unsigned global_irq_num = 256;
    std::vector<unsigned> context_irq_nums;   // one per context interrupt
};


// A device behind the SMMU and the one address space the OS gives it.
struct V2Stream {
    std::string device;
    uint32_t sid = 0;
    uint16_t asid = 1;
    std::vector<Mapping> mappings;
    uint32_t sctlr_set = 0;   // SCTLR bits beyond Linux's default (CFCFG, HUPCF)
    BusMaster bus_master;     // how the OS turns the device's DMA on (after the bank is live)
};

// What report_iommu_fault() hands a device driver's fault handler: Linux passes iova and
// the direction; the msm driver also reads FSR/FSYNR0/CBFRSYNRA (adreno_smmu_fault_info).
struct ContextFaultInfo {
    std::string device;
    unsigned cb = 0;
    uint32_t fsr = 0, fsynr0 = 0, cbfrsynra = 0;
    uint64_t far = 0;
    bool write = false;
    uint64_t fault_id = 0;   // instrumentation: the FaultTracker record FAR describes
};

// The handler's answer (Linux return codes): handled (0: a stalled transaction is
// terminated), retry (-EAGAIN: RESUME with retry), resume_later (the handler will write
// CB_RESUME itself; FSR is still cleared), no_handler (-ENOSYS: logged, then terminate).
enum class FaultReply { handled, retry, resume_later, no_handler };
const char* fault_reply_name(FaultReply r);
using ContextFaultHandler = std::function<FaultReply(const ContextFaultInfo&)>;

class SmmuV2Driver : public sc_core::sc_module, public IommuDriver {
public:
    SmmuV2Driver(sc_core::sc_module_name name, SimContext& ctx, ParamScope params, Cpu& cpu, HostBus& bus,
                 IrqController& irqc, PhysAlloc& pool, SmmuV2Firmware fw, std::vector<V2Stream> streams);

    // iommu_set_fault_handler() for a device's domain. Before the simulation starts.
    void set_fault_handler(const std::string& device, ContextFaultHandler h);
    // Bits a device's driver wants set / cleared in its bank's SCTLR (Linux
    // arm_smmu_cfg.sctlr_set / sctlr_clr; Adreno sets HUPCF, and CFCFG to stall).
    void set_sctlr_bits(const std::string& device, uint32_t set, uint32_t clr);
    // adreno_smmu_priv.set_stall(): rewrite SCTLR with CFCFG on or off. Holding a core.
    void set_stall(const std::string& device, bool enable);
    // adreno_smmu_priv.resume_translation(): write CB_RESUME. Holding a core.
    void resume(const std::string& device, bool terminate);
    // iommu_unmap(): clear the PTEs, TLBIVA per page (or TLBIASID past tlbi_page_limit),
    // TLBSYNC and poll TLBSTATUS. Holding a core. Returns pages unmapped.
    uint64_t unmap(const std::string& device, uint64_t va, uint64_t size);

    bool ready() const { return ready_; }
    const sc_core::sc_event& ready_event() const { return ready_ev_; }
    const std::string& smmu_name() const { return fw_.name; }
    const std::vector<V2Stream>& streams() const { return streams_; }
    bool has_device(const std::string& device) const { return by_device_.count(device) != 0; }
    int bank_of(const std::string& device) const;
    IoPgtable* pgtable(const std::string& device);
    uint64_t context_faults() const { return context_faults_; }
    // How the context-fault handler copes with FSR.SS staying set until CB_RESUME (MMU-500):
    //   legacy     Linux before the 2025 series: SS counts as a fault (ARM_SMMU_CB_FSR_FAULT),
    //              FSR is written back, and a deferred resume leaves the level interrupt
    //              asserted, so it is taken again (and reported again) until CB_RESUME.
    //   mask_cfie  iommu/arm-smmu "Fix spurious interrupts with stall-on-fault" (2025): an
    //              FSR with only SS is not a fault (IRQ_NONE); when the handler defers the
    //              resume, SCTLR.CFIE is cleared, and resume() sets it again after CB_RESUME.
    enum class FaultFlow { legacy, mask_cfie };
    FaultFlow fault_flow() const { return flow_; }

private:
    struct Attached {
        const V2Stream* stream = nullptr;
        unsigned cb = 0;
        uint32_t sctlr_set = 0, sctlr_clr = 0, sctlr = 0;
        ContextFaultHandler handler;
        std::unique_ptr<IoPgtable> pgt;
    };
    void probe();
    void probe_steps();   // SC_THREAD
    void reset();
    void attach(Attached& a, unsigned smr_index);
    void context_fault(unsigned line);
    void global_fault();
    void tlb_sync(unsigned cb);
    void tlb_sync_global();
    void cost(uint64_t ps, const char* what) { cpu_.busy(ps, what); }
    Attached& attached(const std::string& device);

    uint64_t cb_addr(unsigned cb, uint32_t off) const {
        return fw_.mmio_base + uint64_t(numpage_ + cb) * smmu::v2::reg::PAGE_SIZE + off;
    }
    uint32_t gr0_rd(uint32_t off) { return bus_.read32(fw_.mmio_base + off); }
    void gr0_wr(uint32_t off, uint32_t v) { bus_.write32(fw_.mmio_base + off, v); }
    uint32_t gr1_rd(uint32_t off) { return bus_.read32(fw_.mmio_base + smmu::v2::reg::PAGE_SIZE + off); }
    void gr1_wr(uint32_t off, uint32_t v) { bus_.write32(fw_.mmio_base + smmu::v2::reg::PAGE_SIZE + off, v); }
    uint32_t cb_rd(unsigned cb, uint32_t off) { return bus_.read32(cb_addr(cb, off)); }
    uint64_t cb_rd64(unsigned cb, uint32_t off) { return bus_.read64(cb_addr(cb, off)); }
    void cb_wr(unsigned cb, uint32_t off, uint32_t v) { bus_.write32(cb_addr(cb, off), v); }
    void cb_wr64(unsigned cb, uint32_t off, uint64_t v) { bus_.write64(cb_addr(cb, off), v); }

    SimContext& ctx_;
    Cpu& cpu_;
    HostBus& bus_;
    IrqController& irqc_;
    PhysAlloc& pool_;
    SmmuV2Firmware fw_;
    std::vector<V2Stream> streams_;
    std::vector<std::unique_ptr<Attached>> attached_;
    std::map<std::string, Attached*> by_device_;
    std::map<unsigned, Attached*> by_cb_;

    // Parameters.
    bool disable_bypass_;
    Cost cost_init_ps_, cost_attach_ps_, cost_read_ps_, cost_report_ps_;
    uint64_t cost_poll_ps_;
    uint64_t poll_limit_, tlbi_page_limit_;
    size_t fault_log_limit_;
    PgtableCosts pgt_costs_;

    // Discovered.
    smmu::v2::Id id_;
    unsigned numpage_ = 2;

    bool ready_ = false;
    sc_core::sc_event ready_ev_;
    uint64_t context_faults_ = 0, spurious_ = 0, unhandled_ = 0, resumes_retry_ = 0, resumes_terminate_ = 0,
             deferred_ = 0, fsr_clears_ = 0, tlb_syncs_ = 0, tlbi_ = 0, global_faults_ = 0, sync_timeouts_ = 0;
    FaultFlow flow_ = FaultFlow::legacy;
    uint64_t ss_only_reports_ = 0, ss_only_ignored_ = 0, cfie_masked_ = 0, cfie_unmasked_ = 0;
    uint64_t ss_only_cpu_ps_ = 0;   // core time the handler spent on SS-only (re-taken) interrupts
    nlohmann::json fault_log_ = nlohmann::json::array();
};

}  // namespace iopf
