// Vtd construction (parameters, capabilities, processes, stats, traces) and the DMA
// remapping pipeline: context lookup (root entry -> scalable-mode context entry -> PASID
// directory -> PASID table entry, with context and PASID caches), IOTLB, first-stage walk,
// and the fault policy (untranslated requests: fault recorded and the request aborted;
// ATS translation requests: a translation fault is a negative completion, a configuration
// fault is recorded and answered UR). Registers are in vtd_regs.cpp; fault recording,
// page requests and the invalidation queue in vtd_queues.cpp.
#include "models/vtd/vtd.h"

#include "models/common/probe.h"

#include <cstring>

#include "models/smmu/shell/timed_access.h"
#include "platforms/registry.h"

namespace iopf {

using namespace vtd;


Vtd::Vtd(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    : sc_module(name), upstream("upstream"), downstream("downstream"), walk_port("walk_port"), mmio("mmio"),
      pcie_msg("pcie_msg"), ctx_(ctx),
      clk_(p.get_double("clock_mhz", 1000.0, "MHz", {"remapping unit clock; every *_cycles parameter counts this clock", "assumed: 1 GHz, the SMMUv3 model's clock (Intel does not publish the remapping unit clock)"}, 1.0)),
      iotlb_(p.sub("iotlb").get_uint("entries", 128, "entries", {"IOTLB entries (first-stage leaf translations)", "assumed: Intel publishes no IOTLB size; 128 entries, the order of the SMMU model's TLB"}, 1, 1 << 20),
             p.sub("iotlb").get_uint("ways", 4, "ways", {"IOTLB associativity (entries must be a multiple)", "assumed: 4-way, as the SMMU model's TLB"}, 1, 1 << 20),
             smmu::parse_replacement(p.sub("iotlb").get_enum("replacement", "lru", {"lru", "fifo", "random"},
                                                             {"IOTLB replacement policy", "assumed: LRU, the usual textbook choice"})),
             ctx.seed),
      ctx_cache_(p.sub("context_cache").get_uint("entries", 64, "entries", {"context-cache entries (0 = no caching)", "assumed: a small cache of tens of entries, one per recently used device"})),
      pasid_cache_(p.sub("pasid_cache").get_uint("entries", 64, "entries", {"PASID-cache entries (0 = no caching)", "assumed: a small cache of tens of entries, one per recently used PASID"})),
      shell_({ctx, this->name(), clk_, iotlb_, walk_slots_, walk_port,
              {&c_.tlb_hits, &c_.tlb_misses, &c_.tlb_miss_coalesced, &c_.walks, &c_.walk_reads, &c_.aborted, &c_.raz_wi,
               nullptr, nullptr, nullptr, &c_.ad_writes},
              walks_active_, faults_in_flight_, tlb_cycles_}) {
    mmio_base_ = p.get_addr("mmio_base", 0x0a000000ull, {"physical base of the 4 KiB register page (the DRHD register base address)", src::config});
    ParamScope f = p.sub("features");
    caps_.nfr = unsigned(f.get_uint("nfr", 8, "registers", {"CAP_REG.NFR+1: fault recording registers", "Intel VT-d Architecture Specification (rev 4.1) 11.4.2 CAP_REG.NFR; assumed: 8 records, a small part"}, 1, 256));
    caps_.fl1gp = f.get_bool("fl1gp", true, {"CAP_REG.FL1GP: first-stage 1 GiB pages", "Intel VT-d Architecture Specification (rev 4.1) 11.4.2/11.4.3 CAP_REG/ECAP_REG field; assumed: reported, as a scalable-mode part with PRS (Sapphire Rapids class)"});
    caps_.fl5lp = f.get_bool("fl5lp", true, {"CAP_REG.FL5LP: first-stage 5-level paging", "Intel VT-d Architecture Specification (rev 4.1) 11.4.2/11.4.3 CAP_REG/ECAP_REG field; assumed: reported, as a scalable-mode part with PRS (Sapphire Rapids class)"});
    caps_.dt = f.get_bool("dt", true, {"ECAP_REG.DT: device-TLB (ATS) support", "Intel VT-d Architecture Specification (rev 4.1) 11.4.2/11.4.3 CAP_REG/ECAP_REG field; assumed: reported, as a scalable-mode part with PRS (Sapphire Rapids class)"});
    caps_.prs = f.get_bool("prs", true, {"ECAP_REG.PRS: page request support", "Intel VT-d Architecture Specification (rev 4.1) 11.4.2/11.4.3 CAP_REG/ECAP_REG field; assumed: reported, as a scalable-mode part with PRS (Sapphire Rapids class)"}) && caps_.dt;
    caps_.srs = f.get_bool("srs", true, {"ECAP_REG.SRS: supervisor requests", "Intel VT-d Architecture Specification (rev 4.1) 11.4.2/11.4.3 CAP_REG/ECAP_REG field; assumed: reported, as a scalable-mode part with PRS (Sapphire Rapids class)"});
    caps_.ers = f.get_bool("ers", false, {"ECAP_REG.ERS: execute requests", "Intel VT-d Architecture Specification (rev 4.1) 11.4.3 ECAP_REG.ERS; assumed: not reported (Linux intel/svm.c does not use execute requests)"});
    haw_bits_ = unsigned(f.get_uint("haw_bits", 48, "bits", {"host address width (CAP_REG.MGAW+1); entry address bits above are reserved", "assumed: 48 bits, a 4-level x86-64 host; the spec allows up to 52 (CAP_REG.MGAW)"}, 39, 52));
    caps_.mgaw = haw_bits_ - 1;
    frcd_.assign(caps_.nfr, {0, 0});

    ParamScope t = p.sub("timing");
    ifc_cycles_ = t.get_uint("ifc_cycles", 8, "cycles", {"device interface to the remapping unit, each way", "assumed: Intel publishes no VT-d pipeline timing; the SMMUv3 model's gem5-derived figure, so the two IOMMUs compare on their architecture, not on guesses"});
    tlb_cycles_ = p.sub("iotlb").get_uint("lookup_cycles", 3, "cycles", {"IOTLB lookup", "assumed: Intel publishes no VT-d pipeline timing; the SMMUv3 model's gem5-derived figure, so the two IOMMUs compare on their architecture, not on guesses"});
    cfg_cycles_ = t.get_uint("cache_lookup_cycles", 4, "cycles", {"context-cache or PASID-cache lookup", "assumed: Intel publishes no VT-d pipeline timing; the SMMUv3 model's gem5-derived figure, so the two IOMMUs compare on their architecture, not on guesses"});
    inv_cycles_ = t.get_uint("inv_cycles", 10, "cycles", {"executing one invalidation descriptor (after its fetch)", "assumed: Intel publishes no VT-d pipeline timing; the SMMUv3 model's gem5-derived figure, so the two IOMMUs compare on their architecture, not on guesses"});
    frcd_cycles_ = t.get_uint("frcd_cycles", 4, "cycles", {"writing a fault recording register (primary fault logging)", "assumed: a few cycles for one register write inside the unit"});
    ack_cycles_ = t.get_uint("ack_cycles", 16, "cycles", {"GCMD_REG write until GSTS_REG follows", "assumed: GSTS follows GCMD within tens of cycles, as the SMMUv3 model's CR0ACK (the spec gives no bound)"});
    xlate_slots_.set_capacity(t.get_uint("xlate_slots", 64, "slots", {"translations in progress at once", "assumed: Intel publishes no VT-d pipeline timing; the SMMUv3 model's gem5-derived figure, so the two IOMMUs compare on their architecture, not on guesses"}, 1, 4096));
    walk_slots_.set_capacity(t.get_uint("walker_slots", 16, "slots", {"page walks in progress at once", "assumed: Intel publishes no VT-d pipeline timing; the SMMUv3 model's gem5-derived figure, so the two IOMMUs compare on their architecture, not on guesses"}, 1, 4096));
    prq_writer_.set_capacity(1);
    frcd_writer_.set_capacity(1);

    upstream.register_b_transport(this, &Vtd::b_transport);
    mmio.register_b_transport(this, &Vtd::mmio_b_transport);

    SC_HAS_PROCESS(Vtd);
    SC_THREAD(invq_thread);
    SC_THREAD(msg_thread);
    SC_METHOD(gcmd_process);
    sensitive << gcmd_ev_;
    dont_initialize();

    const std::string me = this->name();
    ctx.traces.add(me + ".prq.occupancy", prq_occupancy_);
    ctx.traces.add(me + ".translations_active", xlate_active_);
    ctx.traces.add(me + ".walks_active", walks_active_);
    ctx.traces.add(me + ".faults_in_flight", faults_in_flight_);
    ctx.stats.add([this, me](nlohmann::json& root) {
        nlohmann::json s = {
            {"type", "vtd"},
            {"translations", c_.translations}, {"tlb_hits", c_.tlb_hits}, {"tlb_misses", c_.tlb_misses},
            {"tlb_miss_coalesced", c_.tlb_miss_coalesced}, {"tlb_evictions", iotlb_.evictions()},
            {"walks", c_.walks}, {"walk_reads", c_.walk_reads}, {"ad_writes", c_.ad_writes},
            {"bypassed", c_.bypassed}, {"aborted", c_.aborted},
            {"context_cache_hits", c_.ctx_hits}, {"context_cache_misses", c_.ctx_misses},
            {"pasid_cache_hits", c_.pasid_hits}, {"pasid_cache_misses", c_.pasid_misses},
            {"config_fetches", c_.cfg_fetches},
            {"events", c_.faults_recorded}, {"faults_recorded", c_.faults_recorded},
            {"faults_fpd", c_.faults_fpd}, {"faults_overflow", c_.faults_overflow},
            {"fault_events", c_.fault_events}, {"stalls", 0},
            {"ats_requests", c_.ats_requests}, {"ats_translated", c_.ats_translated},
            {"ats_negative", c_.ats_negative}, {"ats_unsupported", c_.ats_ur},
            {"pri_requests", c_.page_requests}, {"page_requests", c_.page_requests},
            {"stop_markers", c_.stop_markers}, {"prq_written", c_.prq_written},
            {"prq_overflow", c_.prq_overflow}, {"prq_auto_responses", c_.prq_auto_responses},
            {"page_request_events", c_.page_request_events},
            {"inv_descriptors", c_.inv_descriptors}, {"inv_errors", c_.inv_errors},
            {"wait_status_writes", c_.wait_status_writes}, {"prg_responses_sent", c_.prg_responses},
            {"atc_invalidations_sent", c_.atc_invalidations}, {"atc_inv_completions", c_.atc_inv_completions},
            {"msgs_unroutable", c_.msgs_unroutable}, {"translation_slot_waits", xlate_slots_.waits()},
            {"walker_slot_waits", walk_slots_.waits()},
            {"mmio_reads", c_.mmio_reads}, {"mmio_writes", c_.mmio_writes}, {"mmio_unknown", c_.mmio_unknown}};
        s["commands"] = nlohmann::json::object();
        for (const auto& [k, v] : desc_counts_) s["commands"][k] = v;
        s["fault_reasons"] = nlohmann::json::object();
        for (const auto& [k, v] : fault_reasons_) s["fault_reasons"][k] = v;
        root["smmus"][me] = s;
    });
}

bool Vtd::mem_read(uint64_t addr, void* dst, unsigned len) {
    ++c_.cfg_fetches;
    return shell_.mem_read(addr, dst, len);
}

bool Vtd::mem_write(uint64_t addr, const void* src, unsigned len) { return shell_.mem_write(addr, src, len); }

uint8_t Vtd::fetch_context(uint16_t rid, ContextEntry& out) {
    spend(cfg_cycles_);
    if (const ContextEntry* c = ctx_cache_.lookup(rid)) { ++c_.ctx_hits; out = *c; return 0; }
    ++c_.ctx_misses;
    if (rtaddr_f::TTM.get(rtaddr_active_) != uint64_t(Ttm::Scalable)) return 0x30;   // RTA.1: not scalable mode
    uint64_t rw[2];
    const uint64_t rta = rtaddr_active_ & rtaddr_f::RTA.mask();
    if (!mem_read(rta + uint64_t(rid >> 8) * kRootEntryBytes, rw, 16)) return fr::SRT_1;
    const RootEntry re = decode_root(rw);
    if (re.reserved_set) return fr::SRT_3;
    const uint64_t cpa = context_entry_pa(re, uint8_t(rid & 0xff));
    if (!cpa) return fr::SRT_2;
    uint64_t cw[4];
    if (!mem_read(cpa, cw, 32)) return fr::SCT_1;
    out = decode_context(cw);
    if (!out.p) return fr::SCT_2;
    if (out.reserved_set) return fr::SCT_3;
    ctx_cache_.insert(rid, out);
    return 0;
}

uint16_t Vtd::iotlb_tag(uint16_t did, uint32_t pasid) {
    // smmu::Tlb tags entries with a 16-bit ASID: (DID, PASID) pairs get a tag on first use.
    const uint64_t key = (uint64_t(did) << 20) | pasid;
    auto it = tags_.find(key);
    if (it != tags_.end()) return it->second;
    const uint16_t tag = uint16_t(tags_.size() + 1);
    tags_[key] = tag;
    return tag;
}

uint8_t Vtd::fetch_pasid(uint16_t rid, const ContextEntry& ce, uint32_t pasid, PasidCtx& out) {
    const uint64_t key = (uint64_t(rid) << 20) | pasid;
    spend(cfg_cycles_);
    if (const PasidCtx* c = pasid_cache_.lookup(key)) { ++c_.pasid_hits; out = *c; return 0; }
    ++c_.pasid_misses;
    if (pasid_dir_index(pasid) >= ce.pasid_dir_entries()) return fr::SCT_7;
    uint64_t dw = 0;
    if (!mem_read(ce.pasid_dir + uint64_t(pasid_dir_index(pasid)) * kPasidDirEntryBytes, &dw, 8)) return fr::SPD_1;
    const PasidDirEntry de = decode_pasid_dir(dw);
    out.fpd = ce.fpd || de.fpd;
    if (!de.p) return fr::SPD_2;
    if (de.reserved_set) return fr::SPD_3;
    uint64_t pw[8];
    if (!mem_read(de.table + uint64_t(pasid_table_index(pasid)) * kPasidEntryBytes, pw, 64)) return fr::SPT_1;
    out.pe = decode_pasid_entry(pw);
    out.fpd = out.fpd || out.pe.fpd;
    if (!out.pe.p) return fr::SPT_2;
    if (out.pe.reserved_set) return fr::SPT_3;
    if (out.pe.pgtt != uint8_t(Pgtt::FirstStage) && out.pe.pgtt != uint8_t(Pgtt::PassThrough)) return fr::SPT_4;
    if (out.pe.pgtt == uint8_t(Pgtt::FirstStage) && out.pe.fspm > uint8_t(Fspm::Level5)) return fr::SPT_4;
    if (out.pe.fspm == uint8_t(Fspm::Level5) && !caps_.fl5lp) return fr::SPT_4;
    out.tag = iotlb_tag(out.pe.did, pasid);
    pasid_cache_.insert(key, out);
    return 0;
}

// Config lookup: translation enabled, the context entry, PASID, the PASID-table entry and
// the request checks it governs (SRE, ERE). false: `o` says what happens instead
// (pass-through, or the fault reason).
bool Vtd::config_lookup(const IopfExt& ext, const smmu::Access& acc, bool ats_request, Outcome& o, Lookup& l) {
    const uint16_t rid = uint16_t(ext.sid);
    ContextEntry ce;
    if ((o.fr = fetch_context(rid, ce))) return false;
    o.fpd = ce.fpd;
    if (ext.ssv && !ce.paside) { o.fr = fr::SCT_6; return false; }
    if (ats_request && !ce.dte) { o.fr = fr::SCT_5; return false; }
    const uint32_t pasid = ext.ssv ? ext.ssid : ce.rid_pasid;
    if ((o.fr = fetch_pasid(rid, ce, pasid, l.pc))) { o.fpd = o.fpd || l.pc.fpd; return false; }
    o.fpd = l.pc.fpd;
    const PasidEntry& pe = l.pc.pe;
    if (acc.priv && !pe.sre) { o.fr = fr::SPT_6; return false; }
    if (acc.exec && !pe.ere) { o.fr = fr::SGN_3; return false; }
    if (pe.pgtt == uint8_t(Pgtt::PassThrough)) {
        o.action = Action::bypass;
        o.pa = 0;   // the caller's input address
        o.writable = o.user = o.executable = true;
        return false;
    }
    make_context(ext, l);
    return true;
}

// Fast mode's config lookup: cached context and PASID entries of a first-stage PASID only,
// no time, no counting; anything else takes the accurate path.
bool Vtd::config_probe(const IopfExt& ext, const smmu::Access& acc, Lookup& l) {
    if (!(gsts_ & gsts::TES)) return false;
    const uint16_t rid = uint16_t(ext.sid);
    const ContextEntry* ce = ctx_cache_.lookup(rid);
    if (!ce || (ext.ssv && !ce->paside)) return false;
    const uint32_t pasid = ext.ssv ? ext.ssid : ce->rid_pasid;
    const PasidCtx* pc = pasid_cache_.lookup((uint64_t(rid) << 20) | pasid);
    if (!pc || pc->pe.pgtt != uint8_t(Pgtt::FirstStage)) return false;
    if ((acc.priv && !pc->pe.sre) || (acc.exec && !pc->pe.ere)) return false;
    l.pc = *pc;
    make_context(ext, l);
    l.ctx.cfg_lookups = 2;
    return true;
}

// The context of a first-stage PASID: IOTLB tags (DID, the (DID, PASID) tag) and the x86-64
// walker configured from the PASID-table entry (FSPTPTR, FSPM, WPE, NXE, SMEP).
void Vtd::make_context(const IopfExt& ext, Lookup& l) const {
    const PasidEntry& pe = l.pc.pe;
    smmu::X86Config& cfg = l.s1.cfg;
    cfg.root = pe.fsptptr;
    cfg.five_level = pe.fspm == uint8_t(Fspm::Level5);
    cfg.addr_width = haw_bits_;
    cfg.wpe = pe.wpe;
    cfg.nxe = pe.nxe;
    cfg.smep = pe.smep;
    cfg.allow_1g = caps_.fl1gp;
    l.ctx.vmid = pe.did;
    l.ctx.asid = l.pc.tag;
    l.ctx.pasid = ext.ssid;
    l.ctx.pasid_valid = ext.ssv;
    l.ctx.perm = smmu::PermRule::x86;
    l.ctx.x86_wpe = pe.wpe;
    l.ctx.x86_smep = pe.smep;
    l.ctx.stage1 = &l.s1;
}

// Fault policy: a translation gives the output address and the rights the request's
// privilege has (for ATS completions); a fault gives its fault reason (spec 7.1.3).
void Vtd::fault_policy(const Lookup& l, const smmu::Access& acc, const smmu::WalkResult& wr, Outcome& o) const {
    if (!wr.ok()) {
        const auto f = smmu::X86Fault(wr.format_fault);
        o.fr = fault_reason_for(f);
        o.translation_fault = f != smmu::X86Fault::Abort;
        return;
    }
    const smmu::X86Rights r = smmu::X86Stage1Walker::rights_of(wr.attrs);
    auto may = [&](bool write, bool exec) {
        return smmu::x86_access_check(r, l.ctx.x86_wpe, l.ctx.x86_smep, smmu::Access{write, exec, acc.priv}) ==
               smmu::X86Fault::None;
    };
    o.action = Action::translate;
    o.pa = wr.pa;
    o.user = r.us;
    o.writable = may(true, false);
    o.executable = may(false, true);
    o.size_log2 = wr.size_log2;
}

Vtd::Outcome Vtd::translate(const IopfExt& ext, uint64_t va, const smmu::Access& acc, bool ats_request) {
    Outcome o;
    if (!(gsts_ & gsts::TES)) {   // translation disabled: DMA is not remapped
        o.action = Action::bypass;
        o.pa = va;
        return o;
    }
    Lookup l;
    if (!config_lookup(ext, acc, ats_request, o, l)) {
        if (o.action == Action::bypass) o.pa = va;
        return o;
    }
    fault_policy(l, acc, shell_.tlb_or_walk(l.ctx, va, acc), o);
    return o;
}

bool Vtd::fast_hit(IopfExt& ext, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    // Fast mode: the same config-lookup and IOTLB steps, cache-only and without waiting;
    // the cost is annotated (temporal decoupling). A miss of any kind takes the accurate path.
    const uint64_t va = gp.get_address();
    const smmu::Access acc{gp.is_write(), ext.ind, ext.pnu};
    Lookup l;
    if (!config_probe(ext, acc, l)) return false;
    const smmu::TlbEntry* hit = shell_.tlb_probe(l.ctx, va, acc);
    if (!hit) return false;
    ++c_.translations;
    ++c_.ctx_hits;
    ++c_.pasid_hits;
    shell_.count_hit();
    delay += clk_.cycles(2 * ifc_cycles_ + l.ctx.cfg_lookups * cfg_cycles_ + tlb_cycles_);
    gp.set_address(hit->pa_base + (va - hit->va_base));
    if (ctx_.isolation) {
        Outcome o;
        o.action = Action::translate;
        ctx_.isolation->grant(ext.device, name(), monitor_space(ext, o), va, gp.get_address(), gp.get_data_length(),
                              now_ps());
    }
    downstream->b_transport(gp, delay);
    gp.set_address(va);
    return true;
}

void Vtd::ats_translate(IopfExt& ext, tlm::tlm_generic_payload& gp) {
    auto* comp = reinterpret_cast<AtsCompletion*>(gp.get_data_ptr());
    const bool want_write = !comp->no_write;
    *comp = AtsCompletion{};
    comp->no_write = !want_write;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    ++c_.ats_requests;
    wait(clk_.cycles(ifc_cycles_));
    if (!caps_.dt || !(gsts_ & gsts::TES)) {
        comp->unsupported = true;   // no device-TLB support / remapping off: UR
        ++c_.ats_ur;
        wait(clk_.cycles(ifc_cycles_));
        return;
    }
    const uint64_t page = gp.get_address() & ~0xfffull;
    // The completion's translation is for a read; write permission is reported as granted
    // or not (spec 4.2.3: Translation Completion R/W bits).
    const smmu::Access read_acc{false, false, ext.pnu};
    Outcome o;
    {
        Hold slot(xlate_slots_);
        ++xlate_active_;
        ++c_.translations;
        o = translate(ext, page, read_acc, true);
        --xlate_active_;
    }
    if (o.action == Action::translate || o.action == Action::bypass) {
        comp->success = true;
        comp->pa = o.action == Action::bypass ? page : (o.pa & ~0xfffull);
        comp->size_log2 = 12;
        comp->read = true;
        comp->write = o.action == Action::bypass || o.writable;
        comp->exec = o.executable;
        comp->priv = ext.pnu;
        ++c_.ats_translated;
        if (ctx_.isolation) ctx_.isolation->grant(ext.device, name(), monitor_space(ext, o), page, comp->pa, 4096, now_ps());
    } else if (o.translation_fault) {
        // Not present / no permission: a successful completion with R = W = 0, not a fault
        // (spec 4.2.3): the function's cue for a page request.
        ++c_.ats_negative;
    } else {
        // A configuration problem: recorded (spec 7.1.3, T = translation request) and UR.
        vtd::FaultRecord r;
        r.fi = page;
        r.sid = uint16_t(ext.sid);
        r.type = FaultReqType::Page;
        r.priv = ext.pnu;
        r.pp = ext.ssv;
        r.pv = ext.ssid;
        r.fr = o.fr;
        if (!o.fpd) record_fault(r, 0);
        else ++c_.faults_fpd;
        comp->unsupported = true;
        ++c_.ats_ur;
    }
    wait(clk_.cycles(ifc_cycles_));
}

void Vtd::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    static IopfExt no_sideband;
    IopfExt* ext = gp.get_extension<IopfExt>();
    if (!ext) ext = &no_sideband;
    if (ext->msg != PcieMsg::none) {
        wait(delay);
        delay = sc_core::SC_ZERO_TIME;
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        if (ext->msg == PcieMsg::page_request) {
            page_request(*ext, *reinterpret_cast<const PageRequest*>(gp.get_data_ptr()), probe_fault_id(gp));
        } else if (ext->msg == PcieMsg::atc_inv_completion) {
            ++c_.atc_inv_completions;
            if (atc_inv_outstanding_) --atc_inv_outstanding_;
            atc_inv_done_.notify(sc_core::SC_ZERO_TIME);
        } else {
            gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        }
        return;
    }
    if (ext->ats == AtsKind::translation_request) {
        wait(delay);
        delay = sc_core::SC_ZERO_TIME;
        ats_translate(*ext, gp);
        return;
    }
    if (ctx_.mode == TimingMode::fast && ext->ats == AtsKind::untranslated && fast_hit(*ext, gp, delay)) return;

    // Accurate path: synchronise, then every step costs simulated time in this thread.
    shell_.sync(delay, ifc_cycles_);
    if (ext->ats == AtsKind::translated) {
        // Translated requests from a function with a device-TLB (context DTE = 1) pass.
        ContextEntry ce;
        const bool ok = (gsts_ & gsts::TES) && fetch_context(uint16_t(ext->sid), ce) == 0 && ce.dte;
        if (ok || !(gsts_ & gsts::TES)) {
            ++c_.bypassed;
            // Translation off: all of memory (the ATC's translations were granted at their
            // Translation Completions).
            if (ctx_.isolation && !(gsts_ & gsts::TES))
                ctx_.isolation->grant(ext->device, name(), IsolationMonitor::kBypass, gp.get_address(), gp.get_address(),
                                      gp.get_data_length(), now_ps());
            downstream->b_transport(gp, delay);
        } else {
            shell_.complete_terminated(gp, smmu::Termination::abort);
        }
        shell_.sync(delay, ifc_cycles_);
        return;
    }
    const uint64_t va = gp.get_address();
    const smmu::Access acc{gp.is_write(), ext->ind, ext->pnu};
    Outcome o;
    {
        Hold slot(xlate_slots_);
        ++xlate_active_;
        ++c_.translations;
        o = translate(*ext, va, acc, false);
        --xlate_active_;
    }
    if (o.action != Action::abort) {
        if (o.action == Action::bypass) ++c_.bypassed;
        gp.set_address(o.pa);
        if (ctx_.isolation)
            ctx_.isolation->grant(ext->device, name(), monitor_space(*ext, o), va, o.pa, gp.get_data_length(), now_ps());
        downstream->b_transport(gp, delay);
        gp.set_address(va);
    } else {
        // Non-recoverable fault (spec 7.1): the request is blocked (UR / write dropped) and
        // the fault is recorded unless fault processing is disabled (FPD).
        char event[16];
        std::snprintf(event, sizeof event, "FR_0x%02x", o.fr);
        const uint64_t fault_id = shell_.open_fault(*ext, gp, event, now_ps(), true);
        vtd::FaultRecord r;
        r.fi = va & ~0xfffull;
        r.sid = uint16_t(ext->sid);
        r.type = gp.is_write() ? FaultReqType::Write : FaultReqType::Read;
        r.priv = ext->pnu;
        r.exe = ext->ind;
        r.pp = ext->ssv;
        r.pv = ext->ssv ? ext->ssid : 0;
        r.fr = o.fr;
        if (o.fpd) ++c_.faults_fpd;
        else record_fault(r, fault_id);
        shell_.complete_terminated(gp, smmu::Termination::abort);
        shell_.finish_fault(fault_id, gp, Resolution::terminated);
    }
    shell_.sync(delay, ifc_cycles_);
}

// Firmware (the ACPI DMAR table's DRHD): compatible "intel,vtd", the register page, and the
// MSI vectors the OS uses: 48 + 2 * (index among the VT-d units) + {0 fault event, 1 page
// request event}, unless the platform sets vtd.irq.fault / vtd.irq.prq.
IOPF_REGISTER_MODEL(
    "vtd", build_order::iommu + 20,
    "Intel VT-d scalable mode: root/context/PASID tables, first-stage x86-64 walks, IOTLB, invalidation queue, "
    "fault recording, page request queue (compatible \"intel,vtd\")",
    [](PlatformBuilder& b, const std::string& n) {
        auto v = std::make_unique<Vtd>(n.c_str(), b.ctx, b.params(n));
        b.map(v->mmio, v->mmio_base(), Vtd::kMmioSize, n);
        v->downstream.bind(b.bus_port());
        v->walk_port.bind(b.bus_port());
        const unsigned base = 48 + 2 * unsigned(b.firmware().units_compatible("intel,vtd").size());
        FirmwareUnit u;
        u.name = n;
        u.compatible = "intel,vtd";
        u.mmio_base = v->mmio_base();
        u.mmio_size = Vtd::kMmioSize;
        u.irqs = {{"fault", nullptr, b.irq_number(n, "fault", base)}, {"prq", nullptr, b.irq_number(n, "prq", base + 1)}};
        b.firmware().units.push_back(u);
        b.add_iommu(n, *v);
        return v;
    });

}  // namespace iopf
