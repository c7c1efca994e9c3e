// Timed memory target (DRAM): fixed access latency plus a bandwidth-limited transfer on one
// of N channels (the earliest free one). Loosely timed: the delay is annotated, the
// initiator synchronises. Out-of-range accesses and byte enables get TLM error responses.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "models/common/context.h"
#include "models/memory/backing_store.h"

namespace iopf {

class Memory : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Memory> socket;

    Memory(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    uint64_t base() const { return base_; }
    uint64_t size() const { return size_; }
    BackingStore& store() { return store_; }

private:
    void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned transport_dbg(tlm::tlm_generic_payload& gp);
    bool check(tlm::tlm_generic_payload& gp);

    uint64_t base_, size_;
    Cost latency_ps_;
    double bytes_per_ns_;
    std::vector<uint64_t> channel_free_ps_;
    BackingStore store_;
    uint64_t reads_ = 0, writes_ = 0, bytes_ = 0, errors_ = 0;
};

}  // namespace iopf
