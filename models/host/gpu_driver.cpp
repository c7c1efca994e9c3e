#include "models/host/gpu_driver.h"

#include "models/host/driver_registry.h"
#include "models/host/host.h"

#include <algorithm>

#include "models/common/payload.h"
#include "models/common/stats.h"
#include "models/common/units.h"
#include "models/devices/format/gpu_regs.h"
#include "models/common/run_guard.h"

namespace iopf {

namespace v2 = smmu::v2;

const char* GpuDriver::policy_name(Policy p) {
    switch (p) {
    case Policy::terminate: return "terminate";
    case Policy::resume_now: return "resume_now";
    case Policy::deferred_devcoredump: return "deferred_devcoredump";
    case Policy::stall_cooldown: return "stall_cooldown";
    case Policy::threaded_devcoredump: return "threaded_devcoredump";
    }
    return "?";
}

GpuDriver::GpuDriver(sc_core::sc_module_name name, SimContext& ctx, ParamScope p, Cpu& cpu, HostBus& bus,
                     SmmuV2Driver* smmu, GpuFirmware fw)
    : sc_module(name), ctx_(ctx), cpu_(cpu), bus_(bus), smmu_(smmu), fw_(std::move(fw)) {
    const std::string pol = p.get_enum("policy", "deferred_devcoredump",
                                       {"terminate", "resume_now", "deferred_devcoredump", "stall_cooldown", "threaded_devcoredump"},
                                       {"GPU fault policy: terminate (stall off), resume_now, deferred_devcoredump, "
                                       "stall_cooldown (deferred dump + stall off for `cooldown` after a fault), threaded_devcoredump (2025 msm: dump in the "
                                       "fault handler, then RESUME; stall back on after `cooldown` once no dump is pending)", "Linux drivers/gpu/drm/msm/adreno/adreno_gpu.c adreno_fault_handler() (v6.x): keeps the GPU stalled and resumes from the devcoredump worker"});
    policy_ = pol == "terminate" ? Policy::terminate
            : pol == "resume_now" ? Policy::resume_now
            : pol == "deferred_devcoredump" ? Policy::deferred_devcoredump
            : pol == "stall_cooldown" ? Policy::stall_cooldown : Policy::threaded_devcoredump;
    hupcf_ = p.get_bool("hupcf", true, {"set SCTLR.HUPCF on the GPU's context bank (hits proceed under a fault; Adreno always sets it)", "Linux drivers/iommu/arm/arm-smmu/arm-smmu-qcom.c qcom_adreno_smmu_write_sctlr(): Adreno always sets SCTLR.HUPCF"});
    hangcheck_off_ = p.get_bool("hangcheck_off_during_dump", true,
                                {"turn the GPU hang check off while the GPU is held stalled for a devcoredump (msm does)", "Linux msm_gpu.c: hangcheck is suspended while the GPU is held for a fault dump (msm_gpu_fault_crashstate_capture)"});
    cooldown_ps_ = p.get_time_ps("cooldown", 500'000'000'000ull,
                                 {"stall_cooldown: stall stays off this long after the last fault (msm: 500 ms)", "Linux drivers/gpu/drm/msm/adreno/adreno_gpu.c: stall re-enabled no sooner than 500 ms after it was turned off (stall_reenable_time, 2025 series 'Fix spurious interrupts with stall-on-fault')"});
    handler_ps_ = p.sub("cost").get_cost("handler", 2'000'000,
                                            {"adreno_fault_handler: decoding and printing the fault, besides its MMIO", "assumed: adreno_fault_handler() decoding and a pr_warn_ratelimited print, ~2 us"});
    ParamScope d = p.sub("dump");
    dump_size_ = d.get_size("size", 256 * 1024, {"GPU state a devcoredump captures (read from the state aperture)", "assumed: order of an Adreno devcoredump (registers, ringbuffers, a few BOs): 256 KiB"});
    dump_chunk_ = d.get_size("chunk", 4096, {"bytes per timed read of the state aperture", "assumed: the dump reads the state aperture one page at a time"});
    if (dump_chunk_ == 0) throw ConfigError("parameter '" + d.path("chunk") + "': must be at least 1 byte");
    dump_setup_ps_ = d.get_cost("setup", 20'000'000, {"devcoredump set-up: allocation, register snapshot bookkeeping", "assumed: dev_coredumpm() set-up and crash-state allocation, ~20 us"});
    crashstate_read_ps_ = d.get_time_ps("read_after", 100'000'000'000ull, {"threaded_devcoredump: time from capture until user space reads the devcoredump (it is pending until then)", "assumed: a crash reporter reads /sys/class/devcoredump promptly; 100 ms"});
    dump_ps_per_kib_ = d.get_cost("cost_per_kib", 1'000'000, {"CPU time per KiB captured (copy and encoding)", "assumed: copying and ascii85-encoding a KiB costs ~1 us (msm_gpu_crashstate uses ascii85)"});
    wq_ = std::make_unique<Workqueue>("wq", ctx, p.sub("workqueue"), cpu);

    if (smmu_) {
        const uint32_t set = (hupcf_ ? v2::sctlr::HUPCF : 0) | (policy_ != Policy::terminate ? v2::sctlr::CFCFG : 0);
        const uint32_t clr = (hupcf_ ? 0 : v2::sctlr::HUPCF) | (policy_ == Policy::terminate ? v2::sctlr::CFCFG : 0);
        smmu_->set_sctlr_bits(fw_.device, set, clr);
        smmu_->set_fault_handler(fw_.device, [this](const ContextFaultInfo& i) { return on_fault(i); });
        stall_enabled_ = policy_ != Policy::terminate;
    }

    SC_HAS_PROCESS(GpuDriver);
    SC_THREAD(probe);
    if (policy_ == Policy::stall_cooldown || policy_ == Policy::threaded_devcoredump) SC_THREAD(cooldown_thread);
    if (policy_ == Policy::threaded_devcoredump) SC_THREAD(crashstate_thread);

    const std::string me = this->name();
    ctx.traces.add(me + ".dump_worker_busy", dump_busy_);
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json by_job = nlohmann::json::object();
        for (const auto& [j, n] : faults_by_job_) by_job[std::to_string(j)] = n;
        root["host"]["gpu_drivers"][me] = {
            {"device", fw_.device}, {"policy", policy_name(policy_)}, {"hupcf", hupcf_},
            {"faults_reported", faults_}, {"faults_by_job", by_job}, {"faults_without_stall", no_stall_faults_},
            {"dumps", dumps_}, {"dump_ns", distribution(dump_ns_)}, {"dump_start_ns", dump_start_ns_},
            {"stalled_while_dumping", stalled_while_dumping_}, {"not_dumped_again", not_dumped_again_},
            {"resumed_now", resumed_now_}, {"stall_disables", stall_disables_},
            {"stall_reenables", stall_reenables_}, {"stall_off_ns", stall_off_ns_}, {"stall_on_ns", stall_on_ns_},
            {"reenables_held_by_dump", reenables_held_by_dump_}};
    });
}

void GpuDriver::probe() { guarded(ctx_, [this] { probe_steps(); }); }

void GpuDriver::probe_steps() {
    // Check the GPU answers (a register read) once its SMMU is up.
    if (smmu_ && !smmu_->ready()) wait(smmu_->ready_event());
    OnCore core(cpu_);
    const uint32_t id = bus_.read32(fw_.mmio_base + gpu_reg::ID);
    if (id != gpu_reg::kIdValue) ctx_.log.warn(std::string(name()) + ": unexpected GPU ID " + hex(id));
}

FaultReply GpuDriver::on_fault(const ContextFaultInfo& info) {
    // adreno_fault_handler(): runs in the SMMU driver's IRQ thread, on its core.
    ++faults_;
    cpu_.busy(handler_ps_.sample(), "gpu_fault_handler");
    const uint32_t job = bus_.read32(fw_.mmio_base + gpu_reg::JOB_ID);   // the submit in flight
    ++faults_by_job_[job];
    if (policy_ == Policy::terminate) return FaultReply::handled;
    if (policy_ == Policy::stall_cooldown || policy_ == Policy::threaded_devcoredump) {
        // A storm of faults could follow: stall off until `cooldown` after the last fault.
        if (stall_enabled_) {
            smmu_->set_stall(fw_.device, false);
            stall_enabled_ = false;
            ++stall_disables_;
            stall_off_ns_.push_back(now_ps() / 1000.0);
        }
        reenable_at_ps_ = now_ps() + cooldown_ps_;
        reenable_ev_.notify(sc_core::SC_ZERO_TIME);
    }
    if (!(info.fsr & v2::fsr::SS)) {
        ++no_stall_faults_;
        return FaultReply::handled;   // nothing is stalled: nothing to resume or dump
    }
    if (policy_ == Policy::resume_now) {
        ++resumed_now_;
        return FaultReply::handled;   // the SMMU driver writes RESUME (terminate) now
    }
    if (policy_ == Policy::threaded_devcoredump) {
        // 2025 msm: capture right here in the threaded handler (first fault of a job, and
        // only when no earlier dump is still pending), then answer: the SMMU driver writes
        // FSR and then CB_RESUME (terminate) after the capture.
        if (!dumped_jobs_.count(job) && !crashstate_pending_) {
            dumped_jobs_.insert(job);
            ++dumps_;
            crashstate_pending_ = true;   // from the start of the capture until user space reads it
            if (hangcheck_off_) bus_.write32(fw_.mmio_base + gpu_reg::HANGCHECK, 0);
            capture_dump(info.fault_id);
            crashstate_ev_.notify(ps(crashstate_read_ps_));
        } else {
            ++not_dumped_again_;
        }
        ++resumed_now_;
        return FaultReply::handled;
    }
    if (dump_pending_) {
        // The pending worker's CB_RESUME releases every stalled transaction of the bank.
        ++stalled_while_dumping_;
        return FaultReply::resume_later;
    }
    if (dumped_jobs_.count(job)) {
        ++not_dumped_again_;
        ++resumed_now_;
        return FaultReply::handled;
    }
    // First fault of this job: keep the GPU stalled and capture its state in a worker.
    dumped_jobs_.insert(job);
    dump_pending_ = true;
    ++dumps_;
    if (hangcheck_off_) bus_.write32(fw_.mmio_base + gpu_reg::HANGCHECK, 0);
    const uint64_t fid = info.fault_id;
    wq_->queue_work([this, job, fid] { dump_worker(job, fid); });
    return FaultReply::resume_later;
}

void GpuDriver::dump_worker(uint32_t job, uint64_t fault_id) {
    // msm fault_worker: msm_gpu_crashstate_capture() + devcoredump, then resume_translation().
    OnCore core(cpu_);
    capture_dump(fault_id);
    smmu_->resume(fw_.device, true);   // CB_RESUME, TnR = 1
    dump_pending_ = false;
    dump_done_ev_.notify(sc_core::SC_ZERO_TIME);
    (void)job;
}

void GpuDriver::crashstate_thread() {
    // The devcoredump stays pending until user space reads it (`dump.read_after`).
    for (;;) {
        wait(crashstate_ev_);
        crashstate_pending_ = false;
        dump_done_ev_.notify(sc_core::SC_ZERO_TIME);
    }
}

void GpuDriver::capture_dump(uint64_t fault_id) {
    // Runs on a core the caller holds (the worker's, or the IRQ thread's).
    ++dump_busy_;
    const uint64_t t0 = now_ps();
    dump_start_ns_.push_back(t0 / 1000.0);
    cpu_.busy(dump_setup_ps_.sample(), "devcoredump");
    std::vector<uint8_t> buf(static_cast<size_t>(std::min<uint64_t>(dump_chunk_, 1 << 20)));
    const uint64_t size = std::min(dump_size_, fw_.state_size);
    for (uint64_t off = 0; off < size; off += buf.size()) {
        const unsigned n = static_cast<unsigned>(std::min<uint64_t>(buf.size(), size - off));
        bus_.read(fw_.mmio_base + gpu_reg::STATE_BASE + off, buf.data(), n);
        cpu_.busy(dump_ps_per_kib_.sample() * n / 1024, "devcoredump");
    }
    dump_ns_.push_back((now_ps() - t0) / 1000.0);
    if (const FaultRecord* fr = ctx_.faults.find(fault_id); fr && !fr->closed)
        ctx_.faults.mark(fault_id, Stage::dump, now_ps());
    if (hangcheck_off_) bus_.write32(fw_.mmio_base + gpu_reg::HANGCHECK, 1);
    --dump_busy_;
}

void GpuDriver::cooldown_thread() {
    // Re-enables stall once `cooldown` has passed since the last fault and no dump is
    // pending. One-shot: sleeps on an event, no periodic wake-up.
    for (;;) {
        wait(reenable_ev_);
        for (;;) {
            while (now_ps() < reenable_at_ps_) wait(ps(reenable_at_ps_ - now_ps()), reenable_ev_);
            if (dump_pending_ || crashstate_pending_) {
                ++reenables_held_by_dump_;
                wait(dump_done_ev_);
                continue;
            }
            if (now_ps() >= reenable_at_ps_) break;
        }
        if (stall_enabled_) continue;
        OnCore core(cpu_);
        smmu_->set_stall(fw_.device, true);
        stall_enabled_ = true;
        ++stall_reenables_;
        stall_on_ns_.push_back(now_ps() / 1000.0);
    }
}

namespace {

// Probe: the GPU's firmware node -> GpuFirmware; its IOMMU's driver was bound before it.
std::unique_ptr<sc_core::sc_module> probe_gpu(HostEnv& env, const FirmwareUnit& u) {
    GpuFirmware g{u.name, u.iommu, u.mmio_base, u.prop("state-size")};
    SmmuV2Driver* drv = u.iommu.empty() ? nullptr : env.host.driver<SmmuV2Driver>(u.iommu);
    return std::make_unique<GpuDriver>((g.device + "_driver").c_str(), env.ctx, env.params.sub("gpu_driver"), env.cpu,
                                       env.bus, drv, g);
}

}  // namespace

IOPF_REGISTER_DRIVER("iopf,gpu", probe_gpu);

}  // namespace iopf
