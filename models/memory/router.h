// Interconnect: forwards each transaction to the target whose address range contains it,
// unchanged (targets see absolute physical addresses), adding a per-hop latency. An address
// no target claims gets TLM_ADDRESS_ERROR_RESPONSE (a decode error).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "models/common/context.h"

namespace iopf {

class Router : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<Router> in;
    tlm_utils::multi_passthrough_initiator_socket<Router> out;

    Router(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    // Bind `out` to a target first, then map its range; index = order of binding.
    void map(uint64_t base, uint64_t size, const std::string& target_name);

private:
    void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    unsigned transport_dbg(int id, tlm::tlm_generic_payload& gp);
    int decode(uint64_t addr, uint64_t len) const;

    struct Range { uint64_t base, size; int port; std::string name; };
    std::vector<Range> ranges_;
    uint64_t hop_ps_;
    SimContext& ctx_;
    uint64_t decode_errors_ = 0;
};

}  // namespace iopf
