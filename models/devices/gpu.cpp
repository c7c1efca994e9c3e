#include "models/devices/gpu.h"
#include "platforms/registry.h"

#include <algorithm>

#include "models/devices/quantum.h"
#include <cstring>

#include "models/devices/dma_engine.h"   // pattern_byte

namespace iopf {

uint64_t GpuJob::address(uint64_t i) const {
    if (is_bad(i)) return bad_base + ((i / bad_every) * burst) % bad_length;
    return base + (i * burst) % length;
}

Gpu::Gpu(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    : sc_module(name), socket("socket"), mmio("mmio"), ctx_(ctx),
      clk_(p.get_double("clock_mhz", 800.0, "MHz", {"GPU clock; *_cycles parameters count this clock", "assumed: Adreno 6xx/7xx-class GPUs clock at roughly 600-900 MHz"}, 1.0)) {
    sid_ = p.get_uint("sid", 0, "", {"StreamID of every transaction", src::config}, 0, 0xffffffffu);
    priv_ = p.get_bool("priv", false, {"PnU: issue privileged transactions", "assumed: GPU DMA is unprivileged (PnU=0) unless the platform says otherwise"});
    wavefronts_ = p.get_uint("wavefronts", 16, "wavefronts", {"concurrent wavefronts/engines, one transaction in flight each", "assumed: enough concurrent engines to fill the SMMU's translation slots; a workload choice"}, 1, 4096);
    issue_cycles_ = p.get_uint("issue_cycles", 4, "cycles", {"a wavefront's gap between a completion and its next issue", "assumed: a few shader cycles between a completion and the next request"});
    quantum_ps_ = p.get_time_ps("quantum", 100'000,
                                {"fast mode: how far a wavefront runs ahead of the kernel between synchronisations (quantum keeper)", "assumed: 100 ns is short against a fault's microseconds, so fast mode keeps fault latencies within a few % of accurate mode (tests/scenario/test_fast_mode.cpp)"});
    mmio_base_ = p.get_addr("mmio_base", 0x0b000000ull, {"physical base of the GPU register block and state aperture", src::config});
    mmio_latency_ps_ = p.get_cost("mmio_latency", 200'000, {"latency of one register or state-aperture access", "assumed: an uncached device register access costs a few hundred ns round trip on Arm SoCs"});
    state_size_ = p.get_size("state_size", 1ull << 20, {"size of the GPU state aperture a devcoredump reads", "assumed: order of an Adreno devcoredump's register/ringbuffer snapshot (hundreds of KiB to a few MiB)"});
    state_bytes_per_ns_ = p.get_double("state_bandwidth", 4.0, "bytes/ns", {"state-aperture read bandwidth", "assumed: uncached reads of the state aperture, ~4 GB/s"}, 0.001);
    ParamScope hc = p.sub("hangcheck");
    hangcheck_period_ps_ = hc.get_time_ps("period", 100'000'000,
                                          {"hang check interval: a hang is declared after a whole interval without a completion", "assumed: shorter than msm's DRM_MSM_HANGCHECK_DEFAULT_PERIOD (500 ms, drivers/gpu/drm/msm/msm_gpu.h) so short runs reach it"});
    hangcheck_enabled_ = hc.get_bool("enable", true, {"hang check enabled at reset (HANGCHECK register bit 0)", "assumed: msm arms the hang check on every submit (msm_gpu.c hangcheck_timer_reset)"});
    if (hangcheck_period_ps_ == 0)   // a zero interval would re-arm the timer forever at one instant
        throw ConfigError("parameter '" + hc.path("period") +
                          "': expected a positive time (use hangcheck.enable=false to turn the check off)");

    for (const auto& jn : p.children("jobs", {"jobs (submits) run in name order, one after another", src::config})) {
        ParamScope j = p.sub("jobs").sub(jn);
        GpuJob job;
        job.name = jn;
        job.base = j.get_addr("base", 0, {"first GPU virtual address of the job's buffer", src::config});
        job.burst = j.get_size("burst", 64, {"bytes per transaction", src::config});
        if (job.burst == 0 || job.burst > 4096)
            throw ConfigError("parameter '" + j.path("burst") + "': expected 1..4096 bytes, got " + std::to_string(job.burst));
        job.length = j.get_size("length", 65536, {"size of the buffer the job sweeps (wraps around)", src::config});
        if (job.length < job.burst)
            throw ConfigError("parameter '" + j.path("length") + "': must be at least one burst");
        job.count = j.get_uint("count", job.length / job.burst, "transactions",
                               {"transactions in the job (default: length / burst)", src::config});
        const std::string op = j.get_enum("op", "read", {"read", "write", "mixed"},
                                          {"transaction direction (mixed: odd-numbered transactions write)", src::config});
        job.op = op == "read" ? GpuJob::Op::read : op == "write" ? GpuJob::Op::write : GpuJob::Op::mixed;
        ParamScope bad = j.sub("bad");
        job.bad_every = bad.get_uint("every", 0, "transactions",
                                     {"every N-th transaction touches the bad region instead (0 = never)", src::config});
        job.bad_base = bad.get_addr("base", 0, {"first address of the bad (unmapped) region", src::config});
        job.bad_length = bad.get_size("length", 4096, {"size of the bad region the bad transactions sweep", src::config});
        if (job.bad_every && job.bad_length < job.burst)
            throw ConfigError("parameter '" + bad.path("length") + "': must be at least one burst");
        job.start_ps = j.get_time_ps("start", 0, {"earliest start time of the job", src::config});
        jobs_.push_back(job);
    }

    mmio.register_b_transport(this, &Gpu::mmio_b_transport);
    SC_HAS_PROCESS(Gpu);
    SC_THREAD(run);
    SC_THREAD(hangcheck);
    for (unsigned i = 0; i < wavefronts_; ++i)
        sc_core::sc_spawn([this, i] { wavefront(i); }, sc_core::sc_gen_unique_name("wavefront"));

    const std::string me = this->name();
    ctx.traces.add(me + ".outstanding", outstanding_now_);
    ctx.traces.add(me + ".job", current_job_);
    ctx.traces.add(me + ".hangs", hangs_);
    ctx.stats.add([this, me](nlohmann::json& root) {
        const uint64_t done = ok_ + err_;
        nlohmann::json d = {{"issued", issued_}, {"completed_ok", ok_}, {"completed_error", err_}, {"bytes", bytes_},
                            {"sid", sid_}, {"finished", finished_}, {"jobs", retired_}, {"hangs", hangs_},
                            {"hang_times_ns", hang_times_ns_}, {"wavefronts", wavefronts_},
                            {"max_outstanding", max_outstanding_},
                            {"latency_ns", {{"mean", done ? latency_sum_ps_ / 1000.0 / done : 0.0},
                                            {"max", latency_max_ps_ / 1000.0}}}};
        nlohmann::json per = nlohmann::json::object();
        for (const auto& j : jobs_) {
            const char* result = !j.done ? "incomplete" : j.hangs ? "hung" : j.error ? "faulted" : "ok";
            per[j.name] = {{"issued", j.issued}, {"completed_ok", j.ok}, {"completed_error", j.error},
                           {"bad_issued", j.bad_issued}, {"hangs", j.hangs}, {"start_ns", j.t_start_ps / 1000.0},
                           {"end_ns", j.t_end_ps / 1000.0}, {"duration_ns", (j.t_end_ps - j.t_start_ps) / 1000.0},
                           {"result", result}};
        }
        d["per_job"] = per;
        root["devices"][me] = d;
    });
}

void Gpu::run() {
    if (!enabled_at_start_ && !bus_master_enable.read()) wait(bus_master_enable.posedge_event());
    for (job_ = 0; job_ < jobs_.size(); ++job_) {
        GpuJob& job = jobs_[job_];
        if (now_ps() < job.start_ps) wait(ps(job.start_ps - now_ps()));
        job.t_start_ps = now_ps();
        current_job_ = job_ + 1;
        next_index_ = 0;
        busy_ = true;
        hung_ = false;
        busy_ev_.notify(sc_core::SC_ZERO_TIME);
        job_start_.notify(sc_core::SC_ZERO_TIME);
        wait(sc_core::SC_ZERO_TIME);
        while (next_index_ < job.count || busy_wavefronts_ > 0) wait(wavefront_idle_);
        job.t_end_ps = now_ps();
        job.done = true;
        ++retired_;
        busy_ = false;
        current_job_ = 0;
        idle_ev_.notify(sc_core::SC_ZERO_TIME);
    }
    job_ = jobs_.size();
    finished_ = true;
    job_start_.notify(sc_core::SC_ZERO_TIME);   // lets the wavefronts exit
}

void Gpu::wavefront(unsigned) {
    uint64_t max_burst = 1;   // the data buffer is sized to the largest burst, not 4 KiB
    for (const auto& j : jobs_) max_burst = std::max(max_burst, j.burst);
    AccessSlot& slot = slot_pool_.add(name(), unsigned(max_burst));
    IopfExt* ext = &slot.ext();
    const bool decoupled = ctx_.mode == TimingMode::fast;
    DeviceQuantumKeeper qk(quantum_ps_);
    for (;;) {
        wait(job_start_);
        if (job_ >= jobs_.size()) break;
        GpuJob& job = jobs_[job_];
        qk.reset();
        while (next_index_ < job.count) {
            const uint64_t index = next_index_++;
            const uint64_t addr = job.address(index);
            const bool write = job.is_write(index);
            ++busy_wavefronts_;
            ++outstanding_now_;
            max_outstanding_ = std::max(max_outstanding_, outstanding_now_);
            tlm::tlm_generic_payload& gp = slot.prepare(addr, write, unsigned(job.burst), sid_, 0, false, priv_);
            ++issued_;
            ++job.issued;
            if (job.is_bad(index)) ++job.bad_issued;

            if (decoupled) {   // fast mode: models/devices/quantum.h
                sc_core::sc_time delay = qk.get_local_time();
                ext->t_issue_ps = qk.now_ps();
                socket->b_transport(gp, delay);
                qk.set(delay);
                if (qk.need_sync()) qk.sync();
            } else {
                sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
                socket->b_transport(gp, delay);
                wait(delay);
            }
            const uint64_t t_done = decoupled ? qk.now_ps() : now_ps();

            const uint64_t lat = t_done - ext->t_issue_ps;
            latency_sum_ps_ += lat;
            latency_max_ps_ = std::max(latency_max_ps_, lat);
            if (gp.is_response_ok()) { ++ok_; ++job.ok; bytes_ += job.burst; }
            else { ++err_; ++job.error; }
            ++progress_;
            if (const uint64_t fid = probe_fault_id(gp)) ctx_.faults.close(fid, t_done);
            --outstanding_now_;
            if (issue_cycles_) {
                if (decoupled) qk.inc(clk_.cycles(issue_cycles_));
                else wait(clk_.cycles(issue_cycles_));
            }
            if (decoupled && next_index_ >= job.count) qk.sync();   // the job ends in kernel time
            --busy_wavefronts_;
            wavefront_idle_.notify(sc_core::SC_ZERO_TIME);
        }
    }
}

void Gpu::hangcheck() {
    for (;;) {
        while (!busy_) wait(busy_ev_);
        const uint64_t before = progress_;
        wait(ps(hangcheck_period_ps_), idle_ev_);   // an idle GPU cancels the timer
        if (!busy_) continue;
        if (!hangcheck_enabled_ || progress_ != before) {
            hung_ = false;
            continue;
        }
        if (hung_) continue;   // one hang per spell without progress
        hung_ = true;
        ++hangs_;
        if (job_ < jobs_.size()) ++jobs_[job_].hangs;
        hang_times_ns_.push_back(now_ps() / 1000.0);
        ctx_.log.warn(std::string(name()) + ": hang detected (no progress for " +
                      std::to_string(hangcheck_period_ps_ / 1000) + " ns) in job " +
                      (job_ < jobs_.size() ? jobs_[job_].name : std::string("?")));
    }
}

void Gpu::mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (addr < mmio_base_ || addr - mmio_base_ + len > mmio_size() || gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const uint64_t off = addr - mmio_base_;
    delay += ps(mmio_latency_ps_.sample());
    if (off >= STATE_BASE) {
        if (!gp.is_read()) { gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE); return; }
        unsigned char* d = gp.get_data_ptr();
        for (unsigned i = 0; i < len; ++i) d[i] = static_cast<unsigned char>((off + i) * 13 + 7);
        delay += ps(static_cast<uint64_t>(len / state_bytes_per_ns_ * 1000.0));
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return;
    }
    if (len != 4 || (off & 3)) { gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE); return; }
    uint32_t v = 0;
    if (gp.is_read()) {
        switch (off) {
        case REG_ID: v = kIdValue; break;
        case REG_STATUS: v = busy_ ? 1 : 0; break;
        case REG_JOB_ID: v = static_cast<uint32_t>(current_job_); break;
        case REG_JOBS_RETIRED: v = static_cast<uint32_t>(retired_); break;
        case REG_HANGCHECK: v = hangcheck_enabled_ ? 1 : 0; break;
        case REG_HANGS: v = static_cast<uint32_t>(hangs_); break;
        case REG_CTRL: v = bus_master_enable.read() ? gpu_reg::CTRL_EN : 0; break;
        default: break;
        }
        std::memcpy(gp.get_data_ptr(), &v, 4);
    } else {
        std::memcpy(&v, gp.get_data_ptr(), 4);
        if (off == REG_HANGCHECK) hangcheck_enabled_ = v & 1;
        if (off == REG_CTRL) bus_master_enable.write((v & gpu_reg::CTRL_EN) != 0);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

IOPF_REGISTER_MODEL("gpu", build_order::device + 20,
                    "GPU-like job engine that stalls on faults, with a register block and a state aperture for dumps",
                    [](PlatformBuilder& b, const std::string& n) {
                        auto g = std::make_unique<Gpu>(n.c_str(), b.ctx, b.params(n));
                        const std::string smmu =
                            b.params(n).get_string("smmu", "", {"SMMU the GPU sits behind (\"\" = none)", src::config});
                        b.bind_dma(g->socket, n, "smmu", smmu);
                        if (smmu.empty()) g->enable_at_start();
                        b.map(g->mmio, g->mmio_base(), g->mmio_size(), n + ".mmio");
                        FirmwareDevice fd;
                        fd.device = n;
                        fd.smmu = smmu;
                        fd.sid = g->sid();
                        fd.ctrl_addr = g->mmio_base() + gpu_reg::CTRL;
                        b.firmware().devices.push_back(fd);
                        FirmwareUnit u;
                        u.name = n;
                        u.compatible = "iopf,gpu";
                        u.mmio_base = g->mmio_base();
                        u.mmio_size = g->mmio_size();
                        u.props["state-size"] = g->state_size();
                        u.iommu = smmu;
                        b.firmware().units.push_back(u);
                        b.add_device(n, *g);
                        return g;
                    });

}  // namespace iopf
