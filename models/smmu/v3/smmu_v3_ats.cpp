// SMMUv3 ATS and PRI: the ATS port (Translation Requests answered with a completion, never
// an event for a translation fault), the PRI port (Page Requests written to the PRI queue,
// with the spec's overflow behaviour), and the messages the SMMU sends to endpoints (PRG
// Responses for CMD_PRI_RESP or automatic responses, ATS Invalidate Requests for
// CMD_ATC_INV). Part of the SmmuV3 module (smmu_v3.h).
#include "models/smmu/v3/smmu_v3.h"

namespace iopf {

namespace v3 = smmu::v3;
using smmu::EventId;

void SmmuV3::ats_translate(IopfExt& ext, tlm::tlm_generic_payload& gp) {
    auto* comp = reinterpret_cast<AtsCompletion*>(gp.get_data_ptr());
    const bool want_write = !comp->no_write;
    *comp = AtsCompletion{};
    comp->no_write = !want_write;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    ++c_.ats_requests;
    wait(clk_.cycles(ifc_cycles_));
    if (!feat_.ats || !(cr0ack_ & v3::cr0::SMMUEN.mask())) {
        comp->unsupported = true;   // UR
        wait(clk_.cycles(ifc_cycles_));
        return;
    }
    const uint64_t page = gp.get_address() & ~0xfffull;
    // The translation the completion returns: read access, write granted if the leaf allows.
    const smmu::Access read_acc{false, false, ext.pnu};
    Outcome o;
    {
        Hold slot(xlate_slots_);
        ++xlate_active_;
        ++c_.translations;
        o = translate(ext, page, read_acc);
        --xlate_active_;
    }
    if (o.action == Action::translate) {
        comp->success = true;
        comp->pa = o.pa;
        comp->size_log2 = 12;
        comp->read = true;
        comp->write = smmu::permits(o.attrs, smmu::Access{true, false, ext.pnu});
        comp->exec = smmu::permits(o.attrs, smmu::Access{false, true, ext.pnu});
        comp->priv = ext.pnu;
        comp->global = !o.attrs.ng;
        ++c_.ats_translated;
        if (ctx_.isolation) ctx_.isolation->grant(ext.device, name(), o.space, page, o.pa & ~0xfffull, 4096, now_ps());
    } else if (o.action == Action::bypass) {
        comp->success = true;
        comp->pa = page;
        comp->read = comp->write = true;
        ++c_.ats_translated;
        if (ctx_.isolation) ctx_.isolation->grant(ext.device, name(), IsolationMonitor::kBypass, page, page, 4096, now_ps());
    } else {
        // Configuration errors are recorded as events; a translation fault is only a
        // negative completion (R = W = 0), the function's cue for PRI.
        if (o.record && o.event != EventId::None) write_event(make_record(ext, gp, o));
        comp->unsupported = o.event == EventId::F_BAD_ATS_TREQ;
        ++c_.ats_negative;
    }
    wait(clk_.cycles(ifc_cycles_));
}

void SmmuV3::priq_write(const v3::PriEntry& e, uint64_t fault_id) {
    Hold lock(priq_writer_);   // one writer at a time: PROD moves only after the entry is written
    uint64_t w[2];
    v3::encode_pri(e, w);
    const v3::QueuePtr q = qptr(priq_base_);
    if (gerror_active(v3::gerror::PRIQ_ABT_ERR)) {
        // IHI 0070 8.2: while PRIQ_ABT_ERR is unacknowledged nothing is written to the queue
        // and every PPR (not a Stop Marker) gets an automatic Response Failure.
        ++c_.pri_dropped_abort;
        if (!e.is_stop_marker()) auto_respond(e, PrgResponseCode::response_failure);
        return;
    }
    const bool overflowing = (priq_prod_ ^ priq_cons_) & v3::q_ptr::OVFLG;
    if (overflowing || q.is_full(priq_prod_, priq_cons_)) {
        // Overflow: OVFLG toggles on entering it; while it lasts no entry is written. A Last
        // request gets an automatic Success (its STE was checked on arrival); Last=0
        // requests and Stop Markers are dropped.
        ++c_.pri_overflow;
        if (!overflowing) {
            priq_prod_ ^= v3::q_ptr::OVFLG;
            signal_irq(priq_irq, priq_irq_cfg0_, priq_irq_cfg1_, v3::irq_ctrl::PRIQ_IRQEN.mask());
        }
        if (ctx_.queue_log.enabled()) ctx_.queue_log.write(now_ps(), name(), "priq-overflow", w, 2, v3::to_string(e));
        if (e.last && !e.is_stop_marker()) {
            auto_respond(e, PrgResponseCode::success);
        }
        return;
    }
    const uint64_t slot = qaddr(priq_base_) + q.offset(priq_prod_, 16);
    if (!mem_write(slot, w, 16, inj_.priq_write)) {
        // A synchronous abort (8.2): GERROR.PRIQ_ABT_ERR, PROD stays, and the PPR gets an
        // automatic Response Failure.
        ++c_.priq_aborts;
        if (ctx_.queue_log.enabled()) ctx_.queue_log.write(now_ps(), name(), "priq-abort", w, 2, v3::to_string(e));
        if (!((gerror_ ^ gerrorn_) & v3::gerror::PRIQ_ABT_ERR)) gerror_ ^= v3::gerror::PRIQ_ABT_ERR;
        signal_irq(gerror_irq, gerror_irq_cfg0_, gerror_irq_cfg1_, v3::irq_ctrl::GERROR_IRQEN.mask());
        if (!e.is_stop_marker()) auto_respond(e, PrgResponseCode::response_failure);
        return;
    }
    priq_prod_ = q.inc(priq_prod_);
    priq_occupancy_ = q.used(priq_prod_, priq_cons_);
    if (fault_id) {
        ctx_.faults.set_key(fault_id, name(), prg_fault_key(e.sid, e.ssid, e.prgi));
        ctx_.faults.mark(fault_id, Stage::record, now_ps());
    }
    if (ctx_.queue_log.enabled()) ctx_.queue_log.write(now_ps(), name(), "priq", w, 2, v3::to_string(e));
    signal_irq(priq_irq, priq_irq_cfg0_, priq_irq_cfg1_, v3::irq_ctrl::PRIQ_IRQEN.mask());
}

void SmmuV3::pri_port(const IopfExt& ext, const PageRequest& pr, uint64_t fault_id) {
    wait(clk_.cycles(ifc_cycles_));
    v3::PriEntry e;
    e.sid = ext.sid;
    e.ssid = pr.pasid;
    e.ssv = pr.pasid_valid;
    e.priv = pr.priv;
    e.exec = pr.exec;
    e.read = pr.read;
    e.write = pr.write;
    e.last = pr.last;
    e.prgi = pr.prgi & 0x1ff;
    e.addr = pr.addr & ~0xfffull;
    if (pr.is_stop_marker()) ++c_.stop_markers;
    else ++c_.pri_requests;
    // The STE must allow ATS for the request to be accepted.
    v3::Ste ste;
    uint64_t fa = 0;
    const bool ste_ok = (cr0ack_ & v3::cr0::SMMUEN.mask()) && fetch_ste(ext.sid, ste, fa) == EventId::None &&
                        ste.v && ste.eats == v3::eats::FULL;
    if (!feat_.pri || !(cr0ack_ & v3::cr0::PRIQEN.mask()) || !ste_ok) {
        // Nowhere to put it: a Last request is answered Response Failure, others dropped.
        if (e.last && !e.is_stop_marker()) {
            auto_respond(e, PrgResponseCode::response_failure);
        }
        return;
    }
    priq_write(e, fault_id);
}

void SmmuV3::auto_respond(const v3::PriEntry& e, PrgResponseCode code) {
    // A PRG Response the SMMU generates itself (the request never reaches software).
    ++c_.pri_auto_responses;
    PrgResponse r;
    r.pasid = e.ssid;
    r.pasid_valid = e.ssv;
    r.prgi = e.prgi;
    r.code = code;
    send_prg_response(e.sid, r);
}

void SmmuV3::send_prg_response(uint32_t sid, const PrgResponse& r) {
    OutMsg m;
    m.kind = PcieMsg::prg_response;
    m.sid = sid;
    m.prg = r;
    out_msgs_.push_back(m);
    out_msg_ev_.notify(sc_core::SC_ZERO_TIME);
}

void SmmuV3::msg_thread() {
    // Messages leave in order; CMD_SYNC does not wait for PRG Responses to arrive.
    for (;;) {
        while (out_msgs_.empty()) wait(out_msg_ev_);
        OutMsg m = out_msgs_.front();
        out_msgs_.pop_front();
        PayloadPool::Lease lease(PayloadPool::shared(), tlm::TLM_IGNORE_COMMAND, 0, nullptr, 0);   // not on this stack: see PayloadPool
        tlm::tlm_generic_payload& gp = *lease;
        IopfExt ext;
        ext.sid = m.sid;
        ext.msg = m.kind;
        if (m.kind == PcieMsg::prg_response) {
            ext.ssid = m.prg.pasid;
            ext.ssv = m.prg.pasid_valid;
            gp.set_data_ptr(reinterpret_cast<unsigned char*>(&m.prg));
            ++c_.prg_responses;
        } else {
            ext.ssid = m.inv.pasid;
            ext.ssv = m.inv.pasid_valid;
            gp.set_data_ptr(reinterpret_cast<unsigned char*>(&m.inv));
            ++c_.atc_invalidations;
        }
        gp.set_extension(&ext);
        gp.set_command(tlm::TLM_IGNORE_COMMAND);
        gp.set_data_length(0);
        gp.set_streaming_width(0);
        bool delivered = false;
        for (unsigned port = 0; port < pcie_msg.size() && !delivered; ++port) {
            gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
            sc_core::sc_time d = sc_core::SC_ZERO_TIME;
            pcie_msg[port]->b_transport(gp, d);
            wait(d);
            delivered = gp.is_response_ok();
        }
        gp.clear_extension(&ext);
        if (!delivered) {
            ++c_.msgs_unroutable;
            if (m.kind == PcieMsg::atc_invalidate && atc_inv_outstanding_) {
                --atc_inv_outstanding_;   // nobody to wait for
                atc_inv_done_.notify(sc_core::SC_ZERO_TIME);
            }
        }
    }
}

}  // namespace iopf
