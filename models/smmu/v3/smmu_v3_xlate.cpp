// SMMUv3 translation pipeline: configuration lookup (STE, CD), TLB, table walk, and the
// terminate model for faults. Part of the SmmuV3 module (smmu_v3.h).
#include <cstring>

#include "models/smmu/v3/format/regs.h"
#include "models/smmu/v3/smmu_v3.h"

namespace iopf {

using smmu::EventId;
namespace v3 = smmu::v3;

namespace {

// Events whose recording and termination a CD controls (CD.R, CD.A, CD.S): the
// translation-related faults of stage 1.
bool is_translation_fault(EventId e) {
    return e == EventId::F_TRANSLATION || e == EventId::F_ADDR_SIZE || e == EventId::F_ACCESS ||
           e == EventId::F_PERMISSION;
}

}  // namespace

bool SmmuV3::mem_read(uint64_t addr, void* dst, unsigned len, InjectPoint* abort) { return shell_.mem_read(addr, dst, len, abort); }

bool SmmuV3::mem_write(uint64_t addr, const void* src, unsigned len, InjectPoint* abort) { return shell_.mem_write(addr, src, len, abort); }

EventId SmmuV3::fetch_ste(uint32_t sid, v3::Ste& out, uint64_t& fetch_addr) {
    spend(cfg_cycles_);
    if (const v3::Ste* cached = ste_cache_.lookup(sid)) { ++c_.cfg_hits; out = *cached; return EventId::None; }
    ++c_.cfg_misses;
    const unsigned log2size = strtab_base_cfg_ & 0x3f;
    const unsigned fmt = (strtab_base_cfg_ >> 16) & 0x3;
    const unsigned split = (strtab_base_cfg_ >> 6) & 0x1f;
    const uint64_t base = strtab_base_ & v3::strtab_base::ADDR.mask();
    if ((log2size < 32 && sid >= (1ull << log2size)) || sid >= (1ull << feat_.sid_bits)) return EventId::C_BAD_STREAMID;
    uint64_t ste_addr;
    if (fmt == 0) {
        ste_addr = base + uint64_t(sid) * 64;
    } else {
        // 2-level: L1 descriptor {Span[4:0], L2Ptr[51:6]} indexed by SID[upper]; Span=0 is invalid.
        uint64_t l1_addr = base + uint64_t(sid >> split) * 8;
        uint64_t l1 = 0;
        ++c_.cfg_fetches;
        fetch_addr = l1_addr;
        if (!mem_read(l1_addr, &l1, 8, inj_.ste_fetch)) return EventId::F_STE_FETCH;
        v3::StL1Desc d = v3::decode_st_l1(l1);
        uint32_t low = sid & ((1u << split) - 1);
        if (d.span == 0 || d.span > split + 1 || low >= (1u << (d.span - 1))) return EventId::C_BAD_STREAMID;
        ste_addr = d.l2ptr + uint64_t(low) * 64;
    }
    uint64_t w[8];
    ++c_.cfg_fetches;
    fetch_addr = ste_addr;
    if (!mem_read(ste_addr, w, 64, inj_.ste_fetch)) return EventId::F_STE_FETCH;
    out = v3::decode_ste(w);
    // The queue log shows each STE the SMMU fetches for a stage-2 stream (what software set up).
    if (out.stage2_enabled()) ctx_.queue_log.note(now_ps(), name(), "strtab", "sid=" + std::to_string(sid) + " " + v3::to_string(out));
    EventId e = v3::check_ste(out, feat_);
    if (e != EventId::None) return e;
    ste_cache_.insert(sid, out);
    return EventId::None;
}

void SmmuV3::stage2_fault(Outcome& o, const v3::Ste& ste, const IopfExt& ext, EventId e, uint8_t cls,
                          uint64_t ipa) const {
    o.event = e;
    o.s2 = true;
    o.ipa = ipa;
    o.cls = cls;
    o.action = Action::abort;   // a terminated stage-2 fault always aborts
    if (is_translation_fault(e)) {
        // STE.S2S: stall stage-2 faults (STALL_MODEL 0b10 forces it); STE.S2R: record.
        const unsigned sm = feat_.stall_model;
        o.stall = sm == v3::idr0::STALL_MODEL_STALL_FORCED || (sm == v3::idr0::STALL_MODEL_STALL_TERM && ste.s2s);
        o.record = ste.s2r || o.stall;
        if (ext.ats == AtsKind::translation_request) { o.stall = false; o.record = false; }
    } else {
        o.record = true;
    }
}

EventId SmmuV3::fetch_cd(uint32_t sid, uint32_t ssid, const v3::Ste& ste, CdEntry& out, uint64_t& fetch_addr,
                         const smmu::S2Config* s2, Outcome* o) {
    const uint64_t key = (uint64_t(sid) << 20) | ssid;
    spend(cfg_cycles_);
    if (const CdEntry* cached = cd_cache_.lookup(key)) { ++c_.cfg_hits; out = *cached; return EventId::None; }
    ++c_.cfg_misses;
    // Nested: the CD table (and its L1 descriptors) sit at IPAs; translate them at stage 2
    // (stage-2 TLB entries, else a timed stage-2 walk).
    auto to_pa = [&](uint64_t ipa, uint64_t& pa) -> EventId {
        if (!s2) { pa = ipa; return EventId::None; }
        smmu::TimedWalkMemory<decltype(walk_port)> mem(walk_port, c_.walk_reads, nullptr, &shell_.walk_abort());
        smmu::Stage2Memory s2mem(*s2, ste.s2vmid, mem, &tlb_);
        const smmu::S2WalkResult t = s2mem.translate(ipa, smmu::Access{});
        if (s2mem.s2_walks) ++c_.s2_walks;
        if (!t.ok()) {
            o->s2 = true;
            o->ipa = ipa;
            if (t.fault == EventId::F_WALK_EABT) fetch_addr = t.fault_desc_pa;
            return t.fault;
        }
        pa = t.pa;
        return EventId::None;
    };
    uint64_t cd_addr;
    if (ste.s1fmt == 0 || ste.s1cdmax == 0) {
        cd_addr = ste.s1_context_ptr + uint64_t(ssid) * 64;
    } else {
        // 2-level CD table: S1Fmt 1 = 4 KiB leaf tables (64 CDs), 2 = 64 KiB (1024 CDs).
        unsigned split = ste.s1fmt == 1 ? 6 : 10;
        uint64_t l1_addr = ste.s1_context_ptr + uint64_t(ssid >> split) * 8;
        if (EventId f = to_pa(l1_addr, l1_addr); f != EventId::None) return f;
        uint64_t l1 = 0;
        ++c_.cfg_fetches;
        fetch_addr = l1_addr;
        if (!mem_read(l1_addr, &l1, 8, inj_.cd_fetch)) return EventId::F_CD_FETCH;
        v3::CdL1Desc d = v3::decode_cd_l1(l1);
        if (!d.v) return EventId::C_BAD_SUBSTREAMID;
        cd_addr = d.l2ptr + uint64_t(ssid & ((1u << split) - 1)) * 64;
    }
    if (EventId f = to_pa(cd_addr, cd_addr); f != EventId::None) return f;
    uint64_t w[8];
    ++c_.cfg_fetches;
    fetch_addr = cd_addr;
    if (!mem_read(cd_addr, w, 64, inj_.cd_fetch)) return EventId::F_CD_FETCH;
    CdEntry& entry = out;
    entry.cd = v3::decode_cd(w);
    EventId e = v3::check_cd(entry.cd, feat_, ste.s1stalld);
    if (e != EventId::None) return e;
    const auto& cd = entry.cd;
    smmu::S1Config& s1 = entry.s1.cfg;
    s1.tt[0] = {cd.ttb0, cd.t0sz, static_cast<smmu::Granule>(v3::tg0_granule_shift(cd.tg0)), cd.epd0};
    s1.tt[1] = {cd.ttb1, cd.t1sz, static_cast<smmu::Granule>(v3::tg1_granule_shift(cd.tg1)), cd.epd1};
    s1.ips_bits = std::min(v3::cd_effective_ips_bits(cd, feat_), 48u);
    s1.affd = cd.affd;
    s1.wxn = cd.wxn;
    cd_cache_.insert(key, entry);
    return EventId::None;
}

// The named steps (models/smmu/shell/xlate_context.h): config lookup -> context -> tlb ->
// walk -> fault policy. ATS translation requests (smmu_v3_ats.cpp) use the same steps.
SmmuV3::Outcome SmmuV3::translate(const IopfExt& ext, uint64_t va, const smmu::Access& acc) {
    Outcome o;
    Lookup l;
    if (!config_lookup(ext, va, o, l, false)) return o;
    const smmu::WalkResult wr = shell_.tlb_or_walk(l.ctx, va, acc);
    fault_policy(ext, l, wr, o);
    o.space = (uint32_t(l.ctx.vmid) << 16) | l.ctx.asid;
    return o;
}

bool SmmuV3::config_lookup(const IopfExt& ext, uint64_t va, Outcome& o, Lookup& l, bool probe) {
    const bool smmuen = cr0ack_ & v3::cr0::SMMUEN.mask();
    if (!smmuen) {
        if (probe) return false;
        // SMMU_GBPA governs traffic while translation is disabled.
        o.action = (gbpa_ & v3::gbpa::ABORT.mask()) ? Action::abort : Action::bypass;
        o.pa = va;
        return false;
    }
    if (probe) {
        // Fast mode: only the direct case (cached STE with a CD, cached CD), no time, no
        // counting; anything else takes the accurate path.
        const v3::Ste* ste = ste_cache_.lookup(ext.sid);
        if (!ste || ste->config == v3::ste_config::ABORT || ste->config == v3::ste_config::BYPASS ||
            ste->stage2_enabled())
            return false;   // stage-2 streams take the accurate path
        if (ext.ssv != (ste->s1cdmax != 0)) return false;
        const CdEntry* cde = cd_cache_.lookup((uint64_t(ext.sid) << 20) | (ext.ssv ? ext.ssid : 0));
        if (!cde) return false;
        l.ste = *ste;
        l.cd = *cde;
        make_context(ext, l);
        l.ctx.cfg_lookups = 2;
        return true;
    }
    EventId e = fetch_ste(ext.sid, l.ste, o.fetch_addr);
    if (e == EventId::C_BAD_STREAMID) {
        // Recorded only when SMMU_CR2.RECINVSID asks for it.
        o.event = e;
        o.record = cr2_ & v3::cr2::RECINVSID.mask();
        return false;
    }
    if (e != EventId::None) { o.event = e; o.record = true; return false; }
    const v3::Ste* ste = &l.ste;
    if (v3::ste_aborts_silently(*ste)) { o.action = Action::abort; return false; }   // Config=abort: no event
    if (ext.ats != AtsKind::untranslated && ste->eats != v3::eats::FULL) {
        // Only EATS = 0b01 (full ATS) enables ATS for a stage-1 stream; 0b11 behaves as
        // 0b00, and split-stage ATS (0b10) needs stage 2.
        // ATS not enabled for the stream (STE.EATS): a Translation Request is recorded and
        // answered UR; translated traffic is forbidden.
        o.event = ext.ats == AtsKind::translation_request ? EventId::F_BAD_ATS_TREQ : EventId::F_TRANSL_FORBIDDEN;
        o.record = true;
        o.cls = 2;
        return false;
    }
    if (ext.ats == AtsKind::translated) { o.action = Action::bypass; o.pa = va; return false; }   // already translated
    if (ste->config == v3::ste_config::BYPASS) { o.action = Action::bypass; o.pa = va; return false; }
    const bool s2 = ste->stage2_enabled();
    if (s2) {
        l.s2 = v3::ste_s2_config(*ste, feat_);
        o.vmid = ste->s2vmid;
    }
    if (ste->config == v3::ste_config::S2_TRANS) {   // stage 2 only: no CD
        make_context(ext, l);
        return true;
    }
    uint32_t ssid = ext.ssv ? ext.ssid : 0;
    if (ext.ssv) {
        if (ste->s1cdmax == 0 || ext.ssid >= (1u << ste->s1cdmax)) {
            o.event = EventId::C_BAD_SUBSTREAMID; o.record = true; return false;
        }
    } else if (ste->s1cdmax != 0) {
        // STE.S1DSS: what a transaction without a SubstreamID gets when substreams are on.
        if (ste->s1dss == v3::s1dss::BYPASS) { o.action = Action::bypass; o.pa = va; return false; }
        if (ste->s1dss == v3::s1dss::TERMINATE) { o.event = EventId::F_STREAM_DISABLED; o.record = true; return false; }
        ssid = 0;   // S1DSS_SSID0
    }
    e = fetch_cd(ext.sid, ssid, *ste, l.cd, o.fetch_addr, s2 ? &l.s2 : nullptr, &o);
    if (o.s2) { stage2_fault(o, *ste, ext, e, 0, o.ipa); return false; }   // CLASS CD
    if (e != EventId::None) { o.event = e; o.record = true; return false; }
    make_context(ext, l);
    return true;
}

void SmmuV3::make_context(const IopfExt& ext, Lookup& l) const {
    // VMID: STE.S2VMID when stage 2 is implemented (stage-1-only streams too; Linux uses 0),
    // else 0. Stage 1: the CD's ASID and VMSAv8-64 walker; stage 2 (Config 0b11x): the STE's
    // stage-2 configuration (S2 only: no stage 1).
    l.ctx.vmid = feat_.stage2 ? l.ste.s2vmid : 0;
    const bool s2_only = l.ste.config == v3::ste_config::S2_TRANS;
    l.ctx.asid = s2_only ? 0 : l.cd.cd.asid;
    l.ctx.pasid = ext.ssid;
    l.ctx.pasid_valid = ext.ssv;
    l.ctx.wxn = s2_only ? false : l.cd.cd.wxn;
    l.ctx.stage1 = s2_only ? nullptr : &l.cd.s1;
    l.ctx.stage2 = nullptr;
    l.ctx.stage2_cfg = l.ste.stage2_enabled() ? &l.s2 : nullptr;
}

void SmmuV3::fault_policy(const IopfExt& ext, const Lookup& l, const smmu::WalkResult& wr, Outcome& o) const {
    if (wr.ok()) {
        o.action = Action::translate;
        o.pa = wr.pa;
        o.attrs = wr.attrs;
        o.size_log2 = wr.size_log2;
        return;
    }
    if (wr.stage == 2) {   // stage-2 fault: STE.S2S / S2R decide, CLASS TT or IN, the IPA
        stage2_fault(o, l.ste, ext, wr.fault, wr.fault_class, wr.ipa);
        if (wr.fault == EventId::F_WALK_EABT) o.fetch_addr = wr.fault_desc_pa;
        return;
    }
    const v3::Cd& cd = l.cd.cd;
    o.event = wr.fault;
    // CLASS: IN for a fault on the input address itself, TT for an abort fetching a table.
    o.cls = wr.fault == EventId::F_WALK_EABT ? 1 : 2;
    if (is_translation_fault(wr.fault)) {
        // Stall model: STALL_MODEL 0b10 forces stalls; 0b00 stalls when CD.S = 1 and the
        // STE does not disallow it (S1STALLD). A stalled fault is always recorded.
        const unsigned sm = feat_.stall_model;
        o.stall = sm == v3::idr0::STALL_MODEL_STALL_FORCED ||
                  (sm == v3::idr0::STALL_MODEL_STALL_TERM && cd.s && !l.ste.s1stalld);
        o.record = cd.r || o.stall;                       // CD.R: record faults
        if (ext.ats == AtsKind::translation_request) {
            // An ATS translation fault is a negative completion: no event, no stall.
            o.stall = false;
            o.record = false;
        }
        o.action = cd.a ? Action::abort : Action::raz_wi; // CD.A: abort, else RAZ/WI
    } else {
        o.record = true;                                  // F_WALK_EABT and others: always
        o.action = Action::abort;
    }
    if (wr.fault == EventId::F_WALK_EABT) o.fetch_addr = wr.fault_desc_pa;
}

bool SmmuV3::fast_hit(IopfExt& ext, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    // Fast mode: the same config-lookup and TLB steps, cache-only and without waiting; the
    // cost is annotated (temporal decoupling). A miss of any kind takes the accurate path.
    const uint64_t va = gp.get_address();
    Outcome o;
    Lookup l;
    if (!config_lookup(ext, va, o, l, true)) return false;
    const smmu::TlbEntry* hit = shell_.tlb_probe(l.ctx, va, smmu::Access{gp.is_write(), ext.ind, ext.pnu});
    if (!hit) return false;
    ++c_.translations;
    shell_.count_hit();
    c_.cfg_hits += l.ctx.cfg_lookups;
    delay += clk_.cycles(2 * ifc_cycles_ + l.ctx.cfg_lookups * cfg_cycles_ + tlb_cycles_);
    gp.set_address(hit->pa_base + (va - hit->va_base));
    if (ctx_.isolation)
        ctx_.isolation->grant(ext.device, name(), (uint32_t(l.ctx.vmid) << 16) | l.ctx.asid, va,
                              gp.get_address(), gp.get_data_length(), now_ps());
    downstream->b_transport(gp, delay);
    gp.set_address(va);
    return true;
}

void SmmuV3::b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    static IopfExt no_sideband;   // a transaction without the extension: SID 0, no SSID
    IopfExt* ext = gp.get_extension<IopfExt>();
    if (!ext) ext = &no_sideband;
    if (ext->msg != PcieMsg::none) {
        // PCIe messages from endpoints: Page Requests, ATS Invalidate Completions.
        wait(delay);
        delay = sc_core::SC_ZERO_TIME;
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        if (ext->msg == PcieMsg::page_request) {
            pri_port(*ext, *reinterpret_cast<const PageRequest*>(gp.get_data_ptr()), probe_fault_id(gp));
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
    const uint64_t va = gp.get_address();
    const smmu::Access acc{gp.is_write(), ext->ind, ext->pnu};
    uint64_t fault_id = 0;
    for (;;) {
        Outcome o;
        {
            Hold slot(xlate_slots_);
            ++xlate_active_;
            ++c_.translations;
            o = translate(*ext, va, acc);
            --xlate_active_;
        }
        if (o.action == Action::translate || o.action == Action::bypass) {
            if (o.action == Action::bypass) ++c_.bypassed;
            gp.set_address(o.pa);
            // A translated (ATS) request grants nothing: its PA comes from the endpoint's ATC,
            // whose translation the monitor saw granted at the Translation Completion.
            if (ctx_.isolation && ext->ats != AtsKind::translated)
                ctx_.isolation->grant(ext->device, name(),
                                      o.action == Action::bypass ? IsolationMonitor::kBypass : o.space, va, o.pa,
                                      gp.get_data_length(), now_ps());
            downstream->b_transport(gp, delay);
            gp.set_address(va);
            break;
        }
        const uint64_t t_detect = now_ps();
        if (fault_id) shell_.close_refaulted(fault_id, t_detect);   // a retried access faulted again
        fault_id = o.event != EventId::None ? shell_.open_fault(*ext, gp, o.event, t_detect, true) : 0;
        if (fault_id) {
            FaultRecord* fr = ctx_.faults.find(fault_id);
            fr->stage_of_fault = o.s2 ? 2 : 1;
            fr->vmid = o.vmid;
            if (o.s2) ++c_.s2_faults;
        }
        if (o.stall) {
            const v3::ResumeResp r = stall(*ext, gp, o, fault_id);
            if (r == v3::ResumeResp::RETRY) continue;           // as though newly arrived
            complete_terminated(gp, r == v3::ResumeResp::TERM ? Action::raz_wi : Action::abort);
        } else {
            if (o.record) {
                write_event(make_record(*ext, gp, o));
                if (fault_id) ctx_.faults.mark(fault_id, Stage::record, now_ps());
            }
            complete_terminated(gp, o.action);
        }
        break;
    }
    if (fault_id) shell_.finish_fault(fault_id, gp, Resolution::terminated);
    shell_.sync(delay, ifc_cycles_);
}

v3::EventRecord SmmuV3::make_record(const IopfExt& ext, const tlm::tlm_generic_payload& gp, const Outcome& o) const {
    v3::EventRecord ev;
    ev.id = o.event;
    ev.sid = ext.sid;
    ev.ssv = ext.ssv;
    ev.ssid = ext.ssid;
    ev.rnw = !gp.is_write();
    ev.pnu = ext.pnu;
    ev.ind = ext.ind;
    ev.event_class = static_cast<v3::EventClass>(o.cls);
    ev.input_addr = gp.get_address();
    ev.fetch_addr = o.fetch_addr;
    ev.s2 = o.s2;
    ev.ipa = o.ipa;
    return ev;
}

v3::ResumeResp SmmuV3::stall(const IopfExt& ext, const tlm::tlm_generic_payload& gp, const Outcome& o, uint64_t fault_id) {
    // A full stall table back-pressures the device: the faulting transaction waits for a
    // free entry (never dropped).
    const uint16_t stag = stall_table_.acquire(ext.sid, fault_id, c_.stall_table_waits);
    smmu::StallTable::Entry& e = stall_table_.at(stag);
    ++c_.stalls;
    ++stalled_now_;
    if (fault_id) ctx_.faults.set_key(fault_id, name(), stall_fault_key(ext.sid, stag));

    v3::EventRecord ev = make_record(ext, gp, o);
    ev.stall = true;
    ev.stag = stag;
    // The stall record is always written: while the queue is full (or disabled) the
    // transaction waits and the record is presented again once software makes room. Only
    // disabling the SMMU (SMMUEN 1 -> 0) terminates it.
    for (;;) {
        if (e.resp >= 0) break;   // terminated meanwhile
        if ((cr0ack_ & v3::cr0::EVENTQEN.mask()) && write_event(ev, true)) break;
        ++c_.stall_record_waits;
        wait(evtq_space_ | ack_ev_ | gerror_ack_ev_ | e.resumed);
    }
    if (fault_id) ctx_.faults.mark(fault_id, Stage::record, now_ps());
    const auto resp = static_cast<v3::ResumeResp>(stall_table_.wait_resumed(stag));
    if (fault_id) ctx_.faults.clear_key(name(), stall_fault_key(ext.sid, stag));
    stall_table_.release(stag);
    --stalled_now_;
    return resp;
}

void SmmuV3::resume(uint32_t sid, uint16_t stag, v3::ResumeResp resp) {
    // CMD_RESUME: a STAG (with its StreamID) that matches no stalled transaction is a no-op.
    if (!stall_table_.held(sid, stag)) {
        ++c_.resume_unknown;
        return;
    }
    ++c_.resumes;
    const uint64_t fault_id = stall_table_.at(stag).fault_id;
    stall_table_.resume(stag, int(resp));
    if (fault_id) ctx_.faults.mark(fault_id, Stage::respond, now_ps());
}

void SmmuV3::complete_terminated(tlm::tlm_generic_payload& gp, Action action) {
    // Terminate: an abort, or reads-as-zero / writes-ignored (CD.A = 0, or CMD_RESUME TERM).
    shell_.complete_terminated(gp, action == Action::raz_wi ? smmu::Termination::raz_wi : smmu::Termination::abort);
}

}  // namespace iopf
