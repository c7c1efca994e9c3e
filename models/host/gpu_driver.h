// Host GPU driver (after drivers/gpu/drm/msm: adreno_fault_handler, msm_gpu fault_worker
// and devcoredump, the stall-on-fault cooldown): registers the GPU's IOMMU fault handler
// with the SMMUv2 driver, chooses how its context bank treats faults, and answers faults
// with one of four policies (parameter `policy`):
//   terminate             SCTLR.CFCFG = 0: faults terminate in hardware (FSR.TF, no SS);
//                         the handler only logs.
//   resume_now            CFCFG = 1: the handler answers at once; the SMMU driver clears
//                         FSR and writes CB_RESUME TnR = 1 (terminate).
//   deferred_devcoredump  CFCFG = 1: the first fault of a job (with FSR.SS) schedules a
//                         worker that captures a devcoredump (timed reads of the GPU state
//                         through HostBus) and then writes CB_RESUME TnR = 1; the IRQ
//                         handler returns "resume later", so FSR is cleared at once and
//                         only the RESUME is deferred. Faults of that job while the dump is
//                         pending stay stalled (the worker's RESUME releases them all);
//                         later faults of the same job are not dumped again (resumed at
//                         once). The hang check is off while the GPU is held for the dump.
//   stall_cooldown        deferred_devcoredump, plus: every fault turns stall off
//                         (SCTLR.CFCFG = 0) and sets the re-enable time to now + `cooldown`;
//                         a one-shot timer turns it back on then (msm: 500 ms).
//   threaded_devcoredump  the 2025 msm flow ("Fix spurious interrupts with stall-on-fault"
//                         series): every fault turns stall off as stall_cooldown does; the
//                         first fault of a job captures the devcoredump right in the
//                         (threaded) fault handler, which then answers, so the SMMU driver
//                         writes FSR and then CB_RESUME after the capture; stall is turned
//                         back on only once `cooldown` has passed AND no devcoredump is
//                         pending (user space reads it `dump.read_after` after capture).
// SCTLR.HUPCF is set when `hupcf` (Adreno always sets it). All steps cost core time.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/context.h"
#include "models/host/cpu.h"
#include "models/host/host_bus.h"
#include "models/host/smmu_v2_driver.h"
#include "models/host/workqueue.h"

namespace iopf {

// What firmware tells the OS about a GPU: its register block and state aperture.
struct GpuFirmware {
    std::string device;
    std::string smmu;   // SMMU the GPU sits behind ("" = none)
    uint64_t mmio_base = 0;
    uint64_t state_size = 0;
};

class GpuDriver : public sc_core::sc_module {
public:
    enum class Policy { terminate, resume_now, deferred_devcoredump, stall_cooldown, threaded_devcoredump };
    static const char* policy_name(Policy p);

    // `smmu` may be null (a GPU not behind an SMMUv2: no fault handling).
    GpuDriver(sc_core::sc_module_name name, SimContext& ctx, ParamScope params, Cpu& cpu, HostBus& bus,
              SmmuV2Driver* smmu, GpuFirmware fw);

    Policy policy() const { return policy_; }
    uint64_t faults_reported() const { return faults_; }
    uint64_t dumps() const { return dumps_; }

private:
    FaultReply on_fault(const ContextFaultInfo& info);
    void dump_worker(uint32_t job, uint64_t fault_id);
    void capture_dump(uint64_t fault_id);   // msm_gpu_crashstate_capture + devcoredump, timed
    void crashstate_thread();               // threaded_devcoredump: user space reads the dump
    void cooldown_thread();
    void probe();
    void probe_steps();

    SimContext& ctx_;
    Cpu& cpu_;
    HostBus& bus_;
    SmmuV2Driver* smmu_;
    GpuFirmware fw_;
    std::unique_ptr<Workqueue> wq_;

    Policy policy_;
    bool hupcf_, hangcheck_off_;
    uint64_t cooldown_ps_, dump_chunk_, dump_size_;
    Cost handler_ps_, dump_setup_ps_, dump_ps_per_kib_;

    bool dump_pending_ = false, stall_enabled_ = false;
    bool crashstate_pending_ = false;        // a captured devcoredump not yet read by user space
    uint64_t crashstate_read_ps_ = 0;        // dump.read_after
    sc_core::sc_event crashstate_ev_;
    uint64_t reenables_held_by_dump_ = 0;    // cooldown over but a devcoredump still pending
    std::set<uint32_t> dumped_jobs_;
    uint64_t reenable_at_ps_ = 0;
    sc_core::sc_event reenable_ev_, dump_done_ev_;

    uint64_t faults_ = 0, dumps_ = 0, stalled_while_dumping_ = 0, not_dumped_again_ = 0, resumed_now_ = 0,
             stall_disables_ = 0, stall_reenables_ = 0, no_stall_faults_ = 0;
    std::map<uint32_t, uint64_t> faults_by_job_;
    std::vector<double> dump_ns_, dump_start_ns_, stall_off_ns_, stall_on_ns_;
    uint64_t dump_busy_ = 0;   // traced
};

}  // namespace iopf
