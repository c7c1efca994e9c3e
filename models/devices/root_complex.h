// PCIe root complex and link: carries endpoint requests and messages (memory requests, ATS
// Translation Requests, Page Requests, Invalidate Completions) up to the SMMU, and the SMMU's
// messages (PRG Responses, ATS Invalidate Requests) down to the endpoint whose RID is the
// message's StreamID. Each direction is a link: one-way latency plus a per-TLP cost during
// which the link is busy (TLPs queue behind each other).
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include <systemc>
#include <tlm>
#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "models/common/context.h"

namespace iopf {

class RootComplex : public sc_core::sc_module {
public:
    tlm_utils::multi_passthrough_target_socket<RootComplex> from_ep;     // endpoints -> RC
    tlm_utils::simple_initiator_socket<RootComplex> to_smmu;             // RC -> SMMU (or interconnect)
    tlm_utils::simple_target_socket<RootComplex> from_smmu;              // SMMU messages -> RC
    tlm_utils::multi_passthrough_initiator_socket<RootComplex> to_ep;    // RC -> endpoints

    RootComplex(sc_core::sc_module_name name, SimContext& ctx, ParamScope params);

    // Routes downstream messages for RID `sid` to `to_ep` binding number `port`.
    void add_endpoint(uint32_t sid, int port) { ports_[sid] = port; }

private:
    void up(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    void down(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
    uint64_t tlp_ps(const tlm::tlm_generic_payload& gp) const;

    uint64_t latency_ps_, tlp_ps_;
    double bytes_per_ns_;
    uint64_t up_free_ps_ = 0, down_free_ps_ = 0;
    std::map<uint32_t, int> ports_;
    uint64_t up_tlps_ = 0, down_tlps_ = 0, unroutable_ = 0;
};

}  // namespace iopf
