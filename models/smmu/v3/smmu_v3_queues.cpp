// SMMUv3 command queue consumer, event queue producer and interrupt outputs. Part of the
// SmmuV3 module (smmu_v3.h). Queues live in simulated memory with PROD/CONS registers and
// wrap bits; every entry read or written is a timed access through the walk port.
#include "models/smmu/v3/format/queue.h"
#include "models/smmu/v3/format/regs.h"
#include "models/smmu/v3/smmu_v3.h"

namespace iopf {

namespace v3 = smmu::v3;
using smmu::EventId;

void SmmuV3::cmdq_thread() {
    for (;;) {
        wait(cmdq_kick_);
        while ((cr0ack_ & v3::cr0::CMDQEN.mask()) && !cmdq_stopped_ && !qptr(cmdq_base_).is_empty(cmdq_prod_, cmdq_cons_)) {
            const v3::QueuePtr q = qptr(cmdq_base_);
            const uint64_t slot = qaddr(cmdq_base_) + q.offset(cmdq_cons_, 16);
            uint64_t w[2] = {0, 0};
            if (!mem_read(slot, w, 16, inj_.cmdq_fetch)) { cmdq_error(v3::CERROR_ABT); break; }
            v3::DecodeResult d = v3::decode_command(w, feat_);
            if (ctx_.queue_log.enabled()) {   // no string building while the log is off
                std::string text = d.ok ? v3::to_string(d.cmd) : (std::string("ILLEGAL (") + d.reason + ") " + v3::to_string(d.cmd));
                ctx_.queue_log.write(now_ps(), name(), "cmdq", w, 2, text);
            }
            uint32_t cerror = v3::CERROR_NONE;
            if (!d.ok || !execute(d.cmd, cerror)) {
                cmdq_error(cerror == v3::CERROR_NONE ? v3::CERROR_ILL : cerror);
                break;
            }
            ++cmd_counts_[v3::command_name(d.cmd)];
            cmdq_cons_ = q.inc(cmdq_cons_);
            cmdq_occupancy_ = q.used(cmdq_prod_, cmdq_cons_);
        }
    }
}

void SmmuV3::cmdq_error(uint32_t cerror) {
    // CMDQ_CONS.ERR records why; GERROR.CMDQ_ERR toggles (active while != GERRORN); the
    // queue stops, CONS still pointing at the offending command, until software acks.
    ++c_.cmdq_errors;
    cmdq_stopped_ = true;
    cmdq_cons_ = (cmdq_cons_ & ~uint32_t(v3::q_ptr::ERR.mask())) | uint32_t(v3::q_ptr::ERR.make(cerror));
    const bool already_active = (gerror_ ^ gerrorn_) & v3::gerror::CMDQ_ERR;
    if (!already_active) gerror_ ^= v3::gerror::CMDQ_ERR;
    if (ctx_.queue_log.enabled()) ctx_.queue_log.note(now_ps(), name(), "cmdq", "CMDQ_ERR: CONS.ERR=" + std::to_string(cerror) + " queue stopped");
    signal_irq(gerror_irq, gerror_irq_cfg0_, gerror_irq_cfg1_, v3::irq_ctrl::GERROR_IRQEN.mask());
}

bool SmmuV3::execute(const v3::Command& cmd, uint32_t& cerror) {
    spend(cmd_cycles_);
    using Op = v3::Opcode;
    switch (cmd.opcode) {
    case Op::CFGI_STE:
        ste_cache_.erase(cmd.sid);
        cd_cache_.erase_if([&](uint64_t k, const CdEntry&) { return (k >> 20) == cmd.sid; });
        return true;
    case Op::CFGI_STE_RANGE: {
        // Invalidates 2^(Range+1) StreamIDs; Range = 31 is CFGI_ALL.
        const uint64_t span = cmd.is_cfgi_all() ? (1ull << 32) : (2ull << cmd.range);
        const uint64_t first = cmd.sid & ~(span - 1);
        ste_cache_.erase_if([&](uint32_t sid, const v3::Ste&) { return sid >= first && sid - first < span; });
        cd_cache_.erase_if([&](uint64_t k, const CdEntry&) { return (k >> 20) >= first && (k >> 20) - first < span; });
        return true;
    }
    case Op::CFGI_CD:
        cd_cache_.erase((uint64_t(cmd.sid) << 20) | cmd.ssid);
        return true;
    case Op::CFGI_CD_ALL:
        cd_cache_.erase_if([&](uint64_t k, const CdEntry&) { return (k >> 20) == cmd.sid; });
        return true;
    // The NH commands act on the stage-1 (and combined) entries of their VMID; with stage 2
    // stage-1-only streams are tagged with STE.S2VMID (Linux uses 0).
    case Op::TLBI_NH_ALL:
        tlb_.invalidate_s1_vmid(cmd.vmid);
        return true;
    case Op::TLBI_NH_ASID:
        tlb_.invalidate_asid(cmd.vmid, cmd.asid);
        return true;
    case Op::TLBI_NH_VA:
        tlb_.invalidate_va(cmd.vmid, cmd.asid, cmd.addr, cmd.leaf);
        return true;
    case Op::TLBI_NH_VAA:
        tlb_.invalidate_va_all_asids(cmd.vmid, cmd.addr, cmd.leaf);
        return true;
    case Op::TLBI_S12_VMALL:
        tlb_.invalidate_vmid(cmd.vmid);   // stage 1, combined and stage 2 of the VMID
        return true;
    case Op::TLBI_S2_IPA:
        tlb_.invalidate_ipa(cmd.vmid, cmd.addr);   // stage-2 entries only (combined ones stay)
        return true;
    case Op::TLBI_NSNH_ALL:
        tlb_.invalidate_all();
        return true;
    case Op::PREFETCH_CONFIG:
    case Op::PREFETCH_ADDR: {
        // Prefetch the STE into the configuration cache; errors are not reported.
        v3::Ste ste;
        uint64_t fa;
        fetch_ste(cmd.sid, ste, fa);
        return true;
    }
    case Op::PRI_RESP: {
        // Deliver the PRG Response to the endpoint (asynchronously: CMD_SYNC does not wait).
        PrgResponse r;
        r.pasid = cmd.ssid;
        r.pasid_valid = cmd.ssv;
        r.prgi = cmd.prgi;
        r.code = cmd.resp == uint8_t(v3::PriResp::Success) ? PrgResponseCode::success
               : cmd.resp == uint8_t(v3::PriResp::InvalidRequest) ? PrgResponseCode::invalid_request
                                                                 : PrgResponseCode::response_failure;
        send_prg_response(cmd.sid, r);
        return true;
    }
    case Op::ATC_INV: {
        // ATS Invalidate Request to the endpoint; its completion is tracked so that a later
        // CMD_SYNC waits for it.
        OutMsg m;
        m.kind = PcieMsg::atc_invalidate;
        m.sid = cmd.sid;
        m.inv.pasid = cmd.ssid;
        m.inv.pasid_valid = cmd.ssv;
        m.inv.global = cmd.global;
        m.inv.addr = cmd.addr;
        m.inv.size = cmd.size;
        m.inv.itag = next_itag_++;
        ++atc_inv_outstanding_;
        out_msgs_.push_back(m);
        out_msg_ev_.notify(sc_core::SC_ZERO_TIME);
        return true;
    }
    case Op::SYNC: {
        // Every earlier command has completed (they run in order, invalidations of the
        // SMMU's own caches are synchronous); ATC invalidations complete when their
        // endpoints answer. Then signal completion as CS asks.
        if (atc_inv_outstanding_) {
            const uint64_t t0 = now_ps();
            while (atc_inv_outstanding_) wait(atc_inv_done_);
            if (ctx_.queue_log.enabled()) ctx_.queue_log.note(now_ps(), name(), "cmdq",
                                "CMD_SYNC waited " + std::to_string((now_ps() - t0) / 1000) +
                                    " ns for ATC invalidation completions");
        }
        if (cmd.cs == uint8_t(v3::SyncCs::SIG_IRQ) && feat_.msi && cmd.msiaddr) {
            uint32_t data = cmd.msidata;
            if (!mem_write(cmd.msiaddr, &data, 4, inj_.msi_write)) {
                // MSI write aborted: GERROR.MSI_CMDQ_ABT_ERR; the SYNC still completes.
                ++c_.msi_aborts;
                if (!((gerror_ ^ gerrorn_) & v3::gerror::MSI_CMDQ_ABT_ERR)) gerror_ ^= v3::gerror::MSI_CMDQ_ABT_ERR;
                signal_irq(gerror_irq, gerror_irq_cfg0_, gerror_irq_cfg1_, v3::irq_ctrl::GERROR_IRQEN.mask());
            }
        } else if (cmd.cs == uint8_t(v3::SyncCs::SIG_SEV) && feat_.sev) {
            pulse(sev);
        }
        return true;
    }
    case Op::RESUME:
        // Completes when consumed. Ac (retry) wins over Ab; else Ab = abort, !Ab = RAZ/WI.
        resume(cmd.sid, cmd.stag,
               cmd.resume_retry() ? v3::ResumeResp::RETRY
               : cmd.resume_abort() ? v3::ResumeResp::ABORT : v3::ResumeResp::TERM);
        return true;
    case Op::STALL_TERM:
        // Every transaction of the StreamID still stalled is terminated with an abort.
        ++c_.stall_terms;
        for (uint16_t stag = 0; stag < stall_table_.size(); ++stag)
            if (stall_table_.held(cmd.sid, stag)) resume(cmd.sid, stag, v3::ResumeResp::ABORT);
        return true;
    default:
        // Everything else that decodes as legal is an invalidation this stage-1-only,
        // ATS-less configuration has nothing cached for.
        return true;
    }
}

bool SmmuV3::write_event(const v3::EventRecord& ev, bool stall) {
    Hold lock(evtq_writer_);
    if (!(cr0ack_ & v3::cr0::EVENTQEN.mask())) { ++c_.events_dropped_disabled; return false; }
    const v3::QueuePtr q = qptr(evtq_base_);
    uint64_t w[4];
    v3::encode_event(ev, w);
    // Unwritable while an EVENTQ_ABT_ERR is unacknowledged (7.2.1): a stall's record waits
    // for the GERRORN write, any other event is discarded.
    if (gerror_active(v3::gerror::EVENTQ_ABT_ERR)) {
        if (!stall) ++c_.events_dropped_abort;
        return false;
    }
    if (stall && q.is_full(evtq_prod_, evtq_cons_)) return false;   // presented again later
    ++event_counts_[smmu::event_name(ev.id)];
    ++c_.events;
    if (q.is_full(evtq_prod_, evtq_cons_)) {
        // Overflow: the record is lost; PROD.OVFLG toggles on entering the overflow condition
        // (PROD.OVFLG != CONS.OVACKFLG while software has not acknowledged).
        ++c_.events_lost;
        const bool active = ((evtq_prod_ ^ evtq_cons_) & v3::q_ptr::OVFLG) != 0;
        if (!active) {
            evtq_prod_ ^= v3::q_ptr::OVFLG;
            signal_irq(evtq_irq, evtq_irq_cfg0_, evtq_irq_cfg1_, v3::irq_ctrl::EVENTQ_IRQEN.mask());
        }
        if (ctx_.queue_log.enabled()) ctx_.queue_log.write(now_ps(), name(), "evtq-lost", w, 4, v3::to_string(ev));
        return false;
    }
    const uint64_t slot = qaddr(evtq_base_) + q.offset(evtq_prod_, 32);
    if (!mem_write(slot, w, 32, inj_.evtq_write)) {
        // A synchronous abort (7.2.2): PROD stays, the record is not visible. A stall's
        // record is presented again once software acknowledged the error.
        ++c_.evtq_aborts;
        --c_.events;                                   // not recorded (a stall's record comes again)
        if (!--event_counts_[smmu::event_name(ev.id)]) event_counts_.erase(smmu::event_name(ev.id));
        if (ctx_.queue_log.enabled()) ctx_.queue_log.write(now_ps(), name(), "evtq-abort", w, 4, v3::to_string(ev));
        gerror_ ^= ((gerror_ ^ gerrorn_) & v3::gerror::EVENTQ_ABT_ERR) ? 0 : v3::gerror::EVENTQ_ABT_ERR;
        signal_irq(gerror_irq, gerror_irq_cfg0_, gerror_irq_cfg1_, v3::irq_ctrl::GERROR_IRQEN.mask());
        return false;
    }
    evtq_prod_ = q.inc(evtq_prod_);   // keeps OVFLG
    evtq_occupancy_ = q.used(evtq_prod_, evtq_cons_);
    if (ctx_.queue_log.enabled()) ctx_.queue_log.write(now_ps(), name(), "evtq", w, 4, v3::to_string(ev));
    signal_irq(evtq_irq, evtq_irq_cfg0_, evtq_irq_cfg1_, v3::irq_ctrl::EVENTQ_IRQEN.mask());
    return true;
}

void SmmuV3::signal_irq(Line& line, uint64_t cfg0, uint32_t cfg1, uint32_t irqen_bit) {
    if (!(irq_ctrlack_ & irqen_bit)) return;
    const uint64_t msi_addr = cfg0 & v3::irq_cfg0::ADDR.mask();
    if (!feat_.msi || !msi_addr) {
        pulse(line);
        return;
    }
    // MSI: a 32-bit write of IRQ_CFG1 (data) to IRQ_CFG0 (address). An abort on it is
    // reported in GERROR.MSI_*_ABT_ERR (unless that is the GERROR MSI itself failing again).
    if (mem_write(msi_addr, &cfg1, 4, inj_.msi_write)) return;
    ++c_.msi_aborts;
    const uint32_t bit = &line == &evtq_irq ? v3::gerror::MSI_EVENTQ_ABT_ERR
                       : &line == &priq_irq ? v3::gerror::MSI_PRIQ_ABT_ERR : v3::gerror::MSI_GERROR_ABT_ERR;
    if ((gerror_ ^ gerrorn_) & bit) return;
    gerror_ ^= bit;
    if (&line != &gerror_irq) signal_irq(gerror_irq, gerror_irq_cfg0_, gerror_irq_cfg1_, v3::irq_ctrl::GERROR_IRQEN.mask());
}

void SmmuV3::pulse(Line& line) {
    line.write(true);
    lower_ev_.notify(clk_.cycles(1));
}

void SmmuV3::lower_lines() {
    evtq_irq.write(false);
    gerror_irq.write(false);
    priq_irq.write(false);
    sev.write(false);
}

}  // namespace iopf
