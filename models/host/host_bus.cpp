#include "models/host/host_bus.h"

#include "models/common/payload.h"
#include "models/common/units.h"

namespace iopf {

HostBus::HostBus(sc_core::sc_module_name name, SimContext& ctx) : sc_module(name), socket("socket"), ctx_(ctx) {}

void HostBus::access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len) {
    // Several software threads share the port; each access leases its own pooled payload.
    PayloadPool::Lease lease(payloads_, cmd, addr, data, len);
    tlm::tlm_generic_payload& gp = *lease;
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    socket->b_transport(gp, delay);
    sc_core::wait(delay);
    ++accesses_;
    if (!gp.is_response_ok()) {
        // A bus error on a host access is a kernel bug in a real system (an SError): log it
        // loudly; reads return zeros.
        ++errors_;
        ctx_.log.warn(std::string(name()) + ": bus error on " + (cmd == tlm::TLM_READ_COMMAND ? "read" : "write") +
                      " at " + hex(addr));
        if (cmd == tlm::TLM_READ_COMMAND) std::fill(data, data + len, 0);
    }
}

uint32_t HostBus::read32(uint64_t a) { uint32_t v = 0; access(tlm::TLM_READ_COMMAND, a, reinterpret_cast<uint8_t*>(&v), 4); return v; }
uint64_t HostBus::read64(uint64_t a) { uint64_t v = 0; access(tlm::TLM_READ_COMMAND, a, reinterpret_cast<uint8_t*>(&v), 8); return v; }
void HostBus::write32(uint64_t a, uint32_t v) { access(tlm::TLM_WRITE_COMMAND, a, reinterpret_cast<uint8_t*>(&v), 4); }
void HostBus::write64(uint64_t a, uint64_t v) { access(tlm::TLM_WRITE_COMMAND, a, reinterpret_cast<uint8_t*>(&v), 8); }
void HostBus::read(uint64_t a, uint8_t* d, unsigned n) { access(tlm::TLM_READ_COMMAND, a, d, n); }
void HostBus::write(uint64_t a, const uint8_t* s, unsigned n) { access(tlm::TLM_WRITE_COMMAND, a, const_cast<uint8_t*>(s), n); }

}  // namespace iopf
