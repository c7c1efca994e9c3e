// SMMUv2 register space: GR0 (page 0), GR1 (page 1), context banks (page NUMPAGE + n).
// Part of the SmmuV2 module (smmu_v2.h). 32-bit registers take 32-bit accesses; 64-bit
// registers (TTBRn, FAR, PAR, TLBIVA*, sGFAR) take one 64-bit access or two 32-bit halves.
// Reserved offsets read as zero and ignore writes (counted as mmio_unknown).
#include <algorithm>
#include <cstring>

#include "models/common/units.h"
#include "models/smmu/v2/smmu_v2.h"

#include "models/common/reg64.h"

namespace iopf {

namespace v2 = smmu::v2;


void SmmuV2::mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (addr < mmio_base_ || addr - mmio_base_ >= mmio_size() || (len != 4 && len != 8) || (addr & (len - 1)) ||
        gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const uint32_t off = static_cast<uint32_t>(addr - mmio_base_);
    delay += clk_.cycles(1);
    if (gp.is_read()) {
        ++c_.mmio_reads;
        const uint64_t v = reg_read(off, len);
        std::memcpy(gp.get_data_ptr(), &v, len);
    } else {
        ++c_.mmio_writes;
        uint64_t v = 0;
        std::memcpy(&v, gp.get_data_ptr(), len);
        write_arrival_ = delay;   // the write reaches the SMMU once the annotated delay has passed
        reg_write(off, v, len);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint64_t SmmuV2::reg_read(uint32_t off, unsigned len) {
    const unsigned page = off / v2::reg::PAGE_SIZE, np = v2::numpage(id_.numpagendxb);
    const uint32_t in = off % v2::reg::PAGE_SIZE;
    const unsigned n = in / 4;
    if (page == 0) {
        if ((in & ~7u) == v2::reg::sGFAR) return read64_part(sgfar_, in & 4, len);
        if (in >= v2::reg::SMR(0) && n - v2::reg::SMR(0) / 4 < smr_.size()) return smr_[n - v2::reg::SMR(0) / 4];
        if (in >= v2::reg::S2CR(0) && n - v2::reg::S2CR(0) / 4 < s2cr_.size()) return s2cr_[n - v2::reg::S2CR(0) / 4];
        switch (in) {
        case v2::reg::sCR0: return scr0_;
        case v2::reg::sACR: return sacr_;
        case v2::reg::ID0: return v2::make_id0(id_);
        case v2::reg::ID1: return v2::make_id1(id_);
        case v2::reg::ID2: return v2::make_id2(id_);
        case v2::reg::ID7: return v2::make_id7(id_);
        case v2::reg::sGFSR: return sgfsr_;
        case v2::reg::sGFSYNR0: return sgfsynr0_;
        case v2::reg::sGFSYNR1: return sgfsynr1_;
        case v2::reg::sTLBGSTATUS: return now_ps() < gsync_done_ps_ ? v2::TLBSTATUS_SACTIVE : 0;
        default: break;
        }
    } else if (page == 1) {
        if (n < banks_.size()) return banks_[n]->cbar;
        if (in >= v2::reg::CBFRSYNRA(0) && n - v2::reg::CBFRSYNRA(0) / 4 < banks_.size())
            return banks_[n - v2::reg::CBFRSYNRA(0) / 4]->cbfrsynra;
        if (in >= v2::reg::CBA2R(0) && n - v2::reg::CBA2R(0) / 4 < banks_.size())
            return banks_[n - v2::reg::CBA2R(0) / 4]->cba2r;
    } else if (page >= np && page - np < banks_.size()) {
        return cb_read(*banks_[page - np], in, len);
    }
    ++c_.mmio_unknown;
    return 0;
}

uint64_t SmmuV2::cb_read(Bank& b, uint32_t in, unsigned len) {
    const uint32_t half = in & 4;
    switch (in & ~7u) {
    case v2::reg::CB_TTBR0: return read64_part(b.ttbr0, half, len);
    case v2::reg::CB_TTBR1: return read64_part(b.ttbr1, half, len);
    case v2::reg::CB_PAR: return read64_part(b.par, half, len);
    case v2::reg::CB_FAR: return read64_part(b.far, half, len);
    default: break;
    }
    switch (in) {
    case v2::reg::CB_SCTLR: return b.sctlr;
    case v2::reg::CB_ACTLR: return b.actlr;
    case v2::reg::CB_TCR2: return b.tcr2;
    case v2::reg::CB_TCR: return b.tcr;
    case v2::reg::CB_CONTEXTIDR: return b.contextidr;
    case v2::reg::CB_MAIR0: return b.mair0;
    case v2::reg::CB_MAIR1: return b.mair1;
    case v2::reg::CB_FSR: return b.fsr;
    case v2::reg::CB_FSYNR0: return b.fsynr0;
    case v2::reg::CB_FSYNR1: return b.fsynr1;
    case v2::reg::CB_TLBSTATUS: return now_ps() < b.tlbsync_done_ps ? v2::TLBSTATUS_SACTIVE : 0;
    case v2::reg::CB_RESUME:        // write-only
    case v2::reg::CB_FSRRESTORE:
        return 0;
    default: ++c_.mmio_unknown; return 0;
    }
}

void SmmuV2::reg_write(uint32_t off, uint64_t v, unsigned len) {
    const unsigned page = off / v2::reg::PAGE_SIZE, np = v2::numpage(id_.numpagendxb);
    const uint32_t in = off % v2::reg::PAGE_SIZE;
    const unsigned n = in / 4;
    const uint32_t v32 = static_cast<uint32_t>(v);
    if (page == 0) {
        if (in >= v2::reg::SMR(0) && n - v2::reg::SMR(0) / 4 < smr_.size()) { smr_[n - v2::reg::SMR(0) / 4] = v32; return; }
        if (in >= v2::reg::S2CR(0) && n - v2::reg::S2CR(0) / 4 < s2cr_.size()) { s2cr_[n - v2::reg::S2CR(0) / 4] = v32; return; }
        switch (in) {
        case v2::reg::sCR0: scr0_ = v32; update_irqs(); return;
        case v2::reg::sACR: sacr_ = v32; return;
        case v2::reg::sGFSR: sgfsr_ &= ~v32; update_irqs(); return;   // W1C
        case v2::reg::sGFSRRESTORE: sgfsr_ = v32; update_irqs(); return;
        case v2::reg::TLBIALLNSNH: tlb_.invalidate_all(); ++cmd_counts_["TLBIALLNSNH"]; return;
        case v2::reg::TLBIVMID:
            for (const auto& b : banks_)
                if (v2::decode_cbar(b->cbar).vmid == (v32 & 0xff)) tlb_.invalidate_vmid(uint16_t(b->index));
            ++cmd_counts_["TLBIVMID"];
            return;
        case v2::reg::sTLBGSYNC:
            gsync_done_ps_ = now_ps() + clk_.cycles_ps(tlbsync_cycles_);
            ++cmd_counts_["sTLBGSYNC"];
            return;
        default: break;
        }
    } else if (page == 1) {
        if (n < banks_.size()) { banks_[n]->cbar = v32; banks_[n]->dirty = true; update_irqs(); return; }
        if (in >= v2::reg::CBFRSYNRA(0) && n - v2::reg::CBFRSYNRA(0) / 4 < banks_.size()) {
            banks_[n - v2::reg::CBFRSYNRA(0) / 4]->cbfrsynra = v32;
            return;
        }
        if (in >= v2::reg::CBA2R(0) && n - v2::reg::CBA2R(0) / 4 < banks_.size()) {
            Bank& b = *banks_[n - v2::reg::CBA2R(0) / 4];
            b.cba2r = v32;
            b.dirty = true;
            return;
        }
    } else if (page >= np && page - np < banks_.size()) {
        cb_write(*banks_[page - np], in, v, len);
        return;
    }
    ++c_.mmio_unknown;
}

void SmmuV2::cb_write(Bank& b, uint32_t in, uint64_t v, unsigned len) {
    const uint32_t half = in & 4;
    const uint32_t v32 = static_cast<uint32_t>(v);
    switch (in & ~7u) {
    case v2::reg::CB_TTBR0: write64_part(b.ttbr0, half, v, len); b.dirty = true; return;
    case v2::reg::CB_TTBR1: write64_part(b.ttbr1, half, v, len); b.dirty = true; return;
    case v2::reg::CB_PAR: write64_part(b.par, half, v, len); return;
    case v2::reg::CB_FAR: write64_part(b.far, half, v, len); return;
    case v2::reg::CB_TLBIVA:
    case v2::reg::CB_TLBIVAL:
        tlb_.invalidate_va(uint16_t(b.index), v2::tlbiva_asid(v), v2::tlbiva_va(v));
        ++cmd_counts_[(in & ~7u) == v2::reg::CB_TLBIVA ? "TLBIVA" : "TLBIVAL"];
        log_write(b, in & ~7u, v);
        return;
    case v2::reg::CB_TLBIVAA:
    case v2::reg::CB_TLBIVAAL:
        tlb_.invalidate_va_all_asids(uint16_t(b.index), v2::tlbiva_va(v));
        ++cmd_counts_[(in & ~7u) == v2::reg::CB_TLBIVAA ? "TLBIVAA" : "TLBIVAAL"];
        log_write(b, in & ~7u, v);
        return;
    default: break;
    }
    switch (in) {
    case v2::reg::CB_SCTLR: {
        b.sctlr = v32;
        b.dirty = true;
        log_write(b, in, v32);
        update_irqs();
        b.unblock.notify(sc_core::SC_ZERO_TIME);   // HUPCF / CFCFG may release held transactions
        return;
    }
    case v2::reg::CB_ACTLR: b.actlr = v32; return;
    case v2::reg::CB_RESUME:
        log_write(b, in, v32);
        ++cmd_counts_["RESUME"];
        resume(b, v32);
        return;
    case v2::reg::CB_TCR2: b.tcr2 = v32; b.dirty = true; return;
    case v2::reg::CB_TCR: b.tcr = v32; b.dirty = true; return;
    case v2::reg::CB_CONTEXTIDR: b.contextidr = v32; return;
    case v2::reg::CB_MAIR0: b.mair0 = v32; return;
    case v2::reg::CB_MAIR1: b.mair1 = v32; return;
    case v2::reg::CB_FSR:
    case v2::reg::CB_FSRRESTORE: {
        log_write(b, in, v32);
        // W1C, except SS: only CB_RESUME clears it. The context interrupt is a level:
        // while FSR is non-zero (SS included) and SCTLR.CFIE is set it stays asserted, and
        // the interrupt controller takes it again when the handler's thread finishes.
        b.fsr = in == v2::reg::CB_FSR ? v2::fsr_w1c(b.fsr, v32) : (v32 & v2::fsr::ALL);
        if (!(b.fsr & v2::fsr::SYNDROME)) ctx_.faults.clear_key(name(), b.index);
        b.fsr_ss = (b.fsr & v2::fsr::SS) != 0;
        update_irqs();
        b.unblock.notify(sc_core::SC_ZERO_TIME);   // the fault may no longer be outstanding
        return;
    }
    case v2::reg::CB_FSYNR0: b.fsynr0 = v32; return;
    case v2::reg::CB_FSYNR1: b.fsynr1 = v32; return;
    case v2::reg::CB_TLBIASID:
        tlb_.invalidate_asid(uint16_t(b.index), uint16_t(v32 & 0xffff));
        ++cmd_counts_["TLBIASID"];
        log_write(b, in, v32);
        return;
    case v2::reg::CB_TLBIALL:
        tlb_.invalidate_vmid(uint16_t(b.index));
        ++cmd_counts_["TLBIALL"];
        log_write(b, in, v32);
        return;
    case v2::reg::CB_TLBSYNC:
        // Invalidations act at once; TLBSTATUS.SACTIVE reads 1 for tlbsync_cycles.
        b.tlbsync_done_ps = now_ps() + clk_.cycles_ps(tlbsync_cycles_);
        ++cmd_counts_["TLBSYNC"];
        log_write(b, in, v32);
        return;
    default: ++c_.mmio_unknown; return;
    }
}

void SmmuV2::log_write(Bank& b, uint32_t off, uint64_t v) {
    if (reg_log_.size() < reg_log_limit_) reg_log_.push_back({now_ps(), b.index, off, v});
    if (ctx_.queue_log.enabled()) {
        std::string text = v2::cb_reg_name(off) + " <- " + hex(v);
        if (off == v2::reg::CB_FSR) text += " (clear " + v2::fsr_to_string(uint32_t(v)) + ")";
        if (off == v2::reg::CB_RESUME) text += (v & v2::resume::TNR) ? " (terminate)" : " (retry)";
        ctx_.queue_log.note(now_ps(), name(), ("cb" + std::to_string(b.index)).c_str(), text);
    }
}

void SmmuV2::drive_irqs() {
    const uint64_t t = now_ps();
    std::vector<bool> level(irq_lines_.size(), false);
    for (const auto& b : banks_)
        if ((b->sctlr & v2::sctlr::CFIE) && b->fsr != 0) level[v2::decode_cbar(b->cbar).irptndx % level.size()] = true;
    uint64_t next = 0;
    for (size_t i = 0; i < level.size(); ++i) {
        if (level[i] && t < irq_low_until_ps_[i]) {
            level[i] = false;
            next = next ? std::min(next, irq_low_until_ps_[i]) : irq_low_until_ps_[i];
        }
        irq_lines_[i]->write(level[i]);
    }
    if (next) irq_ev_.notify(ps(next - t));
    global_irq.write((scr0_ & v2::scr0::GFIE) && sgfsr_ != 0);
}

}  // namespace iopf
