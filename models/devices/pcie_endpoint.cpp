#include "models/devices/pcie_endpoint.h"
#include "models/common/probe.h"
#include "models/devices/root_complex.h"
#include "platforms/registry.h"

#include <algorithm>
#include <cstring>

namespace iopf {

namespace {

constexpr uint64_t kPage = 4096;

// ATC tag: the PASID split over the TLB's VMID/ASID tag fields; no PASID uses its own VMID.
uint16_t atc_vmid(const IopfExt& e) { return e.ssv ? uint16_t(e.ssid >> 16) : uint16_t(0x100); }
uint16_t atc_asid(const IopfExt& e) { return e.ssv ? uint16_t(e.ssid & 0xffff) : 0; }

}  // namespace

PcieEndpoint::PcieEndpoint(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    : JobDevice(name, ctx, p), msg_in("msg_in"), config("config") {
    ecam_base_ = p.get_addr("ecam_base", 0x40000000ull, {"physical address of the function's 4 KiB config space", src::config});
    ParamScope a = p.sub("atc");
    const unsigned atc_entries = a.get_uint("entries", 64, "entries", {"ATC entries", "assumed: a small device ATC (tens of entries), not a measurement of a part"}, 1, 1 << 20);
    const unsigned atc_ways = a.get_uint("ways", 4, "ways", {"ATC associativity (entries must be a multiple)", "assumed: 4-way, as the SMMU's own TLB"}, 1, 1 << 20);
    if (atc_entries % atc_ways)
        throw ConfigError("parameter '" + a.path("ways") + "': entries (" + std::to_string(atc_entries) +
                          ") must be a multiple of ways (" + std::to_string(atc_ways) + ")");
    atc_ = std::make_unique<smmu::Tlb>(
        atc_entries, atc_ways,
        smmu::parse_replacement(a.get_enum("replacement", "lru", {"lru", "fifo", "random"}, {"ATC replacement policy", "assumed: LRU, the usual textbook choice"})),
        ctx.seed);
    ParamScope r = p.sub("pri");
    pri_capacity_ = r.get_uint("capacity", 256, "requests", {"PRI Outstanding Page Request Capacity (0 = no PRI)", "PCIe Base spec PRI Outstanding Page Request Capacity register; 256 assumed for the device (Linux grants 16 of them, drivers/pci/ats.c callers)"}, 0, 1u << 31);
    prg_pages_ = r.get_uint("prg_pages", 1, "pages", {"pages requested per Page Request Group (the faulting page and those after it)", "assumed: one page per request group, as a simple endpoint asks only for the faulting page"}, 1, 512);
    max_pri_retries_ = r.get_uint("max_retries", 4, "rounds", {"PRI rounds for one access before the function gives up", "assumed: a device gives up after a few PRI rounds (implementation defined by PCIe)"}, 1, 1000);
    stop_markers_ = r.get_bool("stop_marker_at_job_end", false, {"send a Stop Marker for the job's PASID when it ends", "assumed: off, so only platforms that show Stop Markers send them"});
    for (const auto& jn : p.children("jobs", {"jobs run in name order, one after another", src::config}))
        restart_pasid_[jn] = p.sub("jobs").sub(jn).get_bool(
            "restart_pasid", false,
            {"software re-enables the job's PASID on the function before the job (needed to use a PASID again after its Stop Marker)",
             "assumed: off; PCIe PRI: after a Stop Marker no page request for that PASID may follow until software re-enables it"});
    prgi_busy_.assign(512, false);
    msg_in.register_b_transport(this, &PcieEndpoint::msg_b_transport);
    config.register_b_transport(this, &PcieEndpoint::config_b_transport);
    SC_HAS_PROCESS(PcieEndpoint);
    SC_THREAD(completion_thread);
    const std::string me = this->name();
    ctx.traces.add(me + ".pri_credits_in_use", credits_used_);
    ctx.traces.add(me + ".atc_hits", atc_hits_trace_);
    ctx.traces.add(me + ".atc_misses", atc_misses_trace_);
}

void PcieEndpoint::send_message(PcieMsg kind, void* body, uint32_t ssid, bool ssv, uint64_t fault_id) {
    PayloadPool::Lease lease(PayloadPool::shared(), tlm::TLM_IGNORE_COMMAND, 0, nullptr, 0);   // not on this stack: see PayloadPool
    tlm::tlm_generic_payload& gp = *lease;
    FaultProbeExt probe;   // the fault this message serves: instrumentation, not in the body
    probe.fault_id = fault_id;
    gp.set_extension(&probe);
    IopfExt ext;
    ext.sid = sid_;
    ext.ssid = ssid;
    ext.ssv = ssv;
    ext.msg = kind;
    ext.device = name();
    gp.set_extension(&ext);
    gp.set_command(tlm::TLM_IGNORE_COMMAND);
    gp.set_data_ptr(static_cast<unsigned char*>(body));
    gp.set_data_length(0);
    gp.set_streaming_width(0);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    gp.clear_extension(&ext);
    gp.clear_extension(&probe);
    wait(delay);
}

AtsCompletion PcieEndpoint::ats_request(const IopfExt& ext, uint64_t page, bool write) {
    ++c_.ats_requests;
    AtsCompletion comp;
    comp.no_write = !write;
    PayloadPool::Lease lease(PayloadPool::shared(), tlm::TLM_IGNORE_COMMAND, 0, nullptr, 0);   // not on this stack: see PayloadPool
    tlm::tlm_generic_payload& gp = *lease;
    IopfExt req = ext;
    req.ats = AtsKind::translation_request;
    gp.set_extension(&req);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(page);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&comp));
    gp.set_data_length(sizeof comp);
    gp.set_streaming_width(sizeof comp);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    gp.clear_extension(&req);
    wait(delay);
    if (!gp.is_response_ok()) { comp.success = false; comp.unsupported = true; }
    if (comp.unsupported) ++c_.ats_ur;
    else if (!comp.success) ++c_.ats_negative;
    return comp;
}

bool PcieEndpoint::access(tlm::tlm_generic_payload& gp, IopfExt& ext, const DmaJob& job) {
    const uint64_t va = gp.get_address();
    const bool write = gp.is_write();
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    if (!ats_enabled_) {
        // ATS disabled: ordinary untranslated DMA, translated by the SMMU.
        ++c_.untranslated;
        ext.ats = AtsKind::untranslated;
        socket->b_transport(gp, delay);
        wait(delay);
        return gp.is_response_ok();
    }
    uint64_t fault_id = 0;
    unsigned rounds = 0;
    for (;;) {
        const smmu::TlbEntry* e = atc_->lookup(atc_vmid(ext), atc_asid(ext), va);
        if (e && (!write || !(e->attrs.ap & 0b10))) {
            ++c_.atc_hits;
            ++atc_hits_trace_;
            ++c_.translated;
            ext.ats = AtsKind::translated;
            gp.set_address(e->pa_base + (va - e->va_base));
            socket->b_transport(gp, delay);
            wait(delay);
            gp.set_address(va);
            ext.ats = AtsKind::untranslated;
            probe_tag_fault(gp, fault_id);
            return gp.is_response_ok();
        }
        ++c_.atc_misses;
        ++atc_misses_trace_;
        const AtsCompletion comp = ats_request(ext, va & ~(kPage - 1), write);
        FaultRecord* rec = fault_id ? ctx_.faults.find(fault_id) : nullptr;
        if (comp.success && (!write || comp.write)) {
            smmu::TlbEntry te;
            te.vmid = atc_vmid(ext);
            te.asid = atc_asid(ext);
            te.size_log2 = comp.size_log2;
            te.va_base = va & ~((1ull << comp.size_log2) - 1);
            te.pa_base = comp.pa & ~((1ull << comp.size_log2) - 1);
            te.attrs.ap = comp.write ? 0b01 : 0b11;
            te.attrs.ng = !comp.global;
            atc_->insert(te);
            if (rec && !rec->t_ats_retry_ps) rec->t_ats_retry_ps = now_ps();
            continue;   // the access goes out translated
        }
        // Negative completion: this access faults; PRI may fix it.
        if (!fault_id) {
            FaultRecord fr;
            fr.device = name();
            fr.smmu = "";
            fr.sid = sid_;
            fr.ssid = ext.ssid;
            fr.ssv = ext.ssv;
            fr.address = va;
            fr.write = write;
            fr.priv = ext.pnu;
            fr.event = "ATS_NEGATIVE";
            fr.t_issue_ps = ext.t_issue_ps;
            fr.t_ats_negative_ps = now_ps();
            fault_id = ctx_.faults.open(std::move(fr));
            ctx_.faults.mark(fault_id, Stage::detect, now_ps());
            rec = ctx_.faults.find(fault_id);
        }
        probe_tag_fault(gp, fault_id);
        if (ext.ssv && stopped_pasids_.count(ext.ssid)) {
            // The function sent a Stop Marker for this PASID: no page request for it until
            // software re-enables it (the job's restart_pasid).
            auto rp = restart_pasid_.find(job.name);
            if (rp != restart_pasid_.end() && rp->second) {
                stopped_pasids_.erase(ext.ssid);
                ++pasid_restarts_;
            } else {
                ++blocked_stopped_;
                if (rec && rec->resolution == Resolution::pending) rec->resolution = Resolution::invalid;
                return false;
            }
        }
        if (comp.unsupported || !pri_enabled_ || (pri_status_ & pcie_cfg::PRI_RF) || pri_allocation_ == 0 ||
            rounds >= max_pri_retries_) {
            ++c_.pri_blocked;
            if (rec && rec->resolution == Resolution::pending)
                rec->resolution = (pri_status_ & pcie_cfg::PRI_RF) ? Resolution::failure : Resolution::invalid;
            return false;
        }
        ++rounds;
        const PrgResponseCode code = page_request_group(ext, va, job, write, fault_id);
        rec = ctx_.faults.find(fault_id);
        if (rec) rec->t_prg_response_ps = now_ps();
        ctx_.faults.mark(fault_id, Stage::respond, now_ps());
        if (rec && rec->resolution == Resolution::pending)
            rec->resolution = code == PrgResponseCode::success ? Resolution::success
                            : code == PrgResponseCode::invalid_request ? Resolution::invalid : Resolution::failure;
        if (code != PrgResponseCode::success) return false;
    }
}

PrgResponseCode PcieEndpoint::page_request_group(const IopfExt& ext, uint64_t addr, const DmaJob& job, bool write,
                                                 uint64_t fault_id) {
    // The group: the faulting page, then following pages of the job's range.
    std::vector<uint64_t> pages{addr & ~(kPage - 1)};
    const uint64_t job_end = job.base + job.length;
    while (pages.size() < prg_pages_ && pages.back() + kPage < job_end) pages.push_back(pages.back() + kPage);
    const uint64_t n = std::min<uint64_t>(pages.size(), std::max<uint32_t>(pri_allocation_, 1));
    pages.resize(n);
    // Stay within the outstanding page request allocation: requests queue inside the function.
    while (credits_used_ + n > pri_allocation_ && !(pri_status_ & pcie_cfg::PRI_RF)) wait(credit_ev_);
    if (pri_status_ & pcie_cfg::PRI_RF) return PrgResponseCode::response_failure;
    uint16_t prgi = 0;
    for (;;) {
        auto it = std::find(prgi_busy_.begin(), prgi_busy_.end(), false);
        if (it != prgi_busy_.end()) { prgi = uint16_t(it - prgi_busy_.begin()); break; }
        wait(prgi_ev_);
    }
    prgi_busy_[prgi] = true;
    credits_used_ += n;
    credits_max_ = std::max(credits_max_, credits_used_);
    auto& pend = pending_[prgi];
    pend = std::make_unique<Pending>();
    pend->pasid = ext.ssid;
    ++c_.prgs;
    if (FaultRecord* rec = ctx_.faults.find(fault_id)) rec->t_page_request_ps = now_ps();
    for (uint64_t i = 0; i < n; ++i) {
        PageRequest pr;
        pr.pasid = ext.ssid;
        pr.pasid_valid = ext.ssv;
        pr.prgi = prgi;
        pr.last = i + 1 == n;
        pr.read = true;
        pr.write = write;
        pr.priv = ext.pnu;
        pr.addr = pages[i];
        ++c_.page_requests;
        if (pri_status_ & pcie_cfg::PRI_RF) ++requests_after_rf_;
        if (ext.ssv && stopped_pasids_.count(ext.ssid)) ++requests_after_stop_;
        send_message(PcieMsg::page_request, &pr, ext.ssid, ext.ssv, i == 0 ? fault_id : 0);
    }
    Pending& pd = *pending_[prgi];
    while (!pd.done) wait(pd.ev);
    const PrgResponseCode code = pd.code;
    pending_.erase(prgi);
    prgi_busy_[prgi] = false;
    credits_used_ -= n;
    credit_ev_.notify(sc_core::SC_ZERO_TIME);
    prgi_ev_.notify(sc_core::SC_ZERO_TIME);
    switch (code) {
    case PrgResponseCode::success: ++c_.prg_success; break;
    case PrgResponseCode::invalid_request: ++c_.prg_invalid; break;
    case PrgResponseCode::response_failure: ++c_.prg_failure; break;
    }
    return code;
}

void PcieEndpoint::job_done(const DmaJob& job) {
    // The driver stopped the job's PASID: after its requests, the function sends a Stop
    // Marker (Last with no R/W). It needs no response.
    if (!stop_markers_ || !job.ssv || !pri_enabled_ || (pri_status_ & pcie_cfg::PRI_RF)) return;
    PageRequest sm;
    sm.pasid = job.ssid;
    sm.pasid_valid = true;
    sm.last = true;
    ++c_.stop_markers;
    send_message(PcieMsg::page_request, &sm, job.ssid, true);
    stopped_pasids_.insert(job.ssid);   // until software re-enables it
}

void PcieEndpoint::msg_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    wait(delay);   // act when the message arrives
    delay = sc_core::SC_ZERO_TIME;
    const IopfExt* ext = gp.get_extension<IopfExt>();
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (!ext) { gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE); return; }
    if (ext->msg == PcieMsg::prg_response) {
        const auto& r = *reinterpret_cast<const PrgResponse*>(gp.get_data_ptr());
        auto it = pending_.find(r.prgi);
        if (it == pending_.end() || it->second->done) {
            ++c_.uprgi;
            pri_status_ |= pcie_cfg::PRI_UPRGI;   // Unexpected PRG Index
            return;
        }
        if (r.code == PrgResponseCode::response_failure) {
            // Catastrophic: stop issuing page requests until software resets PRI.
            pri_status_ |= pcie_cfg::PRI_RF;
            credit_ev_.notify(sc_core::SC_ZERO_TIME);
        }
        it->second->code = r.code;
        it->second->done = true;
        it->second->ev.notify(sc_core::SC_ZERO_TIME);
    } else if (ext->msg == PcieMsg::atc_invalidate) {
        const auto& inv = *reinterpret_cast<const AtcInvalidate*>(gp.get_data_ptr());
        ++c_.atc_invalidations;
        const unsigned before = atc_->valid_count();
        IopfExt key;
        key.ssv = inv.pasid_valid;
        key.ssid = inv.pasid;
        const uint64_t pages = inv.size >= 20 ? (1ull << 20) : (1ull << inv.size);
        if (pages > 64) {
            if (inv.pasid_valid) atc_->invalidate_asid(atc_vmid(key), atc_asid(key));
            else atc_->invalidate_all();
        } else {
            for (uint64_t i = 0; i < pages; ++i) {
                const uint64_t va = inv.addr + i * kPage;
                if (inv.global) atc_->invalidate_va_all_asids(atc_vmid(key), va);
                else atc_->invalidate_va(atc_vmid(key), atc_asid(key), va);
            }
        }
        c_.atc_entries_invalidated += before - atc_->valid_count();
        completions_.push_back(inv);
        completion_ev_.notify(sc_core::SC_ZERO_TIME);
    } else {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    }
}

void PcieEndpoint::completion_thread() {
    for (;;) {
        while (completions_.empty()) wait(completion_ev_);
        AtcInvalidate inv = completions_.front();
        completions_.pop_front();
        send_message(PcieMsg::atc_inv_completion, &inv, inv.pasid, inv.pasid_valid);
    }
}

void PcieEndpoint::config_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const uint64_t a = gp.get_address();
    if (a < ecam_base_ || a - ecam_base_ >= pcie_cfg::kSize || gp.get_data_length() != 4 || (a & 3)) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const uint32_t off = uint32_t(a - ecam_base_);
    uint32_t v = 0;
    if (gp.is_read()) {
        switch (off) {
        case pcie_cfg::ID: v = 0x000013b5u | (0x1000u << 16); break;
        case pcie_cfg::COMMAND: v = bus_master_enable.read() ? pcie_cfg::CMD_BME : 0; break;
        case pcie_cfg::ATS_CTRL: v = ats_enabled_ ? pcie_cfg::ATS_ENABLE : 0; break;
        case pcie_cfg::PRI_CTRL: v = pri_enabled_ ? pcie_cfg::PRI_ENABLE : 0; break;
        case pcie_cfg::PRI_STATUS: v = pri_status_ | (pri_enabled_ ? 0 : pcie_cfg::PRI_STOPPED); break;
        case pcie_cfg::PRI_CAPACITY: v = pri_capacity_; break;
        case pcie_cfg::PRI_ALLOCATION: v = pri_allocation_; break;
        case pcie_cfg::PASID_CTRL: v = pasid_enabled_ ? 1 : 0; break;
        default: v = 0; break;
        }
        std::memcpy(gp.get_data_ptr(), &v, 4);
    } else {
        std::memcpy(&v, gp.get_data_ptr(), 4);
        switch (off) {
        case pcie_cfg::COMMAND: bus_master_enable.write((v & pcie_cfg::CMD_BME) != 0); break;
        case pcie_cfg::ATS_CTRL:
            ats_enabled_ = v & pcie_cfg::ATS_ENABLE;
            if (!ats_enabled_) atc_->invalidate_all();
            break;
        case pcie_cfg::PRI_CTRL:
            pri_enabled_ = v & pcie_cfg::PRI_ENABLE;
            if (v & pcie_cfg::PRI_RESET) {
                pri_status_ &= ~(pcie_cfg::PRI_RF | pcie_cfg::PRI_UPRGI);
                stopped_pasids_.clear();   // a PRI reset re-enables every PASID
            }
            break;
        case pcie_cfg::PRI_STATUS: pri_status_ &= ~(v & (pcie_cfg::PRI_RF | pcie_cfg::PRI_UPRGI)); break;
        case pcie_cfg::PRI_ALLOCATION:
            pri_allocation_ = std::min(v, pri_capacity_);
            credit_ev_.notify(sc_core::SC_ZERO_TIME);
            break;
        case pcie_cfg::PASID_CTRL: pasid_enabled_ = v & 1; break;
        default: break;   // read-only or reserved
        }
    }
    delay += sc_core::sc_time(2, sc_core::SC_NS);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PcieEndpoint::add_stats(nlohmann::json& d) const {
    d["atc"] = {{"hits", c_.atc_hits}, {"misses", c_.atc_misses}, {"invalidations", c_.atc_invalidations},
                {"entries_invalidated", c_.atc_entries_invalidated}, {"evictions", atc_->evictions()}};
    d["ats"] = {{"requests", c_.ats_requests}, {"negative", c_.ats_negative}, {"unsupported", c_.ats_ur},
                {"translated_dma", c_.translated}, {"untranslated_dma", c_.untranslated}};
    d["pri"] = {{"page_requests", c_.page_requests}, {"groups", c_.prgs}, {"success", c_.prg_success},
                {"invalid_request", c_.prg_invalid}, {"response_failure", c_.prg_failure}, {"uprgi", c_.uprgi},
                {"stop_markers", c_.stop_markers}, {"page_requests_after_stop", requests_after_stop_},
                {"blocked_stopped_pasid", blocked_stopped_}, {"pasid_restarts", pasid_restarts_}, {"blocked", c_.pri_blocked},
                {"page_requests_after_rf", requests_after_rf_}, {"allocation", pri_allocation_},
                {"max_credits_in_use", credits_max_},
                {"status_rf", bool(pri_status_ & pcie_cfg::PRI_RF)}, {"status_uprgi", bool(pri_status_ & pcie_cfg::PRI_UPRGI)}};
}

IOPF_REGISTER_MODEL("pcie_endpoint", build_order::pcie_function,
                    "PCIe function with an ATC, ATS translation requests and PRI page requests, config space in ECAM",
                    [](PlatformBuilder& b, const std::string& n) {
                        auto ep = std::make_unique<PcieEndpoint>(n.c_str(), b.ctx, b.params(n));
                        const std::string rc_name =
                            b.params(n).get_string("root_complex", "", {"root complex the function sits below", src::config});
                        RootComplex* rc = b.find<RootComplex>(rc_name);
                        if (!rc)
                            throw ConfigError("parameter '" + n + ".root_complex': no root_complex component named '" +
                                              rc_name + "'");
                        ep->socket.bind(rc->from_ep);
                        rc->to_ep.bind(ep->msg_in);
                        rc->add_endpoint(ep->sid(), int(b.next_index(rc_name + ".to_ep")));
                        b.map(ep->config, ep->ecam_base(), pcie_cfg::kSize, n + ".config");
                        b.set_iommu_of(n, b.iommu_of(rc_name));
                        FirmwareDevice fd;
                        fd.device = n;
                        fd.smmu = b.iommu_of(rc_name);
                        fd.sid = ep->sid();
                        fd.pcie = true;
                        fd.ecam_base = ep->ecam_base();
                        if (fd.smmu.empty()) ep->enable_at_start();
                        b.firmware().devices.push_back(fd);
                        b.add_device(n, *ep);
                        return ep;
                    });

}  // namespace iopf
