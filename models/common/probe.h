// Measurement rides in its own TLM extension, never in the architectural sideband (IopfExt),
// a message body or a value hardware writes and software reads (DESIGN.md "Measurement is an
// observer"). FaultProbeExt carries the FaultTracker id of the fault a transaction or a PCIe
// message belongs to: the IOMMU shell sets it when a faulted transaction completes, the PCIe
// endpoint attaches it to the Page Request that serves a fault; the fault-latency observer
// (models/common/fault_tracker) reads it at its probe points (device completion, PRI queue
// record). Nothing in the models' behaviour reads it.
#pragma once
#include <cstdint>

#include <tlm>

namespace iopf {

struct FaultProbeExt : tlm::tlm_extension<FaultProbeExt> {
    uint64_t fault_id = 0;   // 0 = none
    tlm::tlm_extension_base* clone() const override { return new FaultProbeExt(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        fault_id = static_cast<const FaultProbeExt&>(other).fault_id;
    }
};

// The fault id a transaction carries (0 = none, or no probe attached).
inline uint64_t probe_fault_id(const tlm::tlm_generic_payload& gp) {
    const FaultProbeExt* p = gp.get_extension<FaultProbeExt>();
    return p ? p->fault_id : 0;
}

// Tags `gp` with fault `id` if it carries a probe; false if it has none (the caller then
// closes the fault itself).
inline bool probe_tag_fault(tlm::tlm_generic_payload& gp, uint64_t id) {
    FaultProbeExt* p = gp.get_extension<FaultProbeExt>();
    if (!p) return false;
    p->fault_id = id;
    return true;
}

}  // namespace iopf
