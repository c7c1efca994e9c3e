// GPU-like stalling device: runs jobs (submits) one after another, each a stream of reads
// and/or writes in the GPU's virtual address space issued by many concurrent wavefronts
// (one lightweight thread each, one transaction in flight per wavefront). A wavefront whose
// transaction stalls in the SMMU simply waits; the others carry on. A job can be made to
// touch a bad (unmapped) region every N-th transaction.
//
// A hang check (like msm's hangcheck timer) runs only while a job is active: every
// `hangcheck.period` it compares the completion count with the previous check and declares
// a hang when nothing completed for a whole period (counted once per no-progress spell).
// It is disabled and re-enabled through the HANGCHECK register (the driver turns it off
// while it keeps the GPU stalled for a devcoredump, as msm does). Nothing periodic runs
// while the GPU is idle.
//
// MMIO registers (32-bit, at `mmio_base`): ID 0x00, STATUS 0x04 (bit 0 busy), JOB_ID 0x08
// (1-based index of the running job, 0 = none), JOBS_RETIRED 0x0c, HANGCHECK 0x10 (bit 0
// enable, RW), HANGS 0x14, CTRL 0x18 (bit 0 EN: bus-master enable, RW; the engine starts
// its jobs once its driver sets it); the GPU state aperture at 0x1000 (what a devcoredump reads:
// `state_size` bytes, each access costs `mmio_latency` plus size / `state_bandwidth`).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "models/common/component.h"
#include "models/devices/format/gpu_regs.h"
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/common/clock.h"
#include "models/common/context.h"
#include "models/devices/access_slot.h"
#include "models/common/payload.h"

namespace iopf {

struct GpuJob {
    enum class Op { read, write, mixed };
    std::string name;
    uint64_t base = 0, length = 0, burst = 64, count = 0;
    Op op = Op::read;
    uint64_t bad_base = 0, bad_length = 4096, bad_every = 0;   // every N-th transaction is bad (0 = none)
    uint64_t start_ps = 0;
    // Results.
    uint64_t issued = 0, ok = 0, error = 0, bad_issued = 0, hangs = 0, t_start_ps = 0, t_end_ps = 0;
    bool done = false;

    bool is_bad(uint64_t i) const { return bad_every && (i % bad_every) == bad_every - 1; }
    uint64_t address(uint64_t i) const;
    bool is_write(uint64_t i) const { return op == Op::write || (op == Op::mixed && (i & 1)); }
};

class Gpu : public sc_core::sc_module, public DeviceModel {
public:
    tlm_utils::simple_initiator_socket<Gpu> socket;
    tlm_utils::simple_target_socket<Gpu> mmio;

    // Register map: models/devices/format/gpu_regs.h.
    static constexpr uint32_t REG_ID = gpu_reg::ID, REG_STATUS = gpu_reg::STATUS, REG_JOB_ID = gpu_reg::JOB_ID,
                              REG_JOBS_RETIRED = gpu_reg::JOBS_RETIRED, REG_HANGCHECK = gpu_reg::HANGCHECK,
                              REG_HANGS = gpu_reg::HANGS, REG_CTRL = gpu_reg::CTRL, STATE_BASE = gpu_reg::STATE_BASE;
    static constexpr uint32_t kIdValue = gpu_reg::kIdValue;

    Gpu(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    void enable_at_start() { enabled_at_start_ = true; }
    uint32_t sid() const { return sid_; }
    uint64_t mmio_base() const { return mmio_base_; }
    uint64_t mmio_size() const { return STATE_BASE + state_size_; }
    uint64_t state_size() const { return state_size_; }
    bool finished() const override { return finished_; }
    uint64_t issued() const { return issued_; }
    uint64_t completed_ok() const { return ok_; }
    uint64_t completed_error() const { return err_; }
    uint64_t in_flight() const override { return issued_ - ok_ - err_; }
    uint64_t hangs() const { return hangs_; }
    const std::vector<GpuJob>& jobs() const { return jobs_; }

private:
    sc_core::sc_signal<bool> bus_master_enable{"bus_master_enable", false};   // CTRL.EN
    AccessSlotPool slot_pool_;   // the threads' payloads (freed with the device)
    void run();
    void wavefront(unsigned index);
    void hangcheck();
    void mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

    SimContext& ctx_;
    Clock clk_;
    uint32_t sid_;
    bool priv_;
    unsigned wavefronts_;
    uint64_t issue_cycles_;
    uint64_t quantum_ps_;
    uint64_t mmio_base_, state_size_;
    Cost mmio_latency_ps_;
    double state_bytes_per_ns_;
    uint64_t hangcheck_period_ps_;
    bool hangcheck_enabled_;
    std::vector<GpuJob> jobs_;

    size_t job_ = 0;
    uint64_t next_index_ = 0;
    unsigned busy_wavefronts_ = 0;
    bool enabled_at_start_ = false, finished_ = false, busy_ = false, hung_ = false;
    sc_core::sc_event job_start_, wavefront_idle_, busy_ev_, idle_ev_;

    uint64_t issued_ = 0, ok_ = 0, err_ = 0, bytes_ = 0, progress_ = 0, hangs_ = 0, retired_ = 0;
    uint64_t latency_sum_ps_ = 0, latency_max_ps_ = 0, max_outstanding_ = 0;
    std::vector<double> hang_times_ns_;
    uint64_t outstanding_now_ = 0, current_job_ = 0;   // traced
};

}  // namespace iopf
