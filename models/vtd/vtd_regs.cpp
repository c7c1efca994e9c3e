// Vtd register file (spec chapter 11). 32-bit registers take 32-bit accesses; 64-bit
// registers one 64-bit access or two 32-bit halves. Reserved offsets read as zero and
// ignore writes (counted). Part of the Vtd module (vtd.h).
#include <cstring>

#include "models/common/reg64.h"
#include "models/vtd/vtd.h"

namespace iopf {

using namespace vtd;

void Vtd::mmio_b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
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

uint32_t Vtd::fsts_value() const {
    // PPF: some fault recording register has F set; FRI: the oldest such register.
    uint32_t v = fsts_;
    for (unsigned i = 0; i < caps_.nfr; ++i) {
        const unsigned idx = (frcd_next_ + i) % caps_.nfr;
        if (frcd_f::F.get(frcd_[idx][1])) {
            v |= fsts::PPF | uint32_t(fsts::FRI.make(idx));
            break;
        }
    }
    return v;
}

uint64_t Vtd::reg_read(uint32_t off, unsigned len) {
    const uint32_t base64 = off & ~7u, half = off & 4u;
    if (off >= caps_.frcd_offset && off < caps_.frcd_offset + caps_.nfr * reg::FRCD_LEN) {
        const unsigned i = (off - caps_.frcd_offset) / reg::FRCD_LEN;
        const unsigned w = ((off - caps_.frcd_offset) % reg::FRCD_LEN) / 8;
        return read64_part(frcd_[i][w], half, len);
    }
    switch (base64) {
    case reg::CAP: return read64_part(make_cap(caps_), half, len);
    case reg::ECAP: return read64_part(make_ecap(caps_), half, len);
    case reg::RTADDR: return read64_part(rtaddr_, half, len);
    case reg::IQH: return read64_part(iqh_, half, len);
    case reg::IQT: return read64_part(iqt_, half, len);
    case reg::IQA: return read64_part(iqa_, half, len);
    case reg::IQERCD: return read64_part(iqercd_, half, len);
    case reg::PQH: return read64_part(pqh_, half, len);
    case reg::PQT: return read64_part(pqt_, half, len);
    case reg::PQA: return read64_part(pqa_, half, len);
    default: break;
    }
    switch (off) {
    case reg::VER: return make_ver(caps_);
    case reg::GCMD: return 0;   // write-only
    case reg::GSTS: return gsts_;
    case reg::FSTS: return fsts_value();
    case reg::FECTL: return fectl_;
    case reg::FEDATA: return fedata_;
    case reg::FEADDR: return feaddr_;
    case reg::FEUADDR: return feuaddr_;
    case reg::ICS: return ics_;
    case reg::PRS: return prs_;
    case reg::PECTL: return pectl_;
    case reg::PEDATA: return pedata_;
    case reg::PEADDR: return peaddr_;
    case reg::PEUADDR: return peuaddr_;
    default: ++c_.mmio_unknown; return 0;
    }
}

void Vtd::reg_write(uint32_t off, uint64_t v, unsigned len) {
    const uint32_t base64 = off & ~7u, half = off & 4u;
    if (off >= caps_.frcd_offset && off < caps_.frcd_offset + caps_.nfr * reg::FRCD_LEN) {
        // Only F (bit 127) is writable: RW1C.
        const unsigned i = (off - caps_.frcd_offset) / reg::FRCD_LEN;
        const unsigned w = ((off - caps_.frcd_offset) % reg::FRCD_LEN) / 8;
        if (w == 1) {
            uint64_t mask = 0;
            write64_part(mask, half, v, len);
            if (mask & frcd_f::F.mask()) frcd_[i][1] &= ~frcd_f::F.mask();
        }
        return;
    }
    switch (base64) {
    case reg::RTADDR: write64_part(rtaddr_, half, v, len); return;
    case reg::IQT:
        write64_part(iqt_, half, v, len);
        iqt_ &= iq_f::QHT.mask();
        invq_kick_.notify(sc_core::SC_ZERO_TIME);
        return;
    case reg::IQA: write64_part(iqa_, half, v, len); return;
    case reg::PQH:
        write64_part(pqh_, half, v, len);
        pqh_ &= pq_f::PQHT.mask();
        {
            const uint64_t size = uint64_t(4096) << pqa_f::PQS.get(pqa_);
            prq_occupancy_ = ((pqt_ + size - pqh_) % size) / kPageReqDescBytes;
        }
        return;
    case reg::PQT: write64_part(pqt_, half, v, len); pqt_ &= pq_f::PQHT.mask(); return;
    case reg::PQA: write64_part(pqa_, half, v, len); return;
    case reg::CAP: case reg::ECAP: case reg::IQH: case reg::IQERCD: return;   // read-only
    default: break;
    }
    const uint32_t v32 = uint32_t(v);
    switch (off) {
    case reg::GCMD:
        // Persistent bits (TE, QIE, ...) are the value written; one-shot bits (SRTP, ...)
        // request an action. GSTS follows after ack_cycles.
        gcmd_pending_ = v32;
        gcmd_ev_.notify(clk_.cycles(ack_cycles_));
        return;
    case reg::FSTS: fsts_ &= ~(v32 & fsts::RW1C); return;
    case reg::FECTL: {
        const bool was_masked = fectl_ & ectl::IM;
        fectl_ = (fectl_ & ectl::IP) | (v32 & ectl::IM);
        if (was_masked && !(fectl_ & ectl::IM) && (fectl_ & ectl::IP)) {
            // Unmasking with an interrupt pending delivers it (spec 7.3.1).
            fectl_ &= ~ectl::IP;
            send_msi(feaddr_, feuaddr_, fedata_);
        }
        return;
    }
    case reg::FEDATA: fedata_ = v32; return;
    case reg::FEADDR: feaddr_ = v32 & ~3u; return;
    case reg::FEUADDR: feuaddr_ = v32; return;
    case reg::ICS: ics_ &= ~(v32 & ics::IWC); return;
    case reg::PRS: prs_ &= ~(v32 & prs::RW1C); return;
    case reg::PECTL: {
        const bool was_masked = pectl_ & ectl::IM;
        pectl_ = (pectl_ & ectl::IP) | (v32 & ectl::IM);
        if (was_masked && !(pectl_ & ectl::IM) && (pectl_ & ectl::IP)) {
            pectl_ &= ~ectl::IP;
            send_msi(peaddr_, peuaddr_, pedata_);
        }
        return;
    }
    case reg::PEDATA: pedata_ = v32; return;
    case reg::PEADDR: peaddr_ = v32 & ~3u; return;
    case reg::PEUADDR: peuaddr_ = v32; return;
    default: ++c_.mmio_unknown; return;
    }
}

void Vtd::gcmd_process() {
    const uint32_t cmd = gcmd_pending_;
    if (cmd & gcmd::SRTP) {
        // Latch the root table pointer; cached context entries are not flushed by SRTP
        // (software invalidates the context cache, spec 6.5.2.1) but a new table makes
        // them meaningless, so the model drops them.
        rtaddr_active_ = rtaddr_;
        ctx_cache_.clear();
        pasid_cache_.clear();
        gsts_ |= gsts::RTPS;
    }
    if (cmd & gcmd::WBF) gsts_ &= ~gsts::WBFS;   // write buffer flush completes at once
    const bool qie = cmd & gcmd::QIE;
    if (qie && !(gsts_ & gsts::QIES)) {
        iqh_ = 0;   // enabling queued invalidation starts at the queue's base
        gsts_ |= gsts::QIES;
        invq_kick_.notify(sc_core::SC_ZERO_TIME);
    } else if (!qie) {
        gsts_ &= ~gsts::QIES;
    }
    if (cmd & gcmd::TE) gsts_ |= gsts::TES;
    else gsts_ &= ~gsts::TES;
}

}  // namespace iopf
