// SMMUv3 translation pipeline: configuration lookup (STE, CD), TLB, table walk, and the
// terminate model for faults. Part of the SmmuV3 module (smmu_v3.h).
#include <cstring>

#include "models/smmu/shell/timed_access.h"
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

bool SmmuV3::mem_read(uint64_t addr, void* dst, unsigned len) {
    return smmu::timed_access(walk_port, tlm::TLM_READ_COMMAND, addr, dst, len);
}

bool SmmuV3::mem_write(uint64_t addr, const void* src, unsigned len) {
    return smmu::timed_access(walk_port, tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(src), len);
}

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
        if (!mem_read(l1_addr, &l1, 8)) return EventId::F_STE_FETCH;
        v3::StL1Desc d = v3::decode_st_l1(l1);
        uint32_t low = sid & ((1u << split) - 1);
        if (d.span == 0 || d.span > split + 1 || low >= (1u << (d.span - 1))) return EventId::C_BAD_STREAMID;
        ste_addr = d.l2ptr + uint64_t(low) * 64;
    }
    uint64_t w[8];
    ++c_.cfg_fetches;
    fetch_addr = ste_addr;
    if (!mem_read(ste_addr, w, 64)) return EventId::F_STE_FETCH;
    out = v3::decode_ste(w);
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
                         smmu::Stage2Memory* s2mem, Outcome* o) {
    const uint64_t key = (uint64_t(sid) << 20) | ssid;
    spend(cfg_cycles_);
    if (const CdEntry* cached = cd_cache_.lookup(key)) { ++c_.cfg_hits; out = *cached; return EventId::None; }
    ++c_.cfg_misses;
    // Nested: the CD table (and its L1 descriptors) sit at IPAs; translate them at stage 2.
    // A fault there is a stage-2 fault with CLASS CD, handled by the caller from *o.
    auto to_pa = [&](uint64_t ipa, uint64_t& pa) -> EventId {
        if (!s2mem) { pa = ipa; return EventId::None; }
        const smmu::S2WalkResult t = s2mem->translate(ipa, smmu::Access{});
        if (!t.ok()) {
            o->s2 = true;
            o->ipa = ipa;
            o->event = t.fault;
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
        if (!mem_read(l1_addr, &l1, 8)) return EventId::F_CD_FETCH;
        v3::CdL1Desc d = v3::decode_cd_l1(l1);
        if (!d.v) return EventId::C_BAD_SUBSTREAMID;
        cd_addr = d.l2ptr + uint64_t(ssid & ((1u << split) - 1)) * 64;
    }
    if (EventId f = to_pa(cd_addr, cd_addr); f != EventId::None) return f;
    uint64_t w[8];
    ++c_.cfg_fetches;
    fetch_addr = cd_addr;
    if (!mem_read(cd_addr, w, 64)) return EventId::F_CD_FETCH;
    CdEntry& entry = out;
    entry.cd = v3::decode_cd(w);
    EventId e = v3::check_cd(entry.cd, feat_, ste.s1stalld);
    if (e != EventId::None) return e;
    const auto& cd = entry.cd;
    entry.s1.tt[0] = {cd.ttb0, cd.t0sz, static_cast<smmu::Granule>(v3::tg0_granule_shift(cd.tg0)), cd.epd0};
    entry.s1.tt[1] = {cd.ttb1, cd.t1sz, static_cast<smmu::Granule>(v3::tg1_granule_shift(cd.tg1)), cd.epd1};
    entry.s1.ips_bits = std::min(v3::cd_effective_ips_bits(cd, feat_), 48u);
    entry.s1.affd = cd.affd;
    entry.s1.wxn = cd.wxn;
    cd_cache_.insert(key, entry);
    return EventId::None;
}

SmmuV3::Outcome SmmuV3::translate(const IopfExt& ext, uint64_t va, const smmu::Access& acc) {
    Outcome o;
    const bool smmuen = cr0ack_ & v3::cr0::SMMUEN.mask();
    if (!smmuen) {
        // SMMU_GBPA governs traffic while translation is disabled.
        o.action = (gbpa_ & v3::gbpa::ABORT.mask()) ? Action::abort : Action::bypass;
        o.pa = va;
        return o;
    }
    v3::Ste ste_copy;
    EventId e = fetch_ste(ext.sid, ste_copy, o.fetch_addr);
    if (e == EventId::C_BAD_STREAMID) {
        // Recorded only when SMMU_CR2.RECINVSID asks for it.
        o.event = e;
        o.record = cr2_ & v3::cr2::RECINVSID.mask();
        return o;
    }
    if (e != EventId::None) { o.event = e; o.record = true; return o; }
    const v3::Ste* ste = &ste_copy;
    if (v3::ste_aborts_silently(*ste)) { o.action = Action::abort; return o; }   // Config=abort: no event
    if (ext.ats != AtsKind::untranslated && ste->eats != v3::eats::FULL) {
        // Only EATS = 0b01 (full ATS) enables ATS for a stage-1 stream; 0b11 behaves as
        // 0b00, and split-stage ATS (0b10) needs stage 2.
        // ATS not enabled for the stream (STE.EATS): a Translation Request is recorded and
        // answered UR; translated traffic is forbidden.
        o.event = ext.ats == AtsKind::translation_request ? EventId::F_BAD_ATS_TREQ : EventId::F_TRANSL_FORBIDDEN;
        o.record = true;
        o.cls = 2;
        return o;
    }
    if (ext.ats == AtsKind::translated) { o.action = Action::bypass; o.pa = va; return o; }   // already translated
    if (ste->config == v3::ste_config::BYPASS) { o.action = Action::bypass; o.pa = va; return o; }
    // With stage 2 implemented every stream's TLB entries carry STE.S2VMID.
    const uint16_t vmid = feat_.stage2 ? ste->s2vmid : 0;
    const bool s2 = ste->stage2_enabled();
    if (s2) o.vmid = vmid;
    // Physical memory of the walks; stage 2 (when on) translates the IPAs in front of it.
    smmu::TimedWalkMemory<decltype(walk_port)> pa_mem(walk_port, c_.walk_reads);
    smmu::Stage2Memory s2mem(s2 ? v3::ste_s2_config(*ste, feat_) : smmu::S2Config{}, vmid, pa_mem, &tlb_);
    if (ste->config == v3::ste_config::S2_TRANS) {
        // Stage 2 only: the input address is the IPA. Stage-2-only TLB entries of the VMID.
        spend(tlb_cycles_);
        smmu::S2WalkResult r;
        if (const smmu::TlbEntry* hit = tlb_.lookup_s2(vmid, va)) {
            ++c_.tlb_hits;
            r.pa = hit->pa_base + (va - hit->va_base);
            r.size_log2 = hit->size_log2;
            r.attrs.s2ap = hit->s2ap;
            r.attrs.xn = hit->s2xn;
            if (!smmu::s2_permits(r.attrs, acc)) r.fault = EventId::F_PERMISSION;
        } else {
            ++c_.tlb_misses;
            Hold w(walk_slots_);
            ++walks_active_;
            ++c_.walks;
            ++c_.s2_walks;
            r = s2mem.translate(va, acc);
            --walks_active_;
            walk_done_.notify(sc_core::SC_ZERO_TIME);
        }
        if (r.ok()) {
            o.action = Action::translate;
            o.pa = r.pa;
            o.size_log2 = r.size_log2;
            o.attrs = smmu::leaf_attrs_for((r.attrs.s2ap & 2) != 0, true, !r.attrs.xn);
            return o;
        }
        stage2_fault(o, *ste, ext, r.fault, 2, va);
        if (r.fault == EventId::F_WALK_EABT) o.fetch_addr = r.fault_desc_pa;
        return o;
    }
    uint32_t ssid = ext.ssv ? ext.ssid : 0;
    if (ext.ssv) {
        if (ste->s1cdmax == 0 || ext.ssid >= (1u << ste->s1cdmax)) {
            o.event = EventId::C_BAD_SUBSTREAMID; o.record = true; return o;
        }
    } else if (ste->s1cdmax != 0) {
        // STE.S1DSS: what a transaction without a SubstreamID gets when substreams are on.
        if (ste->s1dss == v3::s1dss::BYPASS) { o.action = Action::bypass; o.pa = va; return o; }
        if (ste->s1dss == v3::s1dss::TERMINATE) { o.event = EventId::F_STREAM_DISABLED; o.record = true; return o; }
        ssid = 0;   // S1DSS_SSID0
    }
    CdEntry cd_copy;
    e = fetch_cd(ext.sid, ssid, *ste, cd_copy, o.fetch_addr, s2 ? &s2mem : nullptr, &o);
    const CdEntry* cde = &cd_copy;
    if (o.s2) { stage2_fault(o, *ste, ext, e, 0, o.ipa); return o; }   // CLASS CD
    if (e != EventId::None) { o.event = e; o.record = true; return o; }
    const v3::Cd& cd = cde->cd;
    const uint16_t asid = cd.asid;

    spend(tlb_cycles_);
    // A combined entry whose stage-2 permission denies the access is used as a miss: the
    // nested walk then reports the stage-2 Permission fault with its IPA.
    auto s2_denies = [&](const smmu::TlbEntry* h) {
        smmu::S2Attrs a;
        a.s2ap = h->s2ap;
        a.xn = h->s2xn;
        return s2 && !smmu::s2_permits(a, acc);
    };
    const smmu::TlbEntry* hit = tlb_.lookup(vmid, asid, va);
    if (hit && s2_denies(hit)) hit = nullptr;
    smmu::WalkResult wr;
    if (hit) {
        ++c_.tlb_hits;
        wr.attrs = hit->attrs;
        wr.size_log2 = hit->size_log2;
        wr.pa = hit->pa_base + (va - hit->va_base);
        if (!smmu::permits(hit->attrs, acc, cd.wxn)) wr.fault = EventId::F_PERMISSION;
        wr.level = 3;
    } else {
        ++c_.tlb_misses;
        const uint64_t key = (uint64_t(asid) << 48) ^ (uint64_t(vmid) << 32) ^ (va >> 12);
        if (walks_in_flight_.count(key)) {
            // Another translation is already walking this page: wait for its fill, then
            // look again (a miss that costs no walk of its own).
            ++c_.tlb_miss_coalesced;
            while (walks_in_flight_.count(key)) wait(walk_done_);
            hit = tlb_.lookup(vmid, asid, va);
            if (hit && s2_denies(hit)) hit = nullptr;
            if (hit) {
                wr.attrs = hit->attrs;
                wr.size_log2 = hit->size_log2;
                wr.pa = hit->pa_base + (va - hit->va_base);
                if (!smmu::permits(hit->attrs, acc, cd.wxn)) wr.fault = EventId::F_PERMISSION;
            }
        }
        if (!hit) {
            walks_in_flight_.insert(key);
            {
                Hold w(walk_slots_);
                ++walks_active_;
                ++c_.walks;
                if (s2) {
                    // Nested: every stage-1 table address and the output go through stage 2.
                    const smmu::NestedResult nr = smmu::walk_nested(cde->s1, va, acc, s2mem);
                    ++c_.nested_walks;
                    c_.nested_walk_reads += nr.reads;
                    if (nr.ok()) {
                        tlb_.insert(smmu::combined_entry(nr, vmid, asid));
                        wr.pa = nr.pa;
                        wr.size_log2 = nr.size_log2;
                        wr.attrs = nr.attrs;
                    } else if (nr.stage == 2) {
                        --walks_active_;
                        walks_in_flight_.erase(key);
                        walk_done_.notify(sc_core::SC_ZERO_TIME);
                        stage2_fault(o, *ste, ext, nr.fault, uint8_t(nr.cls), nr.ipa);
                        if (nr.fault == EventId::F_WALK_EABT) o.fetch_addr = nr.fault_desc_pa;
                        return o;
                    } else {
                        wr.fault = nr.fault;
                        wr.level = nr.level;
                        wr.fault_desc_pa = nr.fault_desc_pa;
                    }
                } else {
                    wr = smmu::walk_stage1(cde->s1, va, acc, pa_mem);
                }
                --walks_active_;
            }
            walks_in_flight_.erase(key);
            if (wr.ok() && !s2) {
                smmu::TlbEntry te;
                te.vmid = vmid;
                te.asid = asid;
                te.va_base = wr.va_base;
                te.pa_base = wr.pa_base;
                te.size_log2 = wr.size_log2;
                te.attrs = wr.attrs;
                tlb_.insert(te);
            }
            walk_done_.notify(sc_core::SC_ZERO_TIME);
        }
    }
    if (wr.ok()) {
        o.action = Action::translate;
        o.pa = wr.pa;
        o.attrs = wr.attrs;
        o.size_log2 = wr.size_log2;
        return o;
    }

    o.event = wr.fault;
    // CLASS: IN for a fault on the input address itself, TT for an abort fetching a table.
    o.cls = wr.fault == EventId::F_WALK_EABT ? 1 : 2;
    if (is_translation_fault(wr.fault)) {
        // Stall model: STALL_MODEL 0b10 forces stalls; 0b00 stalls when CD.S = 1 and the
        // STE does not disallow it (S1STALLD). A stalled fault is always recorded.
        const unsigned sm = feat_.stall_model;
        o.stall = sm == v3::idr0::STALL_MODEL_STALL_FORCED ||
                  (sm == v3::idr0::STALL_MODEL_STALL_TERM && cd.s && !ste->s1stalld);
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
    return o;
}

bool SmmuV3::fast_hit(IopfExt& ext, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    // Temporal decoupling for TLB hits: all state is already cached, so no context switch.
    if (!(cr0ack_ & v3::cr0::SMMUEN.mask())) return false;
    const v3::Ste* ste = ste_cache_.lookup(ext.sid);
    if (!ste || ste->config == v3::ste_config::ABORT || ste->config == v3::ste_config::BYPASS ||
        ste->stage2_enabled())
        return false;   // stage-2 streams always take the accurate path
    if (ext.ssv != (ste->s1cdmax != 0)) return false;
    const CdEntry* cde = cd_cache_.lookup((uint64_t(ext.sid) << 20) | (ext.ssv ? ext.ssid : 0));
    if (!cde) return false;
    const smmu::TlbEntry* hit = tlb_.lookup(feat_.stage2 ? ste->s2vmid : 0, cde->cd.asid, gp.get_address());
    if (!hit) return false;
    smmu::Access acc{gp.is_write(), ext.ind, ext.pnu};
    if (!smmu::permits(hit->attrs, acc, cde->cd.wxn)) return false;
    ++c_.translations;
    ++c_.tlb_hits;
    ++c_.cfg_hits;
    ++c_.cfg_hits;
    delay += clk_.cycles(2 * ifc_cycles_ + 2 * cfg_cycles_ + tlb_cycles_);
    const uint64_t va = gp.get_address();
    gp.set_address(hit->pa_base + (va - hit->va_base));
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
            pri_port(*ext, *reinterpret_cast<const PageRequest*>(gp.get_data_ptr()));
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
    wait(delay);
    delay = sc_core::SC_ZERO_TIME;
    wait(clk_.cycles(ifc_cycles_));
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
            downstream->b_transport(gp, delay);
            gp.set_address(va);
            break;
        }
        const uint64_t t_detect = now_ps();
        if (fault_id) {                                          // a retried access faulted again
            ctx_.faults.close(fault_id, t_detect);
            --faults_in_flight_;
        }
        fault_id = o.event != EventId::None ? open_fault(*ext, gp, o, t_detect) : 0;
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
    if (fault_id) {
        FaultRecord* fr = ctx_.faults.find(fault_id);
        if (fr && fr->resolution == Resolution::pending) fr->resolution = Resolution::terminated;
        // The device closes the fault when the response reaches it (the retry stage).
        if (ext != &no_sideband) ext->fault_id = fault_id;
        else ctx_.faults.close(fault_id, now_ps());
        --faults_in_flight_;
    }
    wait(delay);
    delay = sc_core::SC_ZERO_TIME;
    wait(clk_.cycles(ifc_cycles_));
}

uint64_t SmmuV3::open_fault(const IopfExt& ext, const tlm::tlm_generic_payload& gp, const Outcome& o, uint64_t t_detect) {
    FaultRecord fr;
    fr.device = ext.device;
    fr.smmu = name();
    fr.sid = ext.sid;
    fr.ssid = ext.ssid;
    fr.ssv = ext.ssv;
    fr.address = gp.get_address();
    fr.write = gp.is_write();
    fr.exec = ext.ind;
    fr.priv = ext.pnu;
    fr.event = smmu::event_name(o.event);
    fr.stage_of_fault = o.s2 ? 2 : 1;
    fr.vmid = o.vmid;
    if (o.s2) ++c_.s2_faults;
    fr.t_issue_ps = ext.t_issue_ps ? ext.t_issue_ps : t_detect;
    const uint64_t id = ctx_.faults.open(std::move(fr));
    ctx_.faults.mark(id, Stage::detect, t_detect);
    ++faults_in_flight_;
    return id;
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
    if (!stall_slots_.try_acquire()) {
        ++c_.stall_table_waits;
        stall_slots_.acquire();
    }
    uint16_t stag = 0;
    while (stall_table_[stag]->used) ++stag;   // a unit of stall_slots_ guarantees a free entry
    StallEntry& e = *stall_table_[stag];
    e.used = true;
    e.sid = ext.sid;
    e.resp = -1;
    e.fault_id = fault_id;
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
        wait(evtq_space_ | ack_ev_ | e.resumed);
    }
    if (fault_id) ctx_.faults.mark(fault_id, Stage::record, now_ps());
    while (e.resp < 0) wait(e.resumed);
    const auto resp = static_cast<v3::ResumeResp>(e.resp);
    if (fault_id) ctx_.faults.clear_key(name(), stall_fault_key(ext.sid, stag));
    e.used = false;
    --stalled_now_;
    stall_slots_.release();
    return resp;
}

void SmmuV3::resume(uint32_t sid, uint16_t stag, v3::ResumeResp resp) {
    // CMD_RESUME: a STAG (with its StreamID) that matches no stalled transaction is a no-op.
    if (stag >= stall_table_.size() || !stall_table_[stag]->used || stall_table_[stag]->sid != sid ||
        stall_table_[stag]->resp >= 0) {
        ++c_.resume_unknown;
        return;
    }
    StallEntry& e = *stall_table_[stag];
    ++c_.resumes;
    e.resp = int(resp);
    if (e.fault_id) ctx_.faults.mark(e.fault_id, Stage::respond, now_ps());
    e.resumed.notify(sc_core::SC_ZERO_TIME);
}

void SmmuV3::complete_terminated(tlm::tlm_generic_payload& gp, Action action) {
    // Terminate: an abort, or reads-as-zero / writes-ignored (CD.A = 0, or CMD_RESUME TERM).
    if (action == Action::raz_wi) {
        ++c_.raz_wi;
        if (gp.is_read()) std::memset(gp.get_data_ptr(), 0, gp.get_data_length());
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
    } else {
        ++c_.aborted;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    }
}

}  // namespace iopf
