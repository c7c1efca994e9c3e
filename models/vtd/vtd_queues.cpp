// Vtd fault recording (spec 7.2 "Non-Recoverable Fault Reporting": primary fault logging in
// the fault recording registers, fault events), Page Request Services (spec 7.5: the page
// request queue, PRS_REG, page request events, overflow), the invalidation queue (spec
// 6.5.2: every descriptor type, wait descriptors with status write) and the messages to
// endpoints (page group responses, device-TLB invalidations). Part of the Vtd module.
#include "models/vtd/vtd.h"

namespace iopf {

using namespace vtd;

void Vtd::send_msi(uint32_t addr_lo, uint32_t addr_hi, uint32_t data) {
    // An MSI is a posted 32-bit write of the data to the address (spec 5.1.6).
    const uint64_t addr = (uint64_t(addr_hi) << 32) | addr_lo;
    mem_write(addr, &data, 4);
}

void Vtd::fault_event() {
    ++c_.fault_events;
    if (fectl_ & ectl::IM) { fectl_ |= ectl::IP; return; }
    send_msi(feaddr_, feuaddr_, fedata_);
}

void Vtd::page_request_event() {
    ++c_.page_request_events;
    if (pectl_ & ectl::IM) { pectl_ |= ectl::IP; return; }
    send_msi(peaddr_, peuaddr_, pedata_);
}

void Vtd::record_fault(const vtd::FaultRecord& rec, uint64_t fault_id) {
    // Primary fault logging: the next fault recording register, if free; a full log (its F
    // still set) sets PFO, and while PFO is set faults are not recorded (spec 7.2.1).
    Hold lock(frcd_writer_);
    ++fault_reasons_[fault_reason_name(rec.fr)];
    if (fsts_ & fsts::PFO) { ++c_.faults_overflow; return; }
    auto& slot = frcd_[frcd_next_];
    if (frcd_f::F.get(slot[1])) {
        fsts_ |= fsts::PFO;
        ++c_.faults_overflow;
        ctx_.queue_log.note(now_ps(), name(), "frcd", "primary fault overflow (FSTS.PFO)");
        fault_event();
        return;
    }
    const bool had_ppf = fsts_value() & fsts::PPF;
    spend(frcd_cycles_);
    vtd::FaultRecord r = rec;
    r.f = true;
    uint64_t w[2];
    encode_frcd(r, w);
    slot = {w[0], w[1]};
    ctx_.queue_log.write(now_ps(), name(), "frcd", w, 2, to_string(r));
    frcd_next_ = (frcd_next_ + 1) % caps_.nfr;
    ++c_.faults_recorded;
    if (fault_id) ctx_.faults.mark(fault_id, Stage::record, now_ps());
    if (!had_ppf) fault_event();
}

void Vtd::page_request(const IopfExt& ext, const PageRequest& pr, uint64_t fault_id) {
    wait(clk_.cycles(ifc_cycles_));
    PageReqDesc d;
    d.pp = pr.pasid_valid;
    d.rid = uint16_t(ext.sid);
    d.pasid = pr.pasid_valid ? pr.pasid : 0;
    d.exr = pr.exec;
    d.pmr = pr.priv;
    d.rdr = pr.read;
    d.wrr = pr.write;
    d.lpig = pr.last;
    d.prgi = pr.prgi & 0x1ff;
    d.addr = pr.addr & ~0xfffull;
    if (d.is_stop_marker()) ++c_.stop_markers;
    else ++c_.page_requests;
    // The request is accepted only from a function whose context entry enables page
    // requests (PRE) and, with a PASID, PASIDs (PASIDE). Otherwise it is recorded as a
    // fault (T = page request) and a last request is answered Invalid Request.
    ContextEntry ce;
    uint8_t fr = 0;
    if (!caps_.prs || !(gsts_ & gsts::TES)) fr = fr::SCT_8;
    else if ((fr = fetch_context(d.rid, ce)) == 0) {
        if (!ce.pre) fr = fr::SCT_8;
        else if (d.pp && !ce.paside) fr = fr::SCT_6;
    }
    if (fr) {
        vtd::FaultRecord r;
        r.fi = d.addr;
        r.sid = d.rid;
        r.type = FaultReqType::Page;
        r.pp = d.pp;
        r.pv = d.pasid;
        r.fr = fr;
        if (caps_.prs && !ce.fpd) record_fault(r, 0);
        if (d.lpig && !d.is_stop_marker()) auto_respond(d, PrgResponseCode::invalid_request);
        return;
    }
    prq_write(d, fault_id);
}

void Vtd::prq_write(const PageReqDesc& d, uint64_t fault_id) {
    Hold lock(prq_writer_);   // one writer: PQT moves only after the descriptor is written
    uint64_t w[4];
    encode_page_req(d, w);
    const uint64_t size = uint64_t(4096) << pqa_f::PQS.get(pqa_);
    const bool full = (pqt_ + kPageReqDescBytes) % size == pqh_;
    if ((prs_ & prs::PRO) || full) {
        // Overflow (spec 7.5.1): PRO is set (a page request event if it was clear) and the
        // request is not written; while PRO stays set every request is dropped. A request
        // with LPIG gets an automatic successful page group response, so the function
        // retries its translation and faults again once software has drained the queue.
        ++c_.prq_overflow;
        if (!(prs_ & prs::PRO)) {
            prs_ |= prs::PRO;
            page_request_event();
        }
        ctx_.queue_log.write(now_ps(), name(), "prq-overflow", w, 4, to_string(d));
        if (d.lpig && !d.is_stop_marker()) auto_respond(d, PrgResponseCode::success);
        return;
    }
    const uint64_t slot = (pqa_ & pqa_f::PQA.mask()) + pqt_;
    if (!mem_write(slot, w, kPageReqDescBytes)) {
        // Nobody will see the request: a last request is answered Response Failure.
        ctx_.queue_log.note(now_ps(), name(), "prq", "page request write aborted");
        if (d.lpig && !d.is_stop_marker()) auto_respond(d, PrgResponseCode::response_failure);
        return;
    }
    pqt_ = (pqt_ + kPageReqDescBytes) % size;
    prq_occupancy_ = ((pqt_ + size - pqh_) % size) / kPageReqDescBytes;
    ++c_.prq_written;
    if (fault_id) {
        ctx_.faults.set_key(fault_id, name(), prg_fault_key(d.rid, d.pasid, d.prgi));
        ctx_.faults.mark(fault_id, Stage::record, now_ps());
    }
    ctx_.queue_log.write(now_ps(), name(), "prq", w, 4, to_string(d));
    if (!(prs_ & prs::PPR)) {
        prs_ |= prs::PPR;
        page_request_event();
    }
}

void Vtd::auto_respond(const PageReqDesc& d, PrgResponseCode code) {
    ++c_.prq_auto_responses;
    PrgResponse r;
    r.pasid = d.pasid;
    r.pasid_valid = d.pp;
    r.prgi = d.prgi;
    r.code = code;
    send_msg(PcieMsg::prg_response, d.rid, &r, nullptr);
}

void Vtd::invq_error(Iqei why) {
    // Invalidation queue error (spec 6.5.2.10): IQE is set, IQH stays at the descriptor,
    // processing stops until software clears IQE; a fault event reports it.
    ++c_.inv_errors;
    iqercd_ = uint64_t(why);
    fsts_ |= fsts::IQE;
    ctx_.queue_log.note(now_ps(), name(), "invq", "invalidation queue error IQEI=" + std::to_string(unsigned(why)));
    fault_event();
}

void Vtd::invq_thread() {
    for (;;) {
        while (!(gsts_ & gsts::QIES) || iqh_ == iqt_ || (fsts_ & fsts::IQE)) wait(invq_kick_);
        const bool dw = iqa_f::DW.get(iqa_);
        const unsigned bytes = dw ? kInvDesc256Bytes : kInvDesc128Bytes;
        const uint64_t size = uint64_t(4096) << iqa_f::QS.get(iqa_);
        if ((dw && (iqt_ & 0x10)) || iqt_ >= size) {
            invq_error(Iqei::TailMisaligned);
            continue;
        }
        uint64_t w[4] = {};
        if (!mem_read((iqa_ & iqa_f::IQA.mask()) + iqh_, w, bytes)) {
            invq_error(Iqei::FetchError);
            continue;
        }
        spend(inv_cycles_);
        const InvDesc d = decode_inv(w);
        ++c_.inv_descriptors;
        ++desc_counts_[inv_type_name(d.type)];
        ctx_.queue_log.write(now_ps(), name(), "invq", w, bytes / 8, to_string(d));
        if (!execute(d, w)) {
            invq_error(Iqei::InvalidType);
            continue;
        }
        iqh_ = (iqh_ + bytes) % size;
    }
}

bool Vtd::execute(const InvDesc& d, const uint64_t*) {
    switch (InvType(d.type)) {
    case InvType::CC:
        if (d.g == gran::CC_DEVICE) ctx_cache_.erase(d.sid);
        else ctx_cache_.clear();
        // Context changes make the PASID-cache entries of the device stale as well.
        if (d.g == gran::CC_DEVICE)
            pasid_cache_.erase_if([&](const uint64_t& k, const PasidCtx&) { return (k >> 20) == d.sid; });
        else pasid_cache_.clear();
        return true;
    case InvType::PC:
        if (d.g == gran::PC_GLOBAL) pasid_cache_.clear();
        else if (d.g == gran::PC_DOMAIN)
            pasid_cache_.erase_if([&](const uint64_t&, const PasidCtx& c) { return c.pe.did == d.did; });
        else
            pasid_cache_.erase_if([&](const uint64_t& k, const PasidCtx& c) {
                return c.pe.did == d.did && (k & 0xfffff) == d.pasid;
            });
        return true;
    case InvType::IOTLB:
        if (d.g == gran::IOTLB_GLOBAL) iotlb_.invalidate_all();
        else if (d.g == gran::IOTLB_DOMAIN || d.am > 9) iotlb_.invalidate_vmid(d.did);
        else
            for (uint64_t i = 0; i < (1ull << d.am); ++i) iotlb_.invalidate_va_all_asids(d.did, d.addr + i * 4096);
        return true;
    case InvType::P_IOTLB: {
        const uint16_t tag = iotlb_tag(d.did, d.pasid);
        if (d.g == gran::PIOTLB_PAGE && d.am <= 9)
            for (uint64_t i = 0; i < (1ull << d.am); ++i) iotlb_.invalidate_va(d.did, tag, d.addr + i * 4096);
        else if (d.g == gran::PIOTLB_PASID || d.g == gran::PIOTLB_PAGE) iotlb_.invalidate_asid(d.did, tag);
        else iotlb_.invalidate_vmid(d.did);
        return true;
    }
    case InvType::DEV_TLB:
    case InvType::P_DEV_TLB: {
        // Device-TLB invalidation: an ATS Invalidate Request to the function. With S = 1 the
        // range is encoded by the lowest clear bit of ADDR[63:12] (PCIe ATS 10.3.1).
        AtcInvalidate inv;
        inv.pasid_valid = InvType(d.type) == InvType::P_DEV_TLB;
        inv.pasid = inv.pasid_valid ? d.pasid : 0;
        inv.global = d.glob;
        uint8_t size = 0;
        uint64_t a = d.addr >> 12;
        if (d.s) {
            while (size < 52 && (a & 1)) { a >>= 1; ++size; }
            ++size;
        }
        inv.size = size;
        inv.addr = d.addr & ~((4096ull << size) - 1);
        inv.itag = next_itag_++ & 0x1f;
        ++atc_inv_outstanding_;
        send_msg(PcieMsg::atc_invalidate, d.sid, nullptr, &inv);
        return true;
    }
    case InvType::IEC:
        return true;   // no interrupt remapping in this model: nothing cached
    case InvType::WAIT:
        // Completes after every earlier descriptor has completed, device-TLB invalidations
        // included (their Invalidate Completions). Then the status write and/or IWC.
        while (atc_inv_outstanding_) wait(atc_inv_done_);
        if (d.sw) {
            mem_write(d.staddr, &d.stdata, 4);
            ++c_.wait_status_writes;
        }
        if (d.iflag) ics_ |= ics::IWC;
        return true;
    case InvType::PGRP_RESP: {
        PrgResponse r;
        r.pasid = d.pasid;
        r.pasid_valid = d.pp;
        r.prgi = d.prgi;
        r.code = d.rc == resp::SUCCESS ? PrgResponseCode::success
               : d.rc == resp::INVALID ? PrgResponseCode::invalid_request : PrgResponseCode::response_failure;
        send_msg(PcieMsg::prg_response, d.sid, &r, nullptr);
        return true;
    }
    default:
        return false;
    }
}

void Vtd::send_msg(PcieMsg kind, uint16_t rid, const PrgResponse* prg, const AtcInvalidate* inv) {
    OutMsg m;
    m.kind = kind;
    m.rid = rid;
    if (prg) m.prg = *prg;
    if (inv) m.inv = *inv;
    out_msgs_.push_back(m);
    out_msg_ev_.notify(sc_core::SC_ZERO_TIME);
}

void Vtd::msg_thread() {
    for (;;) {
        while (out_msgs_.empty()) wait(out_msg_ev_);
        OutMsg m = out_msgs_.front();
        out_msgs_.pop_front();
        PayloadPool::Lease lease(PayloadPool::shared(), tlm::TLM_IGNORE_COMMAND, 0, nullptr, 0);   // not on this stack: see PayloadPool
        tlm::tlm_generic_payload& gp = *lease;
        IopfExt ext;
        ext.sid = m.rid;
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
                --atc_inv_outstanding_;
                atc_inv_done_.notify(sc_core::SC_ZERO_TIME);
            }
        }
    }
}

}  // namespace iopf
