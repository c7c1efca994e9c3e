// TLM payload extension carried by every transaction from a device through the SMMU:
// the PCIe/AXI sideband the SMMU needs (StreamID, SubstreamID + SSV, PnU, InD) and the
// ATS kind, plus instrumentation (issue time, fault id) that never changes behaviour.
#pragma once
#include <cstdint>

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

    // Instrumentation (does not influence the model's behaviour).
    uint64_t t_issue_ps = 0;  // when the device issued the transaction
    uint64_t fault_id = 0;    // set by the SMMU when this transaction faulted (FaultTracker id)
    const char* device = "";  // issuing device's name, for fault attribution

    tlm::tlm_extension_base* clone() const override { return new IopfExt(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        *this = static_cast<const IopfExt&>(other);
    }
};

// Current simulated time in picoseconds (the kernel resolution is 1 ps).
inline uint64_t now_ps() { return sc_core::sc_time_stamp().value(); }
inline sc_core::sc_time ps(uint64_t v) { return sc_core::sc_time::from_value(v); }

}  // namespace iopf
