// The host CPU's port onto the interconnect: uncached MMIO to device registers and memory
// accesses to DRAM (queues, stream table, page tables), each a timed TLM transaction that
// the calling software thread waits for.
#pragma once
#include <cstdint>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/common/context.h"
#include "models/common/payload.h"

namespace iopf {

class HostBus : public sc_core::sc_module {
public:
    tlm_utils::simple_initiator_socket<HostBus> socket;

    HostBus(sc_core::sc_module_name name, SimContext& ctx);

    uint32_t read32(uint64_t addr);
    uint64_t read64(uint64_t addr);
    void write32(uint64_t addr, uint32_t v);
    void write64(uint64_t addr, uint64_t v);
    void read(uint64_t addr, uint8_t* dst, unsigned len);
    void write(uint64_t addr, const uint8_t* src, unsigned len);

    uint64_t accesses() const { return accesses_; }
    uint64_t errors() const { return errors_; }

private:
    void access(tlm::tlm_command cmd, uint64_t addr, uint8_t* data, unsigned len);

    SimContext& ctx_;
    tlm::tlm_generic_payload gp_;
    uint64_t accesses_ = 0, errors_ = 0;
    PayloadPool payloads_;
};

}  // namespace iopf
