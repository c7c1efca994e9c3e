// One in-flight access of a device: a pooled payload with its IopfExt and data buffer (no
// allocation per transaction), prepared for each access with the sideband the SMMU needs.
// Write data is pattern_byte(address), so a test can check where it landed.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <tlm>

#include "models/common/payload.h"
#include "models/common/probe.h"

namespace iopf {

// Byte written by a device at input address `addr` (a test can recompute it).
inline uint8_t pattern_byte(uint64_t addr) { return static_cast<uint8_t>((addr >> 6) * 31u + addr * 7u + 0x5a); }

class AccessSlot {
public:
    explicit AccessSlot(const char* device, unsigned max_len = 4096) : data_(max_len) {
        ext_ = new IopfExt;   // owned by gp_ (freed with it)
        ext_->device = device;
        gp_.set_extension(ext_);
        probe_ = new FaultProbeExt;   // owned by gp_: the fault-latency observer's tag
        gp_.set_extension(probe_);
    }

    // Prepares an untranslated access of `len` bytes at `addr` issued now.
    tlm::tlm_generic_payload& prepare(uint64_t addr, bool write, unsigned len, uint32_t sid, uint32_t ssid,
                                      bool ssv, bool priv) {
        gp_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp_.set_address(addr);
        gp_.set_data_ptr(data_.data());
        gp_.set_data_length(len);
        gp_.set_streaming_width(len);
        gp_.set_byte_enable_ptr(nullptr);
        gp_.set_dmi_allowed(false);
        gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        if (write)
            for (unsigned b = 0; b < len; ++b) data_[b] = pattern_byte(addr + b);
        ext_->sid = sid;
        ext_->ssid = ssid;
        ext_->ssv = ssv;
        ext_->pnu = priv;
        ext_->ind = false;
        ext_->ats = AtsKind::untranslated;
        ext_->msg = PcieMsg::none;
        ext_->t_issue_ps = now_ps();
        probe_->fault_id = 0;
        return gp_;
    }

    tlm::tlm_generic_payload& gp() { return gp_; }
    IopfExt& ext() { return *ext_; }
    uint64_t fault_id() const { return probe_->fault_id; }

private:
    tlm::tlm_generic_payload gp_;
    IopfExt* ext_;
    FaultProbeExt* probe_;
    std::vector<uint8_t> data_;
};

// The slots of one device, owned by the device rather than by its SC_THREADs' stacks: a
// run that ends with work in flight never unwinds those threads, so a slot living on one
// would never be freed (a leak LeakSanitizer reports for every cut-short run).
class AccessSlotPool {
public:
    AccessSlot& add(const char* device, unsigned max_len = 4096) {
        slots_.push_back(std::make_unique<AccessSlot>(device, max_len));
        return *slots_.back();
    }

private:
    std::vector<std::unique_ptr<AccessSlot>> slots_;
};

}  // namespace iopf
