#include "models/devices/root_complex.h"
#include "platforms/registry.h"

#include <algorithm>

#include "models/common/payload.h"

namespace iopf {

RootComplex::RootComplex(sc_core::sc_module_name name, SimContext& ctx, ParamScope p)
    : sc_module(name), from_ep("from_ep"), to_smmu("to_smmu"), from_smmu("from_smmu"), to_ep("to_ep") {
    latency_ps_ = p.get_time_ps("latency", 245000, {"one-way latency of the link and root port, each direction", "calibrated: with tlp_cost, bandwidth and the SMMU/memory defaults, reproduces pcie-bench's 600 ns median 64 B DMA read with the IOMMU on and a small window (Neugebauer et al., SIGCOMM 2018, NFP6000 on Xeon E5-2630v4); platforms/calib_pcie_bench.json"});
    tlp_ps_ = p.get_time_ps("tlp_cost", 4000, {"link time of one TLP's header/framing (the link is busy meanwhile)", "PCIe 3.0 x8 (pcie-bench's link): 8 GT/s x 8 lanes with 128b/130b = 7.88 GB/s; ~24-30 B of TLP header, framing and DLLP share is 3-4 ns"});
    bytes_per_ns_ = p.get_double("bandwidth", 8.0, "bytes/ns", {"link payload bandwidth, each direction", "PCIe 3.0 x8: 8 GT/s x 8 lanes x 128/130 = 7.88 GB/s raw payload rate, rounded to 8 B/ns"}, 0.001);
    from_ep.register_b_transport(this, &RootComplex::up);
    from_smmu.register_b_transport(this, &RootComplex::down);
    const std::string me = this->name();
    ctx.stats.add([this, me](nlohmann::json& root) {
        root["links"][me] = {{"upstream_tlps", up_tlps_}, {"downstream_tlps", down_tlps_}, {"unroutable", unroutable_}};
    });
}

uint64_t RootComplex::tlp_ps(const tlm::tlm_generic_payload& gp) const {
    // Messages carry no memory payload on the wire beyond their header.
    const IopfExt* ext = gp.get_extension<IopfExt>();
    // Only a memory write carries its data upstream (a read's data and an ATS completion
    // come back in the completion); messages are header-only.
    const bool payload = gp.is_write() && (!ext || ext->msg == PcieMsg::none);
    const uint64_t bytes = payload ? gp.get_data_length() : 0;
    return tlp_ps_ + static_cast<uint64_t>(bytes * 1000.0 / bytes_per_ns_ + 0.5);
}

void RootComplex::up(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    ++up_tlps_;
    const uint64_t arrive = now_ps() + delay.value();
    const uint64_t start = std::max(arrive, up_free_ps_);
    const uint64_t busy = tlp_ps(gp);
    up_free_ps_ = start + busy;
    delay += ps(start - arrive + busy + latency_ps_);
    to_smmu->b_transport(gp, delay);
    // Non-posted requests (reads, ATS Translation Requests) wait for their completion to
    // travel back down; posted ones (memory writes, messages) are done once sent.
    const IopfExt* ext = gp.get_extension<IopfExt>();
    const bool posted = gp.is_write() || (ext && ext->msg != PcieMsg::none);
    if (!posted) delay += ps(latency_ps_);
}

void RootComplex::down(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    const IopfExt* ext = gp.get_extension<IopfExt>();
    auto it = ext ? ports_.find(ext->sid) : ports_.end();
    if (it == ports_.end()) {
        ++unroutable_;
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    ++down_tlps_;
    const uint64_t arrive = now_ps() + delay.value();
    const uint64_t start = std::max(arrive, down_free_ps_);
    const uint64_t busy = tlp_ps(gp);
    down_free_ps_ = start + busy;
    delay += ps(start - arrive + busy + latency_ps_);
    to_ep[it->second]->b_transport(gp, delay);
}

IOPF_REGISTER_MODEL("root_complex", build_order::pcie_bridge,
                    "PCIe root complex: TLP link timing between endpoints and the IOMMU, routes messages by RID",
                    [](PlatformBuilder& b, const std::string& n) {
                        auto rc = std::make_unique<RootComplex>(n.c_str(), b.ctx, b.params(n));
                        const std::string smmu =
                            b.params(n).get_string("smmu", "", {"SMMU behind the root complex (\"\" = none)", src::config});
                        b.bind_dma(rc->to_smmu, n, "smmu", smmu);
                        if (IommuModel* m = b.iommu(n, "smmu", smmu))
                            if (!m->bind_pcie_messages(rc->from_smmu))
                                throw ConfigError("parameter '" + n + ".smmu': '" + smmu +
                                                  "' has no PCIe message path (ATS/PRI); a root complex needs one");
                        return rc;
                    });

}  // namespace iopf
