// Fast mode (--mode fast) for the devices: temporal decoupling with a TLM-2.0 quantum
// keeper. Each issuing thread (a DMA slot, a GPU wavefront) keeps its own local time
// offset: it passes it as the b_transport delay, takes back the annotated delay, and only
// synchronises with the kernel (a wait) when the offset reaches the device's quantum, at a
// job boundary, or when the target synchronises itself (an SMMU translation that misses,
// faults or stalls waits for the delay it was given before doing anything). A TLB hit in
// fast mode therefore costs no context switch at all.
//
// The quantum is the device's `quantum` parameter (default 100 ns): a thread runs at most
// that far ahead of the kernel, and sync points fall on multiples of it. 100 ns keeps the
// showcase fault-latency percentiles within 5 % of accurate mode (tests/scenario/test_fast_mode.cpp);
// longer quanta run faster but let decoupled accesses reserve memory channels further
// ahead, which delays the synchronised traffic (walks, host, PCIe) behind them.
#pragma once
#include <cstdint>

#include <systemc>
#include <tlm_utils/tlm_quantumkeeper.h>

namespace iopf {

class DeviceQuantumKeeper : public tlm_utils::tlm_quantumkeeper {
public:
    explicit DeviceQuantumKeeper(uint64_t quantum_ps) : quantum_ps_(quantum_ps ? quantum_ps : 1) { reset(); }
    // Local time of this thread (kernel time + offset), in ps.
    uint64_t now_ps() const { return sc_core::sc_time_stamp().value() + get_local_time().value(); }

protected:
    sc_core::sc_time compute_local_quantum() override {
        const uint64_t now = sc_core::sc_time_stamp().value();
        return sc_core::sc_time::from_value(quantum_ps_ - now % quantum_ps_);
    }

private:
    uint64_t quantum_ps_;
};

}  // namespace iopf
