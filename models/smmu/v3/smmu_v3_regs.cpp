// SMMUv3 register file (page 0 and page 1). Part of the SmmuV3 module (smmu_v3.h).
// 32-bit registers take 32-bit accesses; 64-bit registers take one 64-bit access or two
// 32-bit halves. Reserved offsets read as zero and ignore writes (counted in stats).
#include <cstring>

#include "models/common/reg64.h"
#include "models/smmu/v3/format/queue.h"
#include "models/smmu/v3/format/regs.h"
#include "models/smmu/v3/smmu_v3.h"

namespace iopf {

namespace v3 = smmu::v3;


void SmmuV3::mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (addr < mmio_base_ || addr - mmio_base_ >= kMmioSize || (len != 4 && len != 8) || (addr & (len - 1)) ||
        gp.get_byte_enable_ptr()) {
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const uint32_t off = static_cast<uint32_t>(addr - mmio_base_);
    delay += clk_.cycles(1);
    if (gp.is_read()) {
        ++c_.mmio_reads;
        uint64_t v = reg_read(off, len);
        std::memcpy(gp.get_data_ptr(), &v, len);
    } else {
        ++c_.mmio_writes;
        uint64_t v = 0;
        std::memcpy(&v, gp.get_data_ptr(), len);
        reg_write(off, v, len);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

uint64_t SmmuV3::reg_read(uint32_t off, unsigned len) {
    const uint32_t base64 = off & ~7u, half = off & 4u;
    switch (base64) {
    case v3::reg::GERROR_IRQ_CFG0: return read64_part(gerror_irq_cfg0_, half, len);
    case v3::reg::STRTAB_BASE: return read64_part(strtab_base_, half, len);
    case v3::reg::CMDQ_BASE: return read64_part(cmdq_base_, half, len);
    case v3::reg::EVTQ_BASE: return read64_part(evtq_base_, half, len);
    case v3::reg::EVENTQ_IRQ_CFG0: return read64_part(evtq_irq_cfg0_, half, len);
    case v3::reg::PRIQ_BASE: return read64_part(priq_base_, half, len);
    case v3::reg::PRIQ_IRQ_CFG0: return read64_part(priq_irq_cfg0_, half, len);
    default: break;
    }
    switch (off) {
    case v3::reg::IDR0: return v3::make_idr0(feat_);
    case v3::reg::IDR1: return v3::make_idr1(feat_);
    case v3::reg::IDR2: return v3::make_idr2(feat_);
    case v3::reg::IDR3: return v3::make_idr3(feat_);
    case v3::reg::IDR4: return v3::make_idr4(feat_);
    case v3::reg::IDR5: return v3::make_idr5(feat_);
    case v3::reg::IIDR: return v3::make_iidr(feat_);
    case v3::reg::AIDR: return v3::make_aidr(feat_);
    case v3::reg::CR0: return cr0_;
    case v3::reg::CR0ACK: return cr0ack_;
    case v3::reg::CR1: return cr1_;
    case v3::reg::CR2: return cr2_;
    case v3::reg::STATUSR: return 0;
    case v3::reg::GBPA: return gbpa_;
    case v3::reg::AGBPA: return 0;
    case v3::reg::IRQ_CTRL: return irq_ctrl_;
    case v3::reg::IRQ_CTRLACK: return irq_ctrlack_;
    case v3::reg::GERROR: return gerror_;
    case v3::reg::GERRORN: return gerrorn_;
    case v3::reg::GERROR_IRQ_CFG1: return gerror_irq_cfg1_;
    case v3::reg::GERROR_IRQ_CFG2: return gerror_irq_cfg2_;
    case v3::reg::STRTAB_BASE_CFG: return strtab_base_cfg_;
    case v3::reg::CMDQ_PROD: return cmdq_prod_;
    case v3::reg::CMDQ_CONS: return cmdq_cons_;
    case v3::reg::EVENTQ_IRQ_CFG1: return evtq_irq_cfg1_;
    case v3::reg::EVENTQ_IRQ_CFG2: return evtq_irq_cfg2_;
    case v3::reg::PRIQ_IRQ_CFG1: return priq_irq_cfg1_;
    case v3::reg::PRIQ_IRQ_CFG2: return priq_irq_cfg2_;
    case v3::reg::EVTQ_PROD: return evtq_prod_;
    case v3::reg::EVTQ_CONS: return evtq_cons_;
    case v3::reg::PRIQ_PROD: return priq_prod_;
    case v3::reg::PRIQ_CONS: return priq_cons_;
    default: ++c_.mmio_unknown; return 0;
    }
}

void SmmuV3::reg_write(uint32_t off, uint64_t v, unsigned len) {
    const uint32_t base64 = off & ~7u, half = off & 4u;
    const uint32_t v32 = static_cast<uint32_t>(v);
    switch (base64) {
    case v3::reg::GERROR_IRQ_CFG0: write64_part(gerror_irq_cfg0_, half, v, len); return;
    case v3::reg::STRTAB_BASE: write64_part(strtab_base_, half, v, len); return;
    case v3::reg::CMDQ_BASE: write64_part(cmdq_base_, half, v, len); return;
    case v3::reg::EVTQ_BASE: write64_part(evtq_base_, half, v, len); return;
    case v3::reg::EVENTQ_IRQ_CFG0: write64_part(evtq_irq_cfg0_, half, v, len); return;
    case v3::reg::PRIQ_BASE: write64_part(priq_base_, half, v, len); return;
    case v3::reg::PRIQ_IRQ_CFG0: write64_part(priq_irq_cfg0_, half, v, len); return;
    default: break;
    }
    switch (off) {
    case v3::reg::CR0:
        // Only implemented bits are kept; CR0ACK follows after `cr0ack_cycles`.
        cr0_ = v32 & uint32_t(v3::cr0::SMMUEN.mask() | v3::cr0::PRIQEN.mask() | v3::cr0::EVENTQEN.mask() |
                              v3::cr0::CMDQEN.mask() | v3::cr0::ATSCHK.mask());
        if (!(cr0_ & v3::cr0::CMDQEN.mask())) cmdq_stopped_ = false;
        ack_ev_.notify(clk_.cycles(ack_cycles_));
        return;
    case v3::reg::CR1: cr1_ = v32; return;
    case v3::reg::CR2: cr2_ = v32; return;
    case v3::reg::GBPA:
        // Software sets GBPA.Update with the new value; the SMMU applies it and clears Update.
        if (v32 & v3::gbpa::UPDATE.mask()) gbpa_ = v32 & ~uint32_t(v3::gbpa::UPDATE.mask());
        return;
    case v3::reg::IRQ_CTRL:
        irq_ctrl_ = v32 & uint32_t(v3::irq_ctrl::GERROR_IRQEN.mask() | v3::irq_ctrl::PRIQ_IRQEN.mask() |
                                   v3::irq_ctrl::EVENTQ_IRQEN.mask());
        ack_ev_.notify(clk_.cycles(ack_cycles_));
        return;
    case v3::reg::GERRORN: {
        uint32_t acked = (gerror_ ^ gerrorn_) & ~(gerror_ ^ v32);   // errors software acknowledged now
        gerrorn_ = v32;
        if (acked) gerror_ack_ev_.notify(sc_core::SC_ZERO_TIME);   // queues writable again
        if ((acked & v3::gerror::CMDQ_ERR) && cmdq_stopped_) {
            // CMDQ_ERR acknowledged: clear CONS.ERR and resume at CONS.
            cmdq_stopped_ = false;
            cmdq_cons_ &= ~uint32_t(v3::q_ptr::ERR.mask());
            cmdq_kick_.notify(sc_core::SC_ZERO_TIME);
        }
        return;
    }
    case v3::reg::GERROR_IRQ_CFG1: gerror_irq_cfg1_ = v32; return;
    case v3::reg::GERROR_IRQ_CFG2: gerror_irq_cfg2_ = v32; return;
    case v3::reg::STRTAB_BASE_CFG: strtab_base_cfg_ = v32; return;
    case v3::reg::CMDQ_PROD:
        cmdq_prod_ = qptr(cmdq_base_).ptr(v32);
        cmdq_occupancy_ = qptr(cmdq_base_).used(cmdq_prod_, cmdq_cons_);
        cmdq_kick_.notify(sc_core::SC_ZERO_TIME);
        return;
    case v3::reg::CMDQ_CONS:
        // Writable by software only while the queue is disabled.
        if (!(cr0_ & v3::cr0::CMDQEN.mask()) && !(cr0ack_ & v3::cr0::CMDQEN.mask())) cmdq_cons_ = v32;
        return;
    case v3::reg::EVENTQ_IRQ_CFG1: evtq_irq_cfg1_ = v32; return;
    case v3::reg::EVENTQ_IRQ_CFG2: evtq_irq_cfg2_ = v32; return;
    case v3::reg::PRIQ_IRQ_CFG1: priq_irq_cfg1_ = v32; return;
    case v3::reg::PRIQ_IRQ_CFG2: priq_irq_cfg2_ = v32; return;
    case v3::reg::EVTQ_PROD:
        // Owned by the SMMU while the queue is enabled.
        if (!(cr0ack_ & v3::cr0::EVENTQEN.mask())) evtq_prod_ = v32;
        return;
    case v3::reg::EVTQ_CONS:
        evtq_cons_ = v32;
        evtq_occupancy_ = qptr(evtq_base_).used(evtq_prod_, evtq_cons_);
        evtq_space_.notify(sc_core::SC_ZERO_TIME);
        return;
    case v3::reg::PRIQ_PROD:
        if (!(cr0ack_ & v3::cr0::PRIQEN.mask())) priq_prod_ = v32;
        return;
    case v3::reg::PRIQ_CONS:
        priq_cons_ = v32;
        priq_occupancy_ = qptr(priq_base_).used(priq_prod_, priq_cons_);
        return;
    default: ++c_.mmio_unknown; return;   // RAZ/WI (including read-only registers)
    }
}

void SmmuV3::ack_process() {
    // CR0ACK and IRQ_CTRLACK take the written values once the SMMU has acted on them.
    const uint32_t was = cr0ack_;
    cr0ack_ = cr0_;
    irq_ctrlack_ = irq_ctrl_;
    if ((was & v3::cr0::SMMUEN.mask()) && !(cr0ack_ & v3::cr0::SMMUEN.mask())) {
        // Translation turned off: every stalled transaction is terminated (abort).
        for (uint16_t stag = 0; stag < stall_table_.size(); ++stag) {
            const smmu::StallTable::Entry& e = stall_table_.at(stag);
            if (e.used && e.resp < 0) stall_table_.resume(stag, int(v3::ResumeResp::ABORT));
        }
    }
    if ((cr0ack_ & v3::cr0::CMDQEN.mask()) && !(was & v3::cr0::CMDQEN.mask())) cmdq_kick_.notify(sc_core::SC_ZERO_TIME);
}

}  // namespace iopf
