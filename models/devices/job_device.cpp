#include "models/devices/job_device.h"
#include "models/common/stats.h"

#include <algorithm>
#include <memory>

#include "models/devices/quantum.h"
#include "models/common/units.h"

namespace iopf {

uint64_t DmaJob::address(uint64_t i, uint64_t rnd) const {
    switch (pattern) {
    case Pattern::sequential: return base + i * burst;
    case Pattern::strided: return base + i * stride;
    case Pattern::random: return base + (rnd % (length / burst)) * burst;
    }
    return base;
}

std::vector<DmaJob> DmaJob::parse_all(ParamScope p) {
    std::vector<DmaJob> jobs_;
    for (const auto& jn : p.children("jobs", {"jobs run in name order, one after another", src::config})) {
        ParamScope j = p.sub("jobs").sub(jn);
        DmaJob job;
        job.name = jn;
        job.base = j.get_addr("base", 0, {"first input address of the job (IOVA/VA)", src::config});
        job.burst = j.get_size("burst", 64, {"bytes per transaction", src::config});
        if (job.burst == 0 || job.burst > 4096)
            throw ConfigError("parameter '" + j.path("burst") + "': expected 1..4096 bytes, got " + std::to_string(job.burst));
        job.length = j.get_size("length", 4096, {"size of the address range the job covers", src::config});
        std::string pat = j.get_enum("pattern", "sequential", {"sequential", "strided", "random"}, {"address pattern", src::config});
        job.pattern = pat == "sequential" ? DmaJob::Pattern::sequential
                    : pat == "strided" ? DmaJob::Pattern::strided : DmaJob::Pattern::random;
        job.stride = j.get_size("stride", job.burst, {"strided: distance between consecutive transactions", src::config});
        uint64_t def_count = job.pattern == DmaJob::Pattern::strided ? (job.stride ? job.length / job.stride : 0)
                                                                      : job.length / job.burst;
        job.count = j.get_uint("count", def_count, "transactions", {"transactions in the job (default: length / burst, or length / stride)", src::config});
        job.write = j.get_enum("op", "read", {"read", "write"}, {"transaction direction", src::config}) == "write";
        job.ssv = j.has("ssid");
        job.ssid = j.get_uint("ssid", 0, "", {"SubstreamID (PASID) for this job; absent = no SubstreamID", src::config}, 0, 0xfffff);
        job.gap_ps = j.get_time_ps("gap", 0, {"idle time between a slot's completion and its next issue", src::config});
        job.start_ps = j.get_time_ps("start", 0, {"earliest start time of the job", src::config});
        if (job.pattern == DmaJob::Pattern::random && job.length < job.burst)
            throw ConfigError("parameter '" + j.path("length") + "': a random job needs length >= burst");
        {
            // The last byte the job touches must not wrap past 2^64.
            const unsigned __int128 step = job.pattern == DmaJob::Pattern::strided ? job.stride : job.burst;
            const unsigned __int128 span = job.pattern == DmaJob::Pattern::random
                                               ? (unsigned __int128)job.length
                                               : (job.count ? (job.count - 1) * step + job.burst : 0);
            if ((unsigned __int128)job.base + span > ((unsigned __int128)1 << 64))
                throw ConfigError("parameter '" + j.prefix() + "': the job's addresses wrap past 2^64 (base " +
                                  hex(job.base) + ")");
        }
        jobs_.push_back(job);
    }

    return jobs_;
}

JobDevice::JobDevice(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    : sc_module(name), socket("socket"), ctx_(ctx) {
    sid_ = p.get_uint("sid", 0, "", {"StreamID of every transaction", src::config}, 0, 0xffffffffu);
    priv_ = p.get_bool("priv", false, {"PnU: issue privileged transactions", "assumed: device DMA is unprivileged (PnU=0) unless the platform says otherwise"});
    outstanding_ = p.get_uint("outstanding", 4, "transactions", {"transactions in flight at once", "assumed: a simple DMA engine with a few reads in flight; pcie-bench's latency test keeps one"}, 1, 1024);
    quantum_ps_ = p.get_time_ps("quantum", 100'000,
                                {"fast mode: how far a slot runs ahead of the kernel between synchronisations (quantum keeper)", "assumed: 100 ns is short against a fault's microseconds, so fast mode keeps fault latencies within a few % of accurate mode (tests/scenario/test_fast_mode.cpp)"});
    rng_state_ = ctx.seed * 0x9e3779b97f4a7c15ull ^ std::hash<std::string>{}(this->name());

    jobs_ = DmaJob::parse_all(p);

    SC_HAS_PROCESS(JobDevice);
    SC_THREAD(run);
    for (unsigned i = 0; i < outstanding_; ++i)
        sc_core::sc_spawn([this, i] { slot(i); }, sc_core::sc_gen_unique_name("slot"));

    std::string me = this->name();
    ctx.traces.add(me + ".outstanding", outstanding_now_);
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json d = {{"issued", issued_}, {"completed_ok", ok_}, {"completed_error", err_},
                            {"bytes", bytes_}, {"sid", sid_}, {"finished", finished_},
                            {"latency_ns", {{"mean", (ok_ + err_) ? latency_sum_ps_ / 1000.0 / (ok_ + err_) : 0.0},
                                            {"max", latency_max_ps_ / 1000.0}}}};
        for (const auto& j : jobs_)
            d["jobs"][j.name] = {{"issued", j.issued}, {"completed_ok", j.ok}, {"completed_error", j.error},
                                 {"latency_ns", distribution(j.latency_ns)}};
        add_stats(d);
        root["devices"][me] = d;
    });
}

uint64_t JobDevice::next_random() {
    // splitmix64: deterministic for a given seed and device name.
    uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void JobDevice::run() {
    if (!enabled_at_start_ && !bus_master_enable.read()) wait(bus_master_enable.posedge_event());
    for (job_ = 0; job_ < jobs_.size(); ++job_) {
        auto& job = jobs_[job_];
        if (now_ps() < job.start_ps) wait(ps(job.start_ps - now_ps()));
        next_index_ = 0;
        job_start_.notify(sc_core::SC_ZERO_TIME);
        wait(sc_core::SC_ZERO_TIME);
        while (next_index_ < job.count || slots_busy_ > 0) wait(slot_idle_);
        job_done(job);
    }
    job_ = jobs_.size();
    finished_ = true;
    job_start_.notify(sc_core::SC_ZERO_TIME);  // lets the slots exit
}

void JobDevice::slot(unsigned) {
    uint64_t max_burst = 1;   // the data buffer is sized to the largest burst, not 4 KiB
    for (const auto& j : jobs_) max_burst = std::max(max_burst, j.burst);
    AccessSlot& slot = slot_pool_.add(name(), unsigned(max_burst));
    IopfExt* ext = &slot.ext();
    const bool decoupled = ctx_.mode == TimingMode::fast && decouples();
    DeviceQuantumKeeper qk(quantum_ps_);
    for (;;) {
        wait(job_start_);
        if (job_ >= jobs_.size()) break;
        auto& job = jobs_[job_];
        qk.reset();
        while (next_index_ < job.count) {
            uint64_t index = next_index_++;
            uint64_t rnd = job.pattern == DmaJob::Pattern::random ? next_random() : 0;
            uint64_t addr = job.address(index, rnd);
            ++slots_busy_;
            ++outstanding_now_;
            tlm::tlm_generic_payload& gp = slot.prepare(addr, job.write, unsigned(job.burst), sid_, job.ssid, job.ssv, priv_);
            ++issued_;
            ++job.issued;

            bool ok;
            if (decoupled) {
                sc_core::sc_time delay = qk.get_local_time();
                ext->t_issue_ps = qk.now_ps();
                socket->b_transport(gp, delay);
                qk.set(delay);
                if (qk.need_sync()) qk.sync();
                ok = gp.is_response_ok();
            } else {
                ok = access(gp, *ext, job);
            }
            const uint64_t t_done = decoupled ? qk.now_ps() : now_ps();

            uint64_t lat = t_done - ext->t_issue_ps;
            latency_sum_ps_ += lat;
            latency_max_ps_ = std::max(latency_max_ps_, lat);
            job.latency_ns.push_back(lat / 1000.0);
            if (ok) { ++ok_; ++job.ok; bytes_ += job.burst; }
            else { ++err_; ++job.error; }
            if (const uint64_t fid = probe_fault_id(gp)) ctx_.faults.close(fid, t_done);
            --outstanding_now_;
            if (job.gap_ps) {
                if (decoupled) qk.inc(ps(job.gap_ps));
                else wait(ps(job.gap_ps));
            }
            if (decoupled && next_index_ >= job.count) qk.sync();   // the job ends in kernel time
            --slots_busy_;
            slot_idle_.notify(sc_core::SC_ZERO_TIME);
        }
    }
}

}  // namespace iopf
