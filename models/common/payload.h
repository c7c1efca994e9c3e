// TLM payload extension carried by every transaction from a device through the SMMU:
// the PCIe/AXI sideband the SMMU needs (StreamID, SubstreamID + SSV, PnU, InD) and the
// ATS kind, plus instrumentation (issue time, device name) that never changes behaviour.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/common/pcie.h"

namespace iopf {

// PCIe AT field / AXI equivalent: what kind of request this is.
enum class AtsKind : uint8_t {
    untranslated = 0,         // AT=00: normal DMA with an input (virtual/IO) address
    translation_request = 1,  // AT=01: ATS Translation Request (returns a translation)
    translated = 2,           // AT=10: address already translated by the device's ATC
};

struct IopfExt : tlm::tlm_extension<IopfExt> {
    uint32_t sid = 0;         // StreamID
    uint32_t ssid = 0;        // SubstreamID (PASID)
    bool ssv = false;         // SubstreamID valid
    bool pnu = false;         // PnU: 1 = privileged
    bool ind = false;         // InD: 1 = instruction fetch
    AtsKind ats = AtsKind::untranslated;
    PcieMsg msg = PcieMsg::none;   // a PCIe message (data pointer = the message body)

    // Instrumentation (does not influence the model's behaviour). The fault id a faulted
    // transaction belongs to travels in its own extension (models/common/probe.h).
    uint64_t t_issue_ps = 0;  // when the device issued the transaction
    const char* device = "";  // issuing device's name, for fault attribution

    tlm::tlm_extension_base* clone() const override { return new IopfExt(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const IopfExt&>(other);
    }
};

// Current simulated time in picoseconds (the kernel resolution is 1 ps).
inline uint64_t now_ps() { return sc_core::sc_time_stamp().value(); }
inline sc_core::sc_time ps(uint64_t v) { return sc_core::sc_time::from_value(v); }

// Payloads for a model's short-lived accesses, reused instead of built per access: a
// tlm_generic_payload allocates its extension array when constructed. Threads blocked
// inside an access each hold one, so the pool grows to the largest number of concurrent
// accesses and no further. SystemC threads are cooperative: no locking. A payload on the
// stack of a thread still suspended when the run ends would never be destroyed (SystemC
// does not unwind thread stacks) and leak; a pooled one stays owned by its pool. A leaseholder
// that sets extensions clears them before the lease ends.
class PayloadPool {
public:
    // The pool model threads share for accesses of their own (a walk's descriptor reads,
    // PCIe messages, ATS requests).
    static PayloadPool& shared() {
        static PayloadPool pool;
        return pool;
    }
    PayloadPool() = default;
    PayloadPool(const PayloadPool&) = delete;
    PayloadPool& operator=(const PayloadPool&) = delete;
    ~PayloadPool() {
        // A payload leased by a thread the run left suspended may still point at that
        // thread's extension objects: they are not the payload's to delete.
        for (auto& gp : all_)
            for (unsigned i = 0; i < tlm::max_num_extensions(); ++i) gp->set_extension(i, nullptr);
    }
    class Lease {
    public:
        Lease(PayloadPool& pool, tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len) : pool_(pool) {
            if (pool.free_.empty()) {
                pool.all_.push_back(std::make_unique<tlm::tlm_generic_payload>());
                gp_ = pool.all_.back().get();
            } else {
                gp_ = pool.free_.back();
                pool.free_.pop_back();
            }
            gp_->set_command(cmd);
            gp_->set_address(addr);
            gp_->set_data_ptr(data);
            gp_->set_data_length(len);
            gp_->set_streaming_width(len);
            gp_->set_byte_enable_ptr(nullptr);
            gp_->set_byte_enable_length(0);
            gp_->set_dmi_allowed(false);
            gp_->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        }
        ~Lease() { pool_.free_.push_back(gp_); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        tlm::tlm_generic_payload& operator*() const { return *gp_; }
        tlm::tlm_generic_payload* operator->() const { return gp_; }

    private:
        PayloadPool& pool_;
        tlm::tlm_generic_payload* gp_;
    };

private:
    std::vector<std::unique_ptr<tlm::tlm_generic_payload>> all_;
    std::vector<tlm::tlm_generic_payload*> free_;
};

}  // namespace iopf
