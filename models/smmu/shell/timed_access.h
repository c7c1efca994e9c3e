// Timed accesses an SMMU makes through its own initiator port (descriptor and configuration
// fetches, queue entries, MSIs), shared by the SMMUv3 and SMMUv2 models. The calling thread
// waits for the annotated delay, so every access costs simulated time.
#pragma once
#include <cstdint>

#include <systemc>
#include <tlm>

#include "models/common/inject.h"
#include "models/common/payload.h"
#include "models/smmu/walker.h"

namespace iopf::smmu {

template <class Socket>
bool timed_access(Socket& port, tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
    // Leased, not on this stack: see PayloadPool.
    PayloadPool::Lease lease(PayloadPool::shared(), cmd, addr, static_cast<uint8_t*>(data), len);
    tlm::tlm_generic_payload& gp = *lease;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    port->b_transport(gp, d);
    sc_core::wait(d);
    return gp.is_response_ok();
}

// An injected abort (models/common/inject.h): true when `p` fires now. The access it stands
// for is then not made: the interconnect answered it with an error at once.
inline bool injected_abort(InjectPoint* p) { return p && p->armed() && p->fire(now_ps()); }

// The walker's memory: every descriptor read is a timed read through `port`, counted; with
// a `writes` counter, entry updates (x86-64 A/D) are timed writes, counted; without one the
// memory refuses writes. With `abort`, a read the point fires on is an external abort.
template <class Socket>
class TimedWalkMemory : public WalkMemory {
public:
    TimedWalkMemory(Socket& port, uint64_t& reads, uint64_t* writes = nullptr, InjectPoint* abort = nullptr)
        : port_(port), reads_(reads), writes_(writes), abort_(abort) {}
    bool read64(uint64_t pa, uint64_t& value) override {
        ++reads_;
        if (injected_abort(abort_)) return false;
        return timed_access(port_, tlm::TLM_READ_COMMAND, pa, &value, 8);
    }
    bool write64(uint64_t pa, uint64_t value) override {
        if (!writes_) return false;
        ++*writes_;
        return timed_access(port_, tlm::TLM_WRITE_COMMAND, pa, &value, 8);
    }

private:
    Socket& port_;
    uint64_t& reads_;
    uint64_t* writes_;
    InjectPoint* abort_;
};

}  // namespace iopf::smmu
